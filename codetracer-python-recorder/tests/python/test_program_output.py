"""What the recorded program prints is what it prints without the recorder."""

from __future__ import annotations

import subprocess
import sys

from conftest import PLAIN_TEXT_ENV


def _untraced(script, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script)], cwd=cwd, capture_output=True, text=True, timeout=60, env=PLAIN_TEXT_ENV)


def test_an_uncaught_exception_prints_the_programs_own_traceback(run_cli, write_script, tmp_path):
    script = write_script(
        """\
        def lookup(table):
            return table["missing"]

        print("before")
        lookup({})
        """
    )
    plain = _untraced(script, tmp_path)
    recorded = run_cli("--trace-dir", "out", str(script))
    assert (recorded.returncode, recorded.stdout, recorded.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    assert recorded.stderr.startswith("Traceback (most recent call last):\n  File \"" + str(script))


def test_the_programs_excepthook_reports_its_uncaught_exception(run_cli, write_script, tmp_path):
    script = write_script(
        """\
        import sys

        def report(kind, error, frames):
            print(f"custom hook: {kind.__name__}: {error} at line {frames.tb_lineno}", file=sys.stderr)

        sys.excepthook = report
        raise ValueError("bad input")
        """
    )
    plain = _untraced(script, tmp_path)
    recorded = run_cli("--trace-dir", "out", str(script))
    assert recorded.stderr == plain.stderr == "custom hook: ValueError: bad input at line 7\n"
    assert recorded.returncode == plain.returncode == 1
