"""Typed interface of the native module ``codetracer_python_recorder._native``."""

from collections.abc import Callable
from typing import Any

__version__: str
DEFAULT_MAX_TRACE_BYTES: int

class RecorderError(RuntimeError):
    """Base class of every error raised by the recorder."""

class AlreadyTracingError(RecorderError):
    """A recording is already active in this interpreter."""

class ToolIdUnavailableError(RecorderError):
    """Every sys.monitoring tool id is taken by another tool."""

class TraceWriteError(RecorderError):
    """The trace files could not be created or written."""

def start_tracing(
    trace_dir: str,
    format: str,
    program: str,
    args: list[str],
    exclude: list[str],
    include: list[str],
    library: list[str],
    third_party: list[str],
    *,
    call_repr: bool = False,
    max_trace_bytes: int = ...,
    activation_path: str | None = None,
    resolver: Callable[[str, str | None, str, dict[str, list[str]]], dict[str, Any] | None] | None = None,
    settings: str | None = None,
) -> None: ...
def stop_tracing(exit_status: int | None = None, error: str | None = None) -> dict[str, Any]: ...
def flush_tracing() -> None: ...
def record_io(stream: str, text: str) -> None: ...
def configure_log(level: str | None = None, file: str | None = None) -> None: ...
def summarize_trace(trace_dir: str) -> dict[str, Any]: ...
def is_tracing() -> bool: ...
def abandon_after_fork() -> None: ...
