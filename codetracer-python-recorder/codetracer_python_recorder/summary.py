"""``codetracer-python-recorder trace summary DIR``: what a recorded trace contains, without CodeTracer."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _native

PROG = "codetracer-python-recorder trace"


def summarize(trace_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Events by kind, steps per file, threads, IO events per stream, and the metadata's outcome (exit status,
    truncation, IO capture, filters); the events are read by the trace format's own reader."""
    directory = Path(trace_dir)
    counts = _native.summarize_trace(str(directory))
    metadata_path = directory / "trace_metadata.json"
    metadata: dict[str, Any] = {}
    if metadata_path.is_file():
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    events = counts["events_by_kind"]
    return {
        "trace_dir": str(directory.resolve()),
        "format": metadata.get("format", "binary" if (directory / "trace.bin").is_file() else "json"),
        "program": metadata.get("program"),
        "exit_status": metadata.get("exit_status"),
        "truncated": metadata.get("truncated", False),
        "io_capture": metadata.get("io_capture"),
        "filters": [entry.get("name") for entry in metadata.get("trace_filter", {}).get("filters", [])],
        "steps": events.get("Step", 0),
        "calls": events.get("Call", 0),
        "returns": events.get("Return", 0),
        "threads": counts["threads"],
        "events_by_kind": events,
        "io_events_by_stream": counts["io_events_by_stream"],
        "steps_by_file": counts["steps_by_file"],
    }


def render(summary: dict[str, Any]) -> str:
    truncated = summary["truncated"]
    io_events = sorted(summary["io_events_by_stream"].items())
    lines = [
        f"trace:       {summary['trace_dir']} ({summary['format']})",
        f"program:     {summary['program']} (exit status {summary['exit_status']})",
        f"truncated:   {truncated['reason'] if truncated else 'no'}",
        f"steps:       {summary['steps']}",
        f"calls:       {summary['calls']} ({summary['returns']} returns)",
        f"threads:     {summary['threads']}",
        f"io capture:  {summary['io_capture']}",
        f"io events:   {', '.join(f'{stream} {count}' for stream, count in io_events) or '-'}",
        f"filters:     {', '.join(name for name in summary['filters'] if name) or '-'}",
        "events by kind:",
        *(f"  {kind:<20} {count:>12}" for kind, count in sorted(summary["events_by_kind"].items())),
        "steps by file:",
        *(
            f"  {count:>12}  {path}"
            for path, count in sorted(summary["steps_by_file"].items(), key=lambda item: (-item[1], item[0]))
        ),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="Look inside a recorded trace.")
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="events by kind, steps, files, threads and truncation")
    summary.add_argument("trace_dir", help="a trace directory (trace.json or trace.bin + trace_metadata.json)")
    summary.add_argument("--json", action="store_true", help="print the summary as JSON")
    options = parser.parse_args(list(argv))
    try:
        result = summarize(options.trace_dir)
    except ValueError as err:
        parser.exit(2, f"{PROG}: error: {err}\n")
    try:
        print(json.dumps(result, indent=2) if options.json else render(result), flush=True)
    except BrokenPipeError:
        # `trace summary DIR | head`: the reader has all it wanted. Stdout goes to /dev/null so the
        # interpreter's own flush at exit does not report the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
