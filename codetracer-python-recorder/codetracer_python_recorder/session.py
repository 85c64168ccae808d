"""The API of codetracer-python-recorder 0.3.0 (``start``, ``stop``, ``flush``, ``TraceSession``), so
code written for it runs unchanged. It maps onto :func:`start_tracing` / :func:`stop_tracing`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import _native
# is_tracing and trace are re-exported: 0.3.0's session module had them.
from .api import TraceFilterSpec, is_tracing, start_tracing, stop_tracing, trace
from .errors import TraceMissingError, with_context
from .formats import DEFAULT_FORMAT, SUPPORTED_FORMATS, TRACE_BINARY, TRACE_JSON, is_supported, normalize_format
from .policy import configure_policy, configure_policy_from_env, current_policy

_active_session: TraceSession | None = None


class TraceSession:
    """The active recording: its directory and format; stop it with :meth:`stop` or a ``with`` block."""

    def __init__(self, path: Path, format: str) -> None:
        self.path = path
        self.format = format

    def stop(self, *, exit_code: int | None = None) -> None:
        if _active_session is self:
            stop(exit_code=exit_code)

    def flush(self) -> None:
        flush()

    def __enter__(self) -> TraceSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"TraceSession(path={str(self.path)!r}, format={self.format!r})"


def _trace_format(value: str | None) -> str:
    normalized = normalize_format(value or None)
    if not is_supported(normalized):
        raise ValueError(f"unsupported trace format {value!r}; expected one of {', '.join(sorted(SUPPORTED_FORMATS))}")
    return normalized


def start(
    path: str | os.PathLike[str],
    *,
    format: str = DEFAULT_FORMAT,
    start_on_enter: str | os.PathLike[str] | None = None,
    trace_filter: TraceFilterSpec | None = None,
    policy: Mapping[str, Any] | None = None,
    apply_env_policy: bool = True,
    **options: Any,
) -> TraceSession:
    """Start recording into ``path`` (0.3.0's signature); ``options`` are :func:`start_tracing`'s."""
    global _active_session
    trace_path = Path(path).expanduser()
    normalized = _trace_format(format)
    if apply_env_policy:
        configure_policy_from_env()
    if policy:
        # 0.3.0 passed these two through str() here, so an enum member or a number still named a value.
        configure_policy(
            **{
                name: str(value) if name in ("on_recorder_error", "log_level") and value is not None else value
                for name, value in policy.items()
            }
        )
    start_tracing(
        trace_path,
        normalized,  # type: ignore[arg-type]
        trace_filter=trace_filter,
        activation_path=start_on_enter,
        **options,
    )
    _active_session = TraceSession(trace_path, normalized)
    return _active_session


def stop(*, exit_code: int | None = None) -> None:
    """Stop the active recording, if any; ``exit_code`` is what ``<toplevel>`` returns.

    With the policy's ``require_trace``, a recording that recorded no step raises
    :class:`TraceMissingError` (a ``UsageError``, code ``ERR_TRACE_MISSING``), as in 0.3.0."""
    global _active_session
    session, _active_session = _active_session, None
    was_tracing = _native.is_tracing()
    summary = stop_tracing(exit_code)
    if was_tracing and current_policy().require_trace and not summary["steps"]:
        where = session.path if session is not None else "the trace directory"
        raise with_context(
            TraceMissingError(f"no trace recorded: no step of the program ran under the recorder ({where})"),
            trace_dir=where,
        )


def flush() -> None:
    """Write the events recorded so far to disk."""
    if _native.is_tracing():
        _native.flush_tracing()


def active_session() -> TraceSession | None:
    return _active_session


__all__ = [
    "DEFAULT_FORMAT",
    "SUPPORTED_FORMATS",
    "TRACE_BINARY",
    "TRACE_JSON",
    "TraceSession",
    "active_session",
    "current_policy",
    "flush",
    "is_tracing",
    "start",
    "stop",
    "trace",
]
