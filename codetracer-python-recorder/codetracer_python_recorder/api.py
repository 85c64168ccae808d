"""Starting and stopping a recording from Python code."""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Literal

from . import _native
from .coverage import default_coverage, default_exclude

TraceFormat = Literal["json", "binary"]

DEFAULT_MAX_TRACE_BYTES: int = _native.DEFAULT_MAX_TRACE_BYTES

__all__ = ["DEFAULT_MAX_TRACE_BYTES", "TraceFormat", "default_exclude", "is_tracing", "start_tracing", "stop_tracing", "trace"]

_process_hooks_registered = False


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

    Raises :class:`AlreadyTracingError` when a recording is active, :class:`TraceWriteError` when
    the trace files cannot be created, :class:`ToolIdUnavailableError` when every
    ``sys.monitoring`` tool id is taken, and :class:`ValueError` for an unknown ``format``.
    """
    global _process_hooks_registered
    if not _process_hooks_registered:
        # A program that ends without calling stop_tracing() (sys.exit, an uncaught exception in a
        # script started with the API) still gets complete trace files.
        atexit.register(_stop_at_exit)
        if hasattr(os, "register_at_fork"):
            # A forked child must not write into its parent's trace files.
            os.register_at_fork(after_in_child=_native.abandon_after_fork)
        _process_hooks_registered = True
    if max_trace_bytes is not None and max_trace_bytes < 0:
        raise ValueError(f"max_trace_bytes must be 0 (no limit) or a positive number of bytes, not {max_trace_bytes}")
    coverage = default_coverage()
    _native.start_tracing(
        os.fspath(path),
        format,
        program if program is not None else (sys.argv[0] if sys.argv and sys.argv[0] else "<python>"),
        list(args) if args is not None else list(sys.argv[1:]),
        [*coverage.recorder, *exclude],
        list(include),
        coverage.library,
        coverage.third_party,
        call_repr=call_repr,
        max_trace_bytes=DEFAULT_MAX_TRACE_BYTES if max_trace_bytes is None else max_trace_bytes,
    )


def stop_tracing(exit_status: int | None = None, *, error: str | None = None) -> None:
    """Stop the recording and complete its files; does nothing when no recording is active.

    The trace ends balanced: calls still running return, and the top level returns ``exit_status``
    (also stored in ``trace_metadata.json``). ``error`` describes an uncaught exception that ended
    the program; it is recorded as an error event. Raises :class:`RecorderError` if the recording
    was cut short by an internal error (the files are still completed).
    """
    _native.stop_tracing(exit_status, error)


def is_tracing() -> bool:
    """Whether a recording is active."""
    return _native.is_tracing()


@contextmanager
def trace(
    path: str | os.PathLike[str],
    format: TraceFormat = "json",
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
) -> Iterator[None]:
    """Record the body of a ``with`` block into the directory ``path``."""
    start_tracing(path, format, exclude=exclude, include=include)
    try:
        yield
    finally:
        stop_tracing()


def _stop_at_exit() -> None:
    if _native.is_tracing():
        _native.stop_tracing(None)
