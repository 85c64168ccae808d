"""Whether a JSON trace's calls and returns pair up: 0.3.0's ``codetracer_python_recorder.trace_balance``,
kept so scripts written against it still run. ``trace summary`` reports the same counts for both formats.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class TraceBalanceError(RuntimeError):
    """The events file cannot be read, or an event is not a JSON object with one kind."""


@dataclass(frozen=True)
class TraceBalanceResult:
    """``first_negative_index``: the first event at which more returns than calls had been seen."""

    call_count: int
    return_count: int
    first_negative_index: int | None

    @property
    def is_balanced(self) -> bool:
        return self.call_count == self.return_count and self.first_negative_index is None

    @property
    def delta(self) -> int:
        """Calls still open at the end (negative: more returns than calls)."""
        return self.call_count - self.return_count


def load_trace_events(trace_path: str | Path) -> Sequence[Mapping[str, Any]]:
    """The events of a ``trace.json``: a JSON array of objects."""
    path = Path(trace_path)
    try:
        events = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TraceBalanceError(f"trace file not found: {path}") from None
    except OSError as error:
        raise TraceBalanceError(f"cannot read trace file {path}: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise TraceBalanceError(f"{path}: not valid JSON: {error}") from None
    if not isinstance(events, list):
        raise TraceBalanceError(f"{path}: expected a JSON array of events, found a {type(events).__name__}")
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise TraceBalanceError(f"{path}: event #{index} is a {type(event).__name__}, expected a JSON object")
    return events


def summarize_trace_balance(events: Iterable[Mapping[str, Any]]) -> TraceBalanceResult:
    calls = returns = 0
    first_negative_index = None
    for index, event in enumerate(events):
        if "Call" in event and "Return" in event:
            raise TraceBalanceError(f"event #{index} is both a Call and a Return")
        calls += "Call" in event
        returns += "Return" in event
        if returns > calls and first_negative_index is None:
            first_negative_index = index
    return TraceBalanceResult(calls, returns, first_negative_index)


__all__ = ["TraceBalanceError", "TraceBalanceResult", "load_trace_events", "summarize_trace_balance"]
