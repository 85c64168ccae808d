"""``codetracer-python-recorder`` / ``python -m codetracer_python_recorder``: record a script."""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import traceback
from collections.abc import Sequence

from ._native import RecorderError, __version__
from .api import start_tracing, stop_tracing

PROG = "codetracer-python-recorder"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run a Python script as __main__ and record it into a CodeTracer trace.",
    )
    parser.add_argument(
        "--trace-dir",
        default="trace",
        help="directory for trace files, created if missing (default: ./trace)",
    )
    parser.add_argument(
        "--format",
        choices=("json", "binary"),
        default="json",
        help="events file format: trace.json or trace.bin (default: json)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERN",
        help="also skip code whose file name matches this glob (* and ?); repeatable",
    )
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="PATTERN",
        help="record code whose file name matches this glob even if excluded (e.g. the standard library); repeatable",
    )
    parser.add_argument(
        "--max-trace-bytes",
        type=_byte_count,
        default=None,
        metavar="BYTES",
        help="stop recording when the events file reaches this size (suffixes K, M, G; 0 for no limit); "
        "the trace is finished and marked truncated (default: 2G)",
    )
    parser.add_argument(
        "--call-repr",
        action="store_true",
        help="record objects by calling their repr() (runs the program's code) instead of reading their fields",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("script", help="the Python script to run")
    parser.add_argument("script_args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    return parser


_BYTE_SUFFIXES = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def _byte_count(text: str) -> int:
    """``1048576``, ``512K``, ``100M``, ``2G`` (powers of 1024; a trailing ``B``/``iB`` is allowed)."""
    value = text.strip().upper().removesuffix("IB").removesuffix("B")
    suffix = value[-1:] if value[-1:] in _BYTE_SUFFIXES else ""
    number = value[: len(value) - len(suffix)]
    if not number.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of bytes such as 500M or 2G, found {text!r}")
    return int(number) * _BYTE_SUFFIXES[suffix]


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def _exit_status(code: object) -> int:
    """The process exit status ``SystemExit(code)`` stands for, as the interpreter computes it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    script = os.path.abspath(options.script)
    if not os.path.isfile(script):
        return _fail(f"script not found: {options.script}")
    trace_dir = os.path.abspath(options.trace_dir)

    sys.argv = [options.script, *options.script_args]
    sys.path[0] = os.path.dirname(script)
    try:
        start_tracing(
            trace_dir,
            options.format,
            exclude=options.exclude,
            include=options.include,
            program=script,
            args=options.script_args,
            call_repr=options.call_repr,
            max_trace_bytes=options.max_trace_bytes,
        )
    except RecorderError as err:
        return _fail(str(err))

    status = 0
    error: str | None = None
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_request:
        status = _exit_status(exit_request.code)
    except KeyboardInterrupt:
        traceback.print_exc()
        error = "".join(traceback.format_exc())
        status = 130
    except BaseException:
        traceback.print_exc()
        error = "".join(traceback.format_exc())
        status = 1
    finally:
        try:
            stop_tracing(status, error=error)
        except RecorderError as err:
            print(f"{PROG}: error: {err}", file=sys.stderr)
            status = status or 1
    return status
