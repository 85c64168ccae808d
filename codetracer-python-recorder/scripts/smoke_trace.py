"""Smoke check of an installed codetracer-python-recorder (no pytest needed).

Records a tiny function with start_tracing()/stop_tracing() into a temporary directory, once per
format, and checks the files it produced. Prints one OK line, or exits non-zero with the reason.

    python scripts/smoke_trace.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

BINARY_HEADER = bytes([0xC0, 0xDE, 0x72, 0xAC, 0xE2, 0x01, 0x00, 0x00])


class SmokeFailure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def tiny_function(a: int, b: int) -> int:
    total = a + b
    return total * 2


def read_json(path: Path) -> object:
    check(path.is_file(), f"{path.name} was not written")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise SmokeFailure(f"{path.name} is not valid JSON: {err}") from err


def smoke(recorder, trace_format: str, directory: Path) -> None:
    recorder.start_tracing(directory, format=trace_format, program="smoke_trace.py", args=[])
    try:
        check(recorder.is_tracing(), "is_tracing() is False right after start_tracing()")
        check(tiny_function(2, 3) == 10, "the traced function returned a wrong result")
    finally:
        recorder.stop_tracing(exit_status=0)
    check(not recorder.is_tracing(), "is_tracing() is True after stop_tracing()")

    metadata = read_json(directory / "trace_metadata.json")
    check(isinstance(metadata, dict), "trace_metadata.json is not an object")
    for key in ("workdir", "program", "args", "recorder", "exit_status"):
        check(key in metadata, f"trace_metadata.json has no {key!r}")
    check(metadata["recorder"].get("version") == recorder.__version__, "metadata names another recorder version")
    paths = read_json(directory / "trace_paths.json")
    check(isinstance(paths, list) and str(Path(__file__).resolve()) in paths, "trace_paths.json lacks this script")

    if trace_format == "json":
        events = read_json(directory / "trace.json")
        check(isinstance(events, list) and events, "trace.json holds no events")
        kinds = {next(iter(event)) for event in events}
        check({"Step", "Call", "Return"} <= kinds, f"trace.json lacks steps, calls or returns: {sorted(kinds)}")
    else:
        data = (directory / "trace.bin").read_bytes() if (directory / "trace.bin").is_file() else b""
        check(data.startswith(BINARY_HEADER) and len(data) > len(BINARY_HEADER), "trace.bin is missing or malformed")


def main() -> int:
    try:
        import codetracer_python_recorder as recorder
    except ImportError as err:
        print(f"smoke_trace: FAILED: cannot import codetracer_python_recorder: {err}", file=sys.stderr)
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="codetracer-smoke-") as temp:
            for trace_format in ("json", "binary"):
                smoke(recorder, trace_format, Path(temp) / trace_format)
    except (SmokeFailure, recorder.RecorderError, OSError) as err:
        print(f"smoke_trace: FAILED: {err}", file=sys.stderr)
        return 1
    print(
        f"smoke_trace: OK codetracer-python-recorder {recorder.__version__} "
        f"on Python {sys.version.split()[0]} (json and binary traces)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
