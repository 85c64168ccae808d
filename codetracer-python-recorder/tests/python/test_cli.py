"""``python -m codetracer_python_recorder``: arguments, exit codes and the trace of a whole run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
from trace_reading import BINARY_HEADER, load_trace


def test_help(run_cli):
    result = run_cli("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: codetracer-python-recorder [-h] [--trace-dir TRACE_DIR]")
    assert "--format {json,binary}" in result.stdout


def test_script_runs_as_main_with_its_own_argv_and_exit_code(run_cli, write_script, tmp_path):
    script = write_script(
        """\
        import sys
        print(__name__, sys.argv)
        sys.exit(3)
        """
    )
    result = run_cli("--trace-dir", "out", str(script), "one", "--two")
    assert result.returncode == 3, result.stderr
    assert result.stdout == f"__main__ {[str(script), 'one', '--two']}\n"
    loaded = load_trace(tmp_path / "out")
    assert loaded.metadata["program"] == str(script)
    assert loaded.metadata["args"] == ["one", "--two"]
    assert loaded.metadata["exit_status"] == 3
    assert loaded.paths[0] == str(script)
    assert loaded.calls(script)[-1] == ("return", "error: SystemExit: 3")


def test_uncaught_exception_exits_1_with_a_finished_trace(run_cli, write_script, tmp_path):
    script = write_script("raise RuntimeError('broken')\n")
    result = run_cli("--trace-dir", "out", str(script))
    assert result.returncode == 1
    assert "RuntimeError: broken" in result.stderr
    loaded = load_trace(tmp_path / "out")
    assert loaded.metadata["exit_status"] == 1
    assert loaded.calls(script) == [("call", "<__main__>", {}), ("return", "error: RuntimeError: broken")]


def test_binary_format(run_cli, write_script, tmp_path):
    script = write_script("x = 1\n")
    result = run_cli("--trace-dir", "out", "--format", "binary", str(script))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "trace.bin").read_bytes()[:8] == BINARY_HEADER
    assert json.loads((tmp_path / "out" / "trace_paths.json").read_text())[0] == str(script)


def test_missing_script_is_a_one_line_error(run_cli, tmp_path):
    result = run_cli("--trace-dir", "out", "nope.py")
    assert result.returncode == 2
    assert result.stderr == "codetracer-python-recorder: error: script not found: nope.py\n"
    assert not (tmp_path / "out").exists()


def test_unwritable_trace_dir_is_a_one_line_error(run_cli, write_script, tmp_path):
    script = write_script("print('never runs')\n")
    (tmp_path / "blocker").write_text("a file, not a directory")
    result = run_cli("--trace-dir", "blocker/out", str(script))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("codetracer-python-recorder: error: failed to create trace directory ")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT cannot be sent to oneself on Windows")
def test_ctrl_c_leaves_a_finished_trace(write_script, tmp_path):
    script = write_script(
        """\
        import os, signal, time
        print("ready", flush=True)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
        """
    )
    process = subprocess.run(
        [sys.executable, "-m", "codetracer_python_recorder", "--format", "json", "--trace-dir", "out", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 128 + signal.SIGINT
    assert "KeyboardInterrupt" in process.stderr
    loaded = load_trace(tmp_path / "out")
    assert loaded.metadata["exit_status"] == 128 + signal.SIGINT
    assert loaded.calls(script)[-1] == ("return", "error: KeyboardInterrupt")


def test_console_script_is_installed():
    from importlib.metadata import entry_points

    (entry,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "codetracer-python-recorder"]
    assert entry.value == "codetracer_python_recorder.cli:main"


def test_exclude_and_include_patterns(run_cli, write_script, tmp_path):
    helper = write_script("def helper(x):\n    return x + 1\n", name="helper.py")
    script = write_script("import json\nfrom helper import helper\nhelper(json.dumps(1) and 1)\n")

    result = run_cli("--trace-dir", "skip", "--exclude", "*/helper.py", str(script))
    assert result.returncode == 0, result.stderr
    skipped = load_trace(tmp_path / "skip")
    assert str(helper) not in skipped.paths
    assert not any(function["name"] == "helper" for function in skipped.functions)

    result = run_cli("--trace-dir", "stdlib", "--include", "*/json/*", str(script))
    assert result.returncode == 0, result.stderr
    with_stdlib = load_trace(tmp_path / "stdlib")
    assert any(path.endswith("json/__init__.py") for path in with_stdlib.paths)
    assert ("call", "helper", {"x": "1"}) in with_stdlib.calls(helper)
