"""The trace format names, and 0.3.0's helpers for them (its ``codetracer_python_recorder.formats`` module)."""

from __future__ import annotations

TRACE_BINARY = "binary"
TRACE_JSON = "json"
#: 0.3.0's default format, also the command line's and ``trace()``'s; ``start_tracing`` defaults to JSON.
DEFAULT_FORMAT = TRACE_BINARY
SUPPORTED_FORMATS = frozenset({TRACE_BINARY, TRACE_JSON})


def normalize_format(value: str | None) -> str:
    """The format name for ``value``: the default for ``None``, otherwise lower-cased (checked by the caller)."""
    return DEFAULT_FORMAT if value is None else value.lower()


def is_supported(value: str) -> bool:
    return value.lower() in SUPPORTED_FORMATS


__all__ = ["DEFAULT_FORMAT", "SUPPORTED_FORMATS", "TRACE_BINARY", "TRACE_JSON", "is_supported", "normalize_format"]
