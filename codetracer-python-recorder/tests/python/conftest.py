from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from codetracer_python_recorder import is_tracing, stop_tracing

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def no_recording_left_behind():
    yield
    if is_tracing():
        stop_tracing()
        pytest.fail("the test left a recording running")


RunCli = Callable[..., subprocess.CompletedProcess[str]]

# Tracebacks as plain text: Python 3.13 colours them when FORCE_COLOR is set (Nx sets it for its tasks).
PLAIN_TEXT_ENV = {**os.environ, "PYTHON_COLORS": "0"}


@pytest.fixture
def write_script(tmp_path: Path) -> Callable[[str], Path]:
    def write(source: str, name: str = "program.py") -> Path:
        script = tmp_path / name
        script.write_text(textwrap.dedent(source), encoding="utf-8")
        return script

    return write


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Runs ``python -m codetracer_python_recorder`` in a fresh interpreter, in ``tmp_path``.

    Recordings are JSON unless the test names a ``--format`` (the command's default is binary, which
    the tests can only read through ``trace summary``); ``as_given=True`` passes the arguments as they are.
    """

    def run(*arguments: str, timeout: float = 120, as_given: bool = False) -> subprocess.CompletedProcess[str]:
        records = arguments[:1] != ("trace",) and not {"--help", "--version", "--format"} & set(arguments)
        if records and not as_given:
            arguments = ("--format", "json", *arguments)
        return subprocess.run(
            [sys.executable, "-m", "codetracer_python_recorder", *arguments],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=PLAIN_TEXT_ENV,
        )

    return run
