"""The recorder's exceptions: codetracer-python-recorder 0.3.0's hierarchy, with its ``ERR_*`` codes.

``RecorderError`` is the base of everything the recorder raises; ``UsageError`` (a wrong call, option,
policy value or filter file), ``EnvironmentError`` (files that cannot be written, tool ids taken),
``TargetError`` and ``InternalError`` (a failure inside the recorder) split it as 0.3.0 does. Every
instance has ``code`` (``"ERR_..."``), ``kind`` (``"Usage"``, ``"Environment"``, ``"Target"``,
``"Internal"``) and ``context`` (a mapping of details such as the file involved).

The classes raised from Python code here also keep the builtin class callers caught before
(``ValueError`` for a bad filter file or policy value, ``FileNotFoundError`` for a missing filter file).
"""

from __future__ import annotations

from typing import Any

from ._native import (
    AlreadyTracingError,
    EnvironmentError,  # noqa: A004 - 0.3.0's public name
    InternalError,
    RecorderError,
    TargetError,
    ToolIdUnavailableError,
    TraceWriteError,
    UsageError,
)


class FilterError(UsageError, ValueError):
    """A trace filter file that cannot be used; the message names the file, the field and the problem."""

    code = "ERR_INVALID_POLICY_VALUE"


class FilterFileNotFoundError(FilterError, FileNotFoundError):
    """A trace filter file named on the command line, in the environment or in the API does not exist."""


class PolicyError(UsageError, ValueError):
    """A policy value (``configure_policy``, a ``CODETRACER_*`` variable or a flag) that is not valid."""

    code = "ERR_INVALID_POLICY_VALUE"


class TraceDirectoryConflictError(UsageError, ValueError):
    """The trace directory exists and is not a directory."""

    code = "ERR_TRACE_DIR_CONFLICT"


class TraceDirectoryCreateError(EnvironmentError):
    """The trace directory does not exist and cannot be created (0.3.0's code; ``context`` has ``path``
    and ``io``, the operating system's reason)."""

    code = "ERR_TRACE_DIR_CREATE_FAILED"


class TraceMissingError(UsageError):
    """``require_trace`` is set and the recording recorded no step (0.3.0 reports it as a usage error)."""

    code = "ERR_TRACE_MISSING"


def with_context(error: RecorderError, **context: Any) -> RecorderError:
    """``error`` with ``context`` set to these details (as text, as 0.3.0 gives them)."""
    error.context = {key: str(value) for key, value in context.items()}
    return error


__all__ = [
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
    "TraceMissingError",
    "TraceWriteError",
    "UsageError",
    "with_context",
]
