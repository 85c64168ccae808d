"""Record Python programs into CodeTracer traces through ``sys.monitoring``."""

from ._native import (
    AlreadyTracingError,
    RecorderError,
    ToolIdUnavailableError,
    TraceWriteError,
    __version__,
)
from .api import TraceFormat, is_tracing, start_tracing, stop_tracing, trace

__all__ = [
    "AlreadyTracingError",
    "RecorderError",
    "ToolIdUnavailableError",
    "TraceFormat",
    "TraceWriteError",
    "__version__",
    "is_tracing",
    "start_tracing",
    "stop_tracing",
    "trace",
]
