"""Starting and stopping a recording from Python code."""

from __future__ import annotations

import atexit
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from . import _native
from . import io_capture as io_capture_module
from .coverage import default_coverage, default_exclude
from .errors import InternalError, TraceDirectoryConflictError, TraceDirectoryCreateError, with_context
from .filters import FilterChain, find_project_filter, split_filter_spec
from .policy import current_policy

TraceFilterSpec = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]

TraceFormat = Literal["json", "binary"]

DEFAULT_MAX_TRACE_BYTES: int = _native.DEFAULT_MAX_TRACE_BYTES

__all__ = ["DEFAULT_MAX_TRACE_BYTES", "TraceFormat", "default_exclude", "is_tracing", "start_tracing", "stop_tracing", "trace"]

#: 0.3.0's ``codetracer_python_recorder.api`` also offered these; they live in ``session``, which imports
#: this module, so they are looked up when first asked for (PEP 562) rather than imported here.
_SESSION_NAMES = ("DEFAULT_FORMAT", "TRACE_BINARY", "TRACE_JSON", "TraceSession", "flush", "start", "stop")


def __getattr__(name: str) -> Any:
    if name in _SESSION_NAMES:
        from . import session

        return getattr(session, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SESSION_NAMES])

_process_hooks_registered = False
#: The directory of the active recording, for removing a partial trace (``keep_partial_trace``).
_recording_dir: str | None = None
#: The files a recording writes into its directory.
TRACE_FILES = ("trace.json", "trace.bin", "trace_paths.json", "trace_metadata.json")


def _create_trace_directory(trace_dir: str) -> None:
    """Made here rather than by the writer, so a folder that cannot be made is 0.3.0's error, with its code."""
    try:
        os.makedirs(trace_dir, exist_ok=True)
    except OSError as error:
        raise with_context(
            TraceDirectoryCreateError(f"failed to create trace directory {trace_dir!r}: {error.strerror or error}"),
            path=trace_dir,
            io=error.strerror or error,
        ) from None


def start_tracing(
    path: str | os.PathLike[str],
    format: TraceFormat = "json",
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    program: str | None = None,
    args: Sequence[str] | None = None,
    call_repr: bool = False,
    max_trace_bytes: int | None = None,
    trace_filter: TraceFilterSpec | None = None,
    activation_path: str | os.PathLike[str] | None = None,
    io_capture: str | None = None,
) -> None:
    """Start recording this interpreter into the directory ``path``.

    By default the program and its installed packages (``site-packages``) are recorded, the standard
    library and the recorder itself are not. ``exclude`` adds glob patterns (``*``, ``?``) over code
    file names to skip; ``include`` patterns win over everything. ``program`` and ``args`` go into
    ``trace_metadata.json`` and default to ``sys.argv``.

    Objects of classes are recorded as their fields without running the program's code;
    ``call_repr=True`` records them by their ``repr()`` instead. The events file stops at
    ``max_trace_bytes`` (default :data:`DEFAULT_MAX_TRACE_BYTES`, 0 for no limit): the recording then
    ends and the trace is marked truncated in ``trace_metadata.json``.

    ``trace_filter``: filter files (a path, ``a.toml::b.toml``, or a list) applied after the built-in
    filter that redacts secrets and after the project's ``.codetracer/trace-filter.toml`` (looked up
    from the program's folder, or the working directory). ``activation_path``: record nothing until
    code in that file runs. ``io_capture``: ``"proxies"`` (the policy's default) records what the
    program writes to ``sys.stdout``/``sys.stderr`` and reads from ``sys.stdin`` as events; ``"off"``
    does not.

    Raises :class:`AlreadyTracingError` when a recording is active, :class:`TraceDirectoryConflictError`
    when ``path`` is a file, :class:`TraceDirectoryCreateError` when ``path`` cannot be created,
    :class:`TraceWriteError` when the trace files cannot be created, :class:`ToolIdUnavailableError`
    when every ``sys.monitoring`` tool id is taken, :class:`FilterError` for a filter file that cannot
    be used, and :class:`ValueError` for an unknown ``format``.
    """
    global _process_hooks_registered, _recording_dir
    if not _process_hooks_registered:
        # A program that ends without calling stop_tracing() (sys.exit, an uncaught exception in a
        # script started with the API) still gets complete trace files.
        atexit.register(_stop_at_exit)
        if hasattr(os, "register_at_fork"):
            # A forked child must not write into its parent's trace files. The trace writer's thread
            # stops before a fork (and starts again with the next events), so a program that forks
            # does so from its own threads only, as without the recorder.
            os.register_at_fork(before=_native.pause_writer_before_fork, after_in_child=_native.abandon_after_fork)
        _process_hooks_registered = True
    trace_dir = os.path.abspath(os.path.expanduser(os.fspath(path)))
    if os.path.exists(trace_dir) and not os.path.isdir(trace_dir):
        raise with_context(
            TraceDirectoryConflictError(f"trace path {trace_dir!r} exists and is not a directory"), path=trace_dir
        )
    if max_trace_bytes is not None and max_trace_bytes < 0:
        raise ValueError(f"max_trace_bytes must be 0 (no limit) or a positive number of bytes, not {max_trace_bytes}")
    if io_capture is None:
        io_capture = current_policy().io_capture
    if io_capture not in io_capture_module.IO_CAPTURE_MODES:
        raise ValueError(f"io_capture must be one of {', '.join(io_capture_module.IO_CAPTURE_MODES)}, not {io_capture!r}")
    program = program if program is not None else (sys.argv[0] if sys.argv and sys.argv[0] else "<python>")
    project_filter = find_project_filter(os.path.dirname(os.path.abspath(program)) if os.path.isfile(program) else os.getcwd())
    filter_paths = ([project_filter] if project_filter else []) + split_filter_spec(trace_filter)
    filters = FilterChain.load(filter_paths, module_name_from_globals=current_policy().module_name_from_globals)
    coverage = default_coverage()
    settings = {
        "trace_filter": filters.summary(),
        "io_capture": io_capture,
        "call_repr": call_repr,
        "activation_path": os.path.abspath(os.path.expanduser(activation_path)) if activation_path is not None else None,
    }
    if not _native.is_tracing():  # a second recording is refused below without making its folder
        _create_trace_directory(trace_dir)
    _native.start_tracing(
        trace_dir,
        format,
        program,
        list(args) if args is not None else list(sys.argv[1:]),
        [*coverage.recorder, *coverage.environment, *exclude],
        list(include),
        coverage.library,
        coverage.third_party,
        call_repr=call_repr,
        max_trace_bytes=DEFAULT_MAX_TRACE_BYTES if max_trace_bytes is None else max_trace_bytes,
        activation_path=settings["activation_path"],
        resolver=filters.resolve,
        settings=json.dumps(settings),
    )
    _recording_dir = trace_dir
    io_capture_module.install(io_capture)


def stop_tracing(exit_status: int | None = None, *, error: str | None = None) -> dict[str, object]:
    """Stop the recording and complete its files; does nothing when no recording is active.

    The trace ends balanced: calls still running return, and the top level returns ``exit_status``
    (also stored in ``trace_metadata.json``). ``error`` describes an uncaught exception that ended
    the program; it is recorded as an error event. Raises :class:`RecorderError` if the recording
    was cut short by an internal error: an :class:`InternalError` (code ``ERR_TRACE_INCOMPLETE``); the
    partial trace's files are then removed unless the policy's ``keep_partial_trace`` is set, as in
    0.3.0. Returns ``{"steps": n, "truncated": reason or None}`` (``steps`` 0 when no recording was
    active).
    """
    global _recording_dir
    io_capture_module.uninstall()
    trace_dir, _recording_dir = _recording_dir, None
    try:
        return _native.stop_tracing(exit_status, error)
    except InternalError as failure:
        if trace_dir is None:
            raise
        raise _partial_trace(failure, trace_dir) from None


def _partial_trace(failure: InternalError, trace_dir: str) -> InternalError:
    """Keeps (``keep_partial_trace``) or removes the files of a recording an internal error cut short."""
    keep = current_policy().keep_partial_trace
    if keep:
        outcome = f"the partial trace is kept in {trace_dir}"
    else:
        for name in TRACE_FILES:
            try:
                os.remove(os.path.join(trace_dir, name))
            except FileNotFoundError:
                pass
        outcome = f"the partial trace in {trace_dir} was removed (keep it with --keep-partial-trace)"
    error = InternalError(f"{failure}; {outcome}")
    error.code = failure.code
    return with_context(error, trace_dir=trace_dir, partial_trace="kept" if keep else "removed")


def is_tracing() -> bool:
    """Whether a recording is active."""
    return _native.is_tracing()


@contextmanager
def trace(
    path: str | os.PathLike[str],
    format: TraceFormat = "binary",
    *,
    trace_filter: TraceFilterSpec | None = None,
    policy: Mapping[str, Any] | None = None,
    apply_env_policy: bool = True,
    **options: Any,
) -> Iterator[Any]:
    """Record the body of a ``with`` block into the directory ``path`` (binary by default, as in 0.3.0);
    yields the :class:`~codetracer_python_recorder.TraceSession`. ``options`` are :func:`start_tracing`'s;
    ``trace_filter``, ``policy`` and ``apply_env_policy`` are 0.3.0's (see :func:`start`).
    """
    from .session import start

    session = start(
        path, format=format, trace_filter=trace_filter, policy=policy, apply_env_policy=apply_env_policy, **options
    )
    try:
        yield session
    finally:
        session.stop()


def _stop_at_exit() -> None:
    if _native.is_tracing():
        stop_tracing(None)
