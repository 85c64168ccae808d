"""``codetracer-python-recorder`` / ``python -m codetracer_python_recorder``: record a script.

``trace summary DIR`` (the first argument ``trace``) looks inside a recorded trace instead.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
import traceback
import uuid
import zipfile
from collections.abc import Sequence

from ._native import __version__
from .api import start_tracing, stop_tracing
from .errors import PolicyError, RecorderError, TraceMissingError, UsageError, with_context
from .io_capture import IO_CAPTURE_MODES
from .policy import configure_policy, configure_policy_from_env, current_policy
from .session import DEFAULT_FORMAT

PROG = "codetracer-python-recorder"
_BYTE_SUFFIXES = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def _byte_count(text: str) -> int:
    """``1048576``, ``512K``, ``100M``, ``2G`` (powers of 1024; a trailing ``B``/``iB`` is allowed)."""
    value = text.strip().upper().removesuffix("IB").removesuffix("B")
    suffix = value[-1:] if value[-1:] in _BYTE_SUFFIXES else ""
    number = value[: len(value) - len(suffix)]
    if not number.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of bytes such as 500M or 2G, found {text!r}")
    return int(number) * _BYTE_SUFFIXES[suffix]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run a Python script as __main__ and record it into a CodeTracer trace. "
        f"'{PROG} trace summary DIR' describes a recorded trace.",
        allow_abbrev=False,
    )
    # The defaults are 0.3.0's, so a user moving from it finds the same files in the same place.
    parser.add_argument(
        "--trace-dir",
        default="trace-out",
        help="directory for trace files, created if missing (default: ./trace-out)",
    )
    parser.add_argument(
        "--format",
        type=str.lower,
        choices=("json", "binary"),
        default=DEFAULT_FORMAT,
        help=f"events file format: trace.bin or trace.json (default: {DEFAULT_FORMAT})",
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
        "--trace-filter",
        action="append",
        default=[],
        metavar="FILE",
        help="trace filter file (TOML); repeatable, or several joined with '::'; applied after the built-in "
        "secret redaction and the project's .codetracer/trace-filter.toml (CODETRACER_TRACE_FILTER comes first)",
    )
    parser.add_argument(
        "--activation-path",
        metavar="FILE",
        help="record nothing until code in this file runs (default: the script)",
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
    parser.add_argument(
        "--io-capture",
        choices=IO_CAPTURE_MODES,
        help="record stdout/stderr writes and stdin reads as events (default: proxies; off to disable); "
        "proxies+fd also records what reaches file descriptors 1 and 2 another way (os.write, C code, subprocesses)",
    )
    parser.add_argument(
        "--on-recorder-error",
        choices=("abort", "disable"),
        help="after an internal recorder error: abort exits 1 (default); disable keeps the script's exit status",
    )
    parser.add_argument("--require-trace", action="store_true", help="exit 1 when the trace recorded no step")
    parser.add_argument(
        "--keep-partial-trace",
        action="store_true",
        help="keep the trace when an internal recorder error cut it short (default: its files are removed); "
        "a trace cut by --max-trace-bytes or a full disk is always kept",
    )
    parser.add_argument(
        "--log-level",
        help="level of the recorder's own messages: off, error, warn (default), info, debug, trace; "
        "0.3.0's target=level lists are read too",
    )
    parser.add_argument("--log-file", help="write the recorder's own messages to this file instead of stderr")
    parser.add_argument(
        "--json-errors", action="store_true", help="also print each recorder error as one JSON object on stderr"
    )
    parser.add_argument(
        "--propagate-script-exit",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="exit with the script's exit status (default); --no-propagate-script-exit exits 0 after "
        "sys.exit(n), as 0.3.0 did (an uncaught exception still exits 1)",
    )
    parser.add_argument(
        "--module-name-from-globals",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="trace filters' pkg: selectors match the module's __name__ (default; __main__ for the script); "
        "--no-module-name-from-globals derives the name from the file's path under sys.path",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("script", help="the Python script to run")
    parser.add_argument("script_args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    return parser


class _Reporter:
    """Prints recorder errors on one line, and with ``--json-errors`` also as 0.3.0's JSON trailer."""

    def __init__(self, json_errors: bool) -> None:
        self.run_id = uuid.uuid4().hex
        # The flag counts even when the policy could not be applied (a bad `CODETRACER_*` value).
        self.json_errors = json_errors

    def error(self, err: BaseException) -> None:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        if self.json_errors or current_policy().json_errors:
            code, kind = _error_code(err)
            trailer = {
                "run_id": self.run_id,
                "trace_id": None,
                "error_code": code,
                "error_kind": kind,
                "message": str(err),
                "context": {key: str(value) for key, value in dict(getattr(err, "context", {})).items()},
            }
            print(json.dumps(trailer), file=sys.stderr)


def _error_code(err: BaseException) -> tuple[str, str]:
    """The ``ERR_*`` code and kind 0.3.0 gives this error."""
    if isinstance(err, RecorderError):
        return err.code, err.kind
    if isinstance(err, (ValueError, TypeError)):
        return "ERR_INVALID_POLICY_VALUE", "Usage"
    return "ERR_UNKNOWN", "Internal"


def _exit_status(code: object) -> int:
    """The process exit status ``SystemExit(code)`` stands for, as the interpreter computes it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _apply_policy(options: argparse.Namespace) -> None:
    configure_policy_from_env()
    overrides: dict[str, object] = {}
    for name in ("on_recorder_error", "log_level", "log_file", "io_capture", "propagate_script_exit",
                 "module_name_from_globals"):
        if getattr(options, name) is not None:
            overrides[name] = getattr(options, name)
    for name in ("require_trace", "keep_partial_trace", "json_errors"):
        if getattr(options, name):
            overrides[name] = True
    configure_policy(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["trace"]:
        from .summary import main as summary_main

        return summary_main(arguments[1:])
    options = _parser().parse_args(arguments)
    # 0.3.0 expanded `~` in its paths (the shell does not in `--trace-dir=~/x`).
    for name in ("script", "trace_dir", "activation_path", "log_file"):
        if getattr(options, name):
            setattr(options, name, os.path.expanduser(getattr(options, name)))
    # 0.3.0 also took a `--` between the script and its arguments.
    if options.script_args[:1] == ["--"]:
        del options.script_args[0]
    reporter = _Reporter(options.json_errors)
    try:
        _apply_policy(options)
    except (ValueError, TypeError, RecorderError) as err:
        reporter.error(err if isinstance(err, RecorderError) else PolicyError(str(err)))
        # A `CODETRACER_*` value the recording cannot start with: 1, as 0.3.0 exited then.
        return 1
    script = os.path.abspath(options.script)
    main_file = _main_file(script)
    if main_file is None:
        problem = f"{options.script} has no __main__.py to run" if os.path.exists(script) else f"not found: {options.script}"
        reporter.error(with_context(UsageError(f"script {problem}"), script=script))
        return 2
    if os.environ.get("CODETRACER_DISABLE", "").strip().lower() in ("1", "true", "yes", "on"):
        return _run_untraced(script, options.script_args)
    trace_dir = os.path.abspath(options.trace_dir)
    trace_filter = [spec for spec in (os.environ.get("CODETRACER_TRACE_FILTER"), *options.trace_filter) if spec]

    sys.argv = [options.script, *options.script_args]
    _put_script_folder_first(script)
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
            trace_filter=trace_filter,
            activation_path=options.activation_path or main_file,
        )
    except (RecorderError, ValueError) as err:
        # 0.3.0 exits 1 when the recording cannot start.
        reporter.error(err)
        return 1

    status, error = _run(script)
    policy = current_policy()
    try:
        summary = stop_tracing(status, error=error)
    except RecorderError as err:
        reporter.error(err)
        if policy.on_recorder_error == "abort":
            return status or 1
        return status if policy.propagate_script_exit or error is not None else 0
    if policy.require_trace and not summary["steps"]:
        reporter.error(
            with_context(
                TraceMissingError(
                    f"no trace recorded: no step of the program ran under the recorder (trace directory {trace_dir})"
                ),
                trace_dir=trace_dir,
            )
        )
        return 1
    # 0.3.0 mirrored only `sys.exit()`'s status when not propagating: an uncaught exception escaped it,
    # so the command failed (1) even then, and a CI job relying on that still sees the crash.
    if not policy.propagate_script_exit and status != 0 and error is None:
        print(
            f"{PROG}: the script exited with status {status}; exiting 0 because of --no-propagate-script-exit",
            file=sys.stderr,
        )
        return 0
    return status


def _main_file(script: str) -> str | None:
    """The file whose code runs: the script, or the ``__main__.py`` of a folder or zip archive, as
    ``python app/`` and ``python app.pyz`` run them (0.3.0 ran them too); ``None`` when there is none."""
    if os.path.isdir(script):
        candidate = os.path.join(script, "__main__.py")
        return candidate if os.path.isfile(candidate) else None
    if zipfile.is_zipfile(script):
        with zipfile.ZipFile(script) as archive:
            return os.path.join(script, "__main__.py") if "__main__.py" in archive.namelist() else None
    return script if os.path.isfile(script) else None


def _put_script_folder_first(script: str) -> None:
    """``sys.path`` as ``python script.py`` starts with the script's folder. The entry Python put first
    for the launcher is replaced: the console script's own folder, or the working directory that
    ``python -m codetracer_python_recorder`` added, which stays right after the script's folder because
    0.3.0 left it importable there (``-P``/``-I`` added nothing, so nothing is replaced)."""
    # A folder or zip archive is itself first, as for `python app/`.
    folder = script if os.path.isdir(script) or zipfile.is_zipfile(script) else os.path.dirname(script)
    if sys.flags.safe_path or not sys.path:
        sys.path.insert(0, folder)
        return
    launcher_entry = os.path.abspath(sys.path[0] or os.curdir)
    sys.path[0] = folder
    if launcher_entry == os.getcwd() and launcher_entry != folder:
        sys.path.insert(1, launcher_entry)


def _run(script: str) -> tuple[int, str | None]:
    """Runs the script as ``__main__``: its exit status, and the traceback of an uncaught exception."""
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_request:
        return _exit_status(exit_request.code), None
    except KeyboardInterrupt as interrupt:
        return 130, _report_uncaught(interrupt)
    except BaseException as error:
        return 1, _report_uncaught(error)
    return 0, None


# Frames of the launcher itself, above the script's ``<module>`` in every traceback.
_LAUNCHER_FILES = frozenset({__file__, runpy.__file__, "<frozen runpy>"})


def _report_uncaught(error: BaseException) -> str:
    """Reports an exception the script did not catch as Python would for ``python script.py``: through
    ``sys.excepthook`` (a program may install its own), with the traceback starting at the script.
    Returns the traceback text for the trace's metadata."""
    frames = error.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename in _LAUNCHER_FILES:
        frames = frames.tb_next
    error = error.with_traceback(frames)
    sys.excepthook(type(error), error, frames)
    return "".join(traceback.format_exception(type(error), error, frames))


def _run_untraced(script: str, script_args: list[str]) -> int:
    """``CODETRACER_DISABLE=1``: the script runs as it would without the recorder."""
    sys.argv = [script, *script_args]
    _put_script_folder_first(script)
    return _run(script)[0]


__all__ = ["main"]
