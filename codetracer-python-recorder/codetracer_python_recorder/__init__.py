"""Record Python programs into CodeTracer traces through ``sys.monitoring``.

``start_tracing`` / ``stop_tracing`` / ``trace`` are this recorder's API; ``start`` / ``stop`` /
``flush`` / ``TraceSession`` and the policy functions are codetracer-python-recorder 0.3.0's, kept so
code written for it runs unchanged, and so are its exceptions (``RecorderError`` with ``UsageError``,
``EnvironmentError``, ``TargetError``, ``InternalError``, each with ``code``/``kind``/``context``). Importing the package applies the ``CODETRACER_*`` policy
variables and starts a recording when ``CODETRACER_TRACE`` is set.
"""

from ._native import __version__
from .api import DEFAULT_MAX_TRACE_BYTES, TraceFormat, is_tracing, start_tracing, stop_tracing, trace
from .auto_start import _launched_by_our_command, auto_start_from_env
from .errors import (
    AlreadyTracingError,
    EnvironmentError,  # noqa: A004 - 0.3.0's public name
    FilterError,
    FilterFileNotFoundError,
    InternalError,
    PolicyError,
    RecorderError,
    TargetError,
    ToolIdUnavailableError,
    TraceDirectoryConflictError,
    TraceDirectoryCreateError,
    TraceMissingError,
    TraceWriteError,
    UsageError,
)
from .policy import configure_policy, configure_policy_from_env, policy_snapshot
from .session import DEFAULT_FORMAT, TRACE_BINARY, TRACE_JSON, TraceSession, flush, start, stop

__all__ = [
    "DEFAULT_FORMAT",
    "DEFAULT_MAX_TRACE_BYTES",
    "TRACE_BINARY",
    "TRACE_JSON",
    "AlreadyTracingError",
    "EnvironmentError",
    "FilterError",
    "FilterFileNotFoundError",
    "InternalError",
    "PolicyError",
    "RecorderError",
    "TargetError",
    "ToolIdUnavailableError",
    "TraceDirectoryConflictError",
    "TraceDirectoryCreateError",
    "TraceFormat",
    "TraceMissingError",
    "TraceSession",
    "TraceWriteError",
    "UsageError",
    "__version__",
    "configure_policy",
    "configure_policy_from_env",
    "flush",
    "is_tracing",
    "policy_snapshot",
    "start",
    "start_tracing",
    "stop",
    "stop_tracing",
    "trace",
]

# The command applies the variables itself, after its options, and reports a bad value on one line.
if not _launched_by_our_command():
    configure_policy_from_env()
auto_start_from_env()
