"""Starting and stopping a recording from Python code."""

from __future__ import annotations

import atexit
import os
import sys
import sysconfig
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Literal

from . import _native

TraceFormat = Literal["json", "binary"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_process_hooks_registered = False


def default_exclude() -> list[str]:
    """Glob patterns of code skipped unless ``include`` names it.

    The standard library, frozen modules, the recorder itself, and code compiled from a string
    (``<string>``): the standard library generates such code, for example namedtuple constructors.
    """
    directories: set[str] = {_PACKAGE_DIR, os.path.realpath(_PACKAGE_DIR)}
    for key in ("stdlib", "platstdlib"):
        directory = sysconfig.get_path(key)
        if directory:
            directories.update({directory, os.path.realpath(directory)})
    return [os.path.join(directory, "*") for directory in sorted(directories)] + ["<frozen *>", "<string>"]


def start_tracing(
    path: str | os.PathLike[str],
    format: TraceFormat = "json",
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    program: str | None = None,
    args: Sequence[str] | None = None,
) -> None:
    """Start recording this interpreter into the directory ``path``.

    ``exclude`` adds glob patterns (``*``, ``?``) over code file names to the defaults
    (:func:`default_exclude`); ``include`` patterns win over both. ``program`` and ``args`` go into
    ``trace_metadata.json`` and default to ``sys.argv``.

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
    _native.start_tracing(
        os.fspath(path),
        format,
        program if program is not None else (sys.argv[0] if sys.argv and sys.argv[0] else "<python>"),
        list(args) if args is not None else list(sys.argv[1:]),
        [*default_exclude(), *exclude],
        list(include),
    )


def stop_tracing(exit_status: int | None = None) -> None:
    """Stop the recording and complete its files; does nothing when no recording is active.

    ``exit_status`` is stored in ``trace_metadata.json``. Raises :class:`RecorderError` if the
    recording was cut short by an internal error (the files are still completed).
    """
    _native.stop_tracing(exit_status)


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
