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


def render(value: dict[str, Any]) -> str:
    """A compact, Python-like rendering of a value record."""
    kind = value["kind"]
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
        return "[" + ", ".join(render(item) for item in value["elements"]) + "]"
    if kind == "Tuple":
        return "(" + ", ".join(render(item) for item in value["elements"]) + ")"
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

    def __post_init__(self) -> None:
        for event in self.events:
            ((kind, payload),) = event.items()
            if kind == "VariableName":
                self.names.append(payload)
            elif kind == "Function":
                self.functions.append(payload)

    def path_id(self, path: Path | str) -> int:
        return self.paths.index(str(path))

    def flow(self, path: Path | str) -> list[tuple[Any, ...]]:
        """Steps in ``path`` as ("step", line), calls as ("call", name, {arg: value}), returns as ("return", value)."""
        path_id = self.path_id(path)
        flow: list[tuple[Any, ...]] = []
        for event in self.events:
            ((kind, payload),) = event.items()
            if kind == "Step" and payload["path_id"] == path_id:
                flow.append(("step", payload["line"]))
            elif kind == "Call" and payload["function_id"] != 0:
                arguments = {self.names[arg["variable_id"]]: render(arg["value"]) for arg in payload["args"]}
                flow.append(("call", self.functions[payload["function_id"]]["name"], arguments))
            elif kind == "Return":
                flow.append(("return", render(payload["return_value"])))
        return flow

    def calls(self, path: Path | str) -> list[tuple[Any, ...]]:
        return [entry for entry in self.flow(path) if entry[0] != "step"]

    def steps(self, path: Path | str) -> list[int]:
        return [entry[1] for entry in self.flow(path) if entry[0] == "step"]


def check_well_formed(events: list[dict[str, Any]]) -> None:
    """Every id an event uses was introduced by an earlier event, and calls and returns balance."""
    paths = functions = names = types = 0
    depth = 0
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
        elif kind == "Call":
            assert payload["function_id"] < functions
            assert all(arg["variable_id"] < names for arg in payload["args"])
            depth += 1
        elif kind == "Return":
            depth -= 1
            assert depth >= 0, "a return without its call"
        elif kind == "Value":
            assert payload["variable_id"] < names
            assert payload["value"].get("type_id", 0) < types


def load_trace(directory: Path) -> Trace:
    events = json.loads((directory / "trace.json").read_text(encoding="utf-8"))
    check_well_formed(events)
    metadata = json.loads((directory / "trace_metadata.json").read_text(encoding="utf-8"))
    paths = json.loads((directory / "trace_paths.json").read_text(encoding="utf-8"))
    return Trace(directory, events, metadata, paths)
