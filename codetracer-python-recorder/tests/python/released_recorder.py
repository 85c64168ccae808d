"""Where the released codetracer-python-recorder 0.3.0 is, for the tests that compare with it side by side.

``CODETRACER_RECORDER_0_3_0_PYTHON`` names either a Python with 0.3.0 installed, or a folder holding one venv per
interpreter (``py3.12``, ``py3.13``), as ``node tools/bootstrap/bootstrap.mjs --profile=test`` makes in
``.tools/recorder-0.3.0``; the recorder's ``test`` target sets it so (``.env.test``). A relative path is read from
the recorder's project folder, where that file is. Unset, the side-by-side tests are skipped; set to a path that
holds no such Python, they fail, so a broken setup is never mistaken for a machine without 0.3.0.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

VARIABLE = "CODETRACER_RECORDER_0_3_0_PYTHON"
PROJECT_DIR = Path(__file__).resolve().parents[2]
HOW_TO_GET_IT = (
    f"set {VARIABLE} to a Python with codetracer-python-recorder==0.3.0 installed "
    "(`node tools/bootstrap/bootstrap.mjs --profile=test` makes one per interpreter in .tools/recorder-0.3.0, "
    "which `npx nx run recorder:test` uses)"
)


def find_released_python() -> str | None:
    value = os.environ.get(VARIABLE)
    if not value:
        return None
    path = PROJECT_DIR / Path(value).expanduser()
    if path.is_dir():
        venv = path / f"py{sys.version_info.major}.{sys.version_info.minor}"
        path = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not path.is_file():
        raise RuntimeError(
            f"{VARIABLE}={value!r}: found no Python at {path}; expected a Python with "
            "codetracer-python-recorder==0.3.0 installed, or a folder of venvs py3.X holding one. "
            "Run `node tools/bootstrap/bootstrap.mjs --profile=test`, or unset the variable to skip these tests"
        )
    return str(path)


RELEASED_PYTHON = find_released_python()
requires_released = pytest.mark.skipif(RELEASED_PYTHON is None, reason=HOW_TO_GET_IT)


def run_released(*arguments: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Runs the released interpreter. ``-P``: the working directory is not put on ``sys.path``, so run
    from the project folder it would import this checkout's package instead of the installed 0.3.0."""
    assert RELEASED_PYTHON is not None
    return subprocess.run(
        [RELEASED_PYTHON, "-P", *arguments], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
