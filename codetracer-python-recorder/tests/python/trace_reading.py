"""Reading traces back in tests: the JSON events file and the binary file's framing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# CodeTracer binary events files: 8-byte header ("C0DE72ACE2", version 1, two reserved zero bytes)
# followed by a zstd stream of CBOR-encoded events.
BINARY_HEADER = bytes([0xC0, 0xDE, 0x72, 0xAC, 0xE2, 0x01, 0x00, 0x00])
ZSTD_MAGIC = bytes([0x28, 0xB5, 0x2F, 0xFD])

KNOWN_EVENTS = {
    "Step", "Path", "VariableName", "Variable", "Type", "Value", "Function", "Call", "Return", "Event",
    "Asm", "BindVariable", "Assignment", "DropVariables", "CompoundValue", "CellValue",
    "AssignCompoundItem", "AssignCell", "VariableCell", "DropVariable", "ThreadStart", "ThreadExit",
    "ThreadSwitch", "DropLastStep",
}


def render(value: dict[str, Any], types: list[dict[str, Any]] | None = None) -> str:
    """A compact, Python-like rendering of a value record; structs as ``Type{field: value}`` given ``types``."""
    kind = value["kind"]
    if kind == "Struct":
        if types is None:
            return "{" + ", ".join(render(item) for item in value["field_values"]) + "}"
        record = types[value["type_id"]]
        names = [field["name"] for field in record["specific_info"]["fields"]]
        shown = ", ".join(f"{name}: {render(item, types)}" for name, item in zip(names, value["field_values"]))
        return f"{record['lang_type']}{{{shown}}}"
    if kind == "Int":
        return str(value["i"])
    if kind == "Float":
        return str(float(value["f"]))
    if kind == "Bool":
        return str(value["b"])
    if kind == "String":
        return repr(value["text"])
    if kind == "None":
        return "None"
    if kind == "Sequence":
        return "[" + ", ".join(render(item, types) for item in value["elements"]) + "]"
    if kind == "Tuple":
        return "(" + ", ".join(render(item, types) for item in value["elements"]) + ")"
    if kind == "Raw":
        return str(value["r"])
    if kind == "Error":
        return "error: " + value["msg"]
    if kind == "BigInt":
        return f"bigint({'-' if value['negative'] else ''}{value['b']})"
    return json.dumps(value)


@dataclass
class Trace:
    directory: Path
    events: list[dict[str, Any]]
    metadata: dict[str, Any]
    paths: list[str]
    names: list[str] = field(default_factory=list)
    functions: list[dict[str, Any]] = field(default_factory=list)
    types: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for event in self.events:
            ((kind, payload),) = event.items()
            if kind == "VariableName":
                self.names.append(payload)
            elif kind == "Function":
                self.functions.append(payload)
            elif kind == "Type":
                self.types.append(payload)

    def show(self, value: dict[str, Any]) -> str:
        return render(value, self.types)

    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for event in self.events:
            ((kind, _),) = event.items()
            counts[kind] = counts.get(kind, 0) + 1
        return counts

    def toplevel_return(self) -> str:
        """The value the trace's ``<toplevel>`` call returns (its last event)."""
        ((kind, payload),) = self.events[-1].items()
        assert kind == "Return", self.events[-1]
        return self.show(payload["return_value"])

    def of_kind(self, wanted: str) -> list[Any]:
        return [payload for event in self.events for kind, payload in event.items() if kind == wanted]

    def path_id(self, path: Path | str) -> int:
        return self.paths.index(str(path))

    def flow(self, path: Path | str) -> list[tuple[Any, ...]]:
        """Steps in ``path`` as ("step", line), calls as ("call", name, {arg: value}), returns as ("return", value).

        The ``<toplevel>`` call and its return are left out (see :meth:`toplevel_return`).
        """
        path_id = self.path_id(path)
        flow: list[tuple[Any, ...]] = []
        open_calls: dict[int, list[int]] = {}
        thread = 0
        for event in self.events:
            ((kind, payload),) = event.items()
            if kind in ("ThreadStart", "ThreadSwitch"):
                if thread == 0:
                    # The events before the first thread marker (`<toplevel>`) belong to the starting thread.
                    open_calls[payload] = open_calls.pop(0, [])
                thread = payload
            elif kind == "Step" and payload["path_id"] == path_id:
                flow.append(("step", payload["line"]))
            elif kind == "Call":
                open_calls.setdefault(thread, []).append(payload["function_id"])
                if payload["function_id"] != 0:
                    arguments = {self.names[arg["variable_id"]]: self.show(arg["value"]) for arg in payload["args"]}
                    flow.append(("call", self.functions[payload["function_id"]]["name"], arguments))
            elif kind == "Return":
                if open_calls.get(thread, [None]).pop() != 0:
                    flow.append(("return", self.show(payload["return_value"])))
        return flow

    def calls(self, path: Path | str) -> list[tuple[Any, ...]]:
        return [entry for entry in self.flow(path) if entry[0] != "step"]

    def steps(self, path: Path | str) -> list[int]:
        return [entry[1] for entry in self.flow(path) if entry[0] == "step"]


def check_well_formed(events: list[dict[str, Any]]) -> None:
    """Every id an event uses was introduced by an earlier event, and calls and returns balance per
    thread, ending with the ``<toplevel>`` call returned."""
    paths = functions = names = types = 0
    depth: dict[int, int] = {}
    thread = 0
    for event in events:
        assert isinstance(event, dict) and len(event) == 1, event
        ((kind, payload),) = event.items()
        assert kind in KNOWN_EVENTS, kind
        if kind == "Path":
            paths += 1
        elif kind == "Function":
            assert payload["path_id"] < paths
            functions += 1
        elif kind == "VariableName":
            names += 1
        elif kind == "Type":
            types += 1
        elif kind == "Step":
            assert payload["path_id"] < paths
        elif kind in ("ThreadStart", "ThreadSwitch"):
            if thread == 0:
                depth[payload] = depth.pop(0, 0)
            thread = payload
        elif kind == "ThreadExit":
            assert depth.get(payload, 0) == 0, f"thread {payload} exits with {depth[payload]} calls open"
        elif kind == "Call":
            assert payload["function_id"] < functions
            assert all(arg["variable_id"] < names for arg in payload["args"])
            depth[thread] = depth.get(thread, 0) + 1
        elif kind == "Return":
            depth[thread] = depth.get(thread, 0) - 1
            assert depth[thread] >= 0, "a return without its call"
        elif kind == "Value":
            assert payload["variable_id"] < names
            assert payload["value"].get("type_id", 0) < types
    open_calls = {thread: calls for thread, calls in depth.items() if calls}
    assert not open_calls, f"calls left open at the end of the trace: {open_calls}"


def load_trace(directory: Path) -> Trace:
    events = json.loads((directory / "trace.json").read_text(encoding="utf-8"))
    check_well_formed(events)
    metadata = json.loads((directory / "trace_metadata.json").read_text(encoding="utf-8"))
    paths = json.loads((directory / "trace_paths.json").read_text(encoding="utf-8"))
    return Trace(directory, events, metadata, paths)
