"""scripts/smoke_trace.py, which the release pipeline runs against installed wheels."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SMOKE = Path(__file__).resolve().parents[2] / "scripts" / "smoke_trace.py"


def test_smoke_script_reports_ok(tmp_path):
    result = subprocess.run([sys.executable, str(SMOKE)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("smoke_trace: OK codetracer-python-recorder ")
    assert result.stdout.count("\n") == 1
