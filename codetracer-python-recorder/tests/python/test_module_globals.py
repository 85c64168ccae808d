"""A function's module globals (read from memory while a dict watcher saw no change) across a
recording stopped and started again inside the function, and in a forked child that records."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from trace_reading import load_trace


def seen_and_limit(trace_dir: Path, script: Path) -> list[tuple[str, str]]:
    """``(seen, limit)`` at each step of the lines of ``script`` marked ``# check``."""
    lines = {number for number, line in enumerate(script.read_text().splitlines(), 1) if line.endswith("# check")}
    trace = load_trace(trace_dir)
    pairs: list[tuple[str, str]] = []
    values: dict[str, str] | None = None
    for event in [*trace.events, {"Step": {"line": 0, "path_id": -1}}]:
        ((kind, payload),) = event.items()
        if kind == "Step":
            if values is not None:
                pairs.append((values.get("seen", "<missing>"), values.get("limit", "<missing>")))
            on_check_line = payload["path_id"] >= 0 and trace.paths[payload["path_id"]] == str(script)
            values = {} if on_check_line and payload["line"] in lines else None
        elif kind == "Value" and values is not None:
            values[trace.names[payload["variable_id"]]] = trace.show(payload["value"])
    return pairs


def run(script: Path, *arguments: str) -> None:
    command = [sys.executable, str(script), *arguments]
    result = subprocess.run(command, cwd=script.parent, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_global_rebound_while_the_recording_is_stopped_inside_the_function_shows_after_it_starts_again(
    write_script, tmp_path
):
    script = write_script(
        """\
        import sys
        from codetracer_python_recorder import start_tracing, stop_tracing
        limit = [1]
        def work(next_trace):
            global limit
            seen = limit
            stop_tracing()
            limit = [limit[0] + 1]
            start_tracing(next_trace)
            seen = limit
            return seen  # check
        start_tracing(sys.argv[1])
        work(sys.argv[2])
        work(sys.argv[3])
        stop_tracing()
        """
    )
    run(script, "first", "second", "third")
    assert seen_and_limit(tmp_path / "second", script) == [("[2]", "[2]")]
    assert seen_and_limit(tmp_path / "third", script) == [("[3]", "[3]")]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_that_records_sees_the_globals_it_changes(write_script, tmp_path):
    script = write_script(
        """\
        import os, sys
        from codetracer_python_recorder import start_tracing, stop_tracing
        limit = [1]
        def work():
            seen = limit
            return seen  # check
        start_tracing(sys.argv[1])
        work()
        pid = os.fork()
        if pid == 0:
            limit = [2]
            start_tracing(sys.argv[2])
            work()
            limit = [3]
            work()
            stop_tracing()
            os._exit(0)
        os.waitpid(pid, 0)
        limit = [4]
        work()
        stop_tracing()
        """
    )
    run(script, "parent", "child")
    assert seen_and_limit(tmp_path / "parent", script) == [("[1]", "[1]"), ("[4]", "[4]")]
    assert seen_and_limit(tmp_path / "child", script) == [("[2]", "[2]"), ("[3]", "[3]")]
