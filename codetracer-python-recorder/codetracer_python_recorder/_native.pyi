"""Typed interface of the native module ``codetracer_python_recorder._native``."""

__version__: str

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
) -> None: ...
def stop_tracing(exit_status: int | None = None) -> None: ...
def is_tracing() -> bool: ...
def abandon_after_fork() -> None: ...
