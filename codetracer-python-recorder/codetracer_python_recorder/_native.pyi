"""Typed interface of the native module ``codetracer_python_recorder._native``."""

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
) -> None: ...
def stop_tracing(exit_status: int | None = None, error: str | None = None) -> None: ...
def flush_tracing() -> None: ...
def is_tracing() -> bool: ...
def abandon_after_fork() -> None: ...
