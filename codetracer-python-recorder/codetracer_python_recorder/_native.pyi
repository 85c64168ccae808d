"""Typed interface of the native module ``codetracer_python_recorder._native``."""

from collections.abc import Callable, Mapping
from typing import Any

__version__: str
DEFAULT_MAX_TRACE_BYTES: int
FD_CAPTURE_SUPPORTED: bool

class RecorderError(RuntimeError):
    """Base class of every error raised by the recorder."""

    code: str
    kind: str
    context: Mapping[str, str]

class UsageError(RecorderError):
    """The recorder was called or configured wrongly."""

class EnvironmentError(RecorderError):  # noqa: A001 - 0.3.0's public name
    """The machine stopped the recorder (files, tool ids)."""

class TargetError(RecorderError):
    """The recorded program did not give the recorder what it needed."""

class InternalError(RecorderError):
    """A failure inside the recorder itself."""

class AlreadyTracingError(UsageError):
    """A recording is already active in this interpreter."""

class ToolIdUnavailableError(EnvironmentError):
    """Every sys.monitoring tool id is taken by another tool."""

class TraceWriteError(EnvironmentError):
    """The trace files could not be created or written."""

class Glob:
    """A glob selector of a trace filter file, matched as 0.3.0 matched it (the globset crate)."""

    def __init__(self, pattern: str) -> None: ...
    def matches(self, text: str) -> bool: ...

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
def flush_io(stream: str) -> None: ...
def configure_log(level: str | None = None, file: str | None = None) -> None: ...
def summarize_trace(trace_dir: str) -> dict[str, Any]: ...
def is_tracing() -> bool: ...
def abandon_after_fork() -> None: ...
def pause_writer_before_fork() -> None: ...
def start_fd_capture(streams: list[tuple[str, int, int]]) -> None: ...
def expect_fd_output(stream: str, data: bytes) -> None: ...
def stop_fd_capture() -> None: ...
