"""IO events as 0.3.0 records them: one event per line, an unfinished line at the next flush or step of its
thread (or the end), 0.3.0's JSON metadata, each event after the step that produced it; the program's own
output unchanged."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from released_recorder import RELEASED_PYTHON, requires_released
from trace_reading import load_trace

# `EventLogKind` in the trace format, with the stream 0.3.0 names in the metadata.
STREAMS = {0: "stdout", 2: "stderr", 3: "stdin"}
METADATA_KEYS = ["stream", "thread", "path_id", "line", "frame_id", "flags"]

PROGRAM = """\
import sys
print("hello", "world", sep="-", end="!\\n")
print("partial", end="")
x = 1
print(" done")
sys.stderr.write("err line\\nerr partial")
y = 2
sys.stderr.write(" more\\n")
name = input("name? ")
sys.stdout.write("a\\nb\\nc")
sys.stdout.writelines(["x\\n", "y"]); sys.stdout.flush()
print("tail", end="")
"""

# (line of the step before the event, stream, content, flags): what 0.3.0 records for PROGRAM too.
EXPECTED = [
    (2, "stdout", "hello-world!\n", ["newline"]),
    (3, "stdout", "partial", ["step_boundary"]),
    (5, "stdout", " done\n", ["newline"]),
    (6, "stderr", "err line\n", ["newline"]),
    (6, "stderr", "err partial", ["step_boundary"]),
    (8, "stderr", " more\n", ["newline"]),
    (9, "stdout", "name? ", ["flush"]),
    (9, "stdin", "Ada\n", ["input"]),
    (10, "stdout", "a\n", ["newline"]),
    (10, "stdout", "b\n", ["newline"]),
    (10, "stdout", "c", ["step_boundary"]),
    (11, "stdout", "x\n", ["newline"]),
    (11, "stdout", "y", ["flush"]),
    (12, "stdout", "tail", ["step_boundary"]),
]


def io_events(trace_dir: Path, script: Path) -> list[tuple[int, str, str, list[str], dict]]:
    """(line of the thread's last step in ``script`` before the event, stream, content, flags, metadata) per IO
    event; also checks that the metadata names that step and the thread whose events these are."""
    events = json.loads((trace_dir / "trace.json").read_text(encoding="utf-8"))
    paths = json.loads((trace_dir / "trace_paths.json").read_text(encoding="utf-8"))
    path_id = paths.index(str(script))
    lines: dict[int | None, int] = {}
    thread, found = None, []
    for event in events:
        ((kind, payload),) = event.items()
        if kind in ("ThreadStart", "ThreadSwitch"):
            thread = payload
        elif kind == "Step" and payload["path_id"] == path_id:
            lines[thread] = payload["line"]
        elif kind == "Event" and payload["kind"] in STREAMS:
            line = lines.get(thread, 0)
            metadata = json.loads(payload["metadata"])
            assert list(metadata) == METADATA_KEYS, payload
            assert metadata["stream"] == STREAMS[payload["kind"]]
            assert re.fullmatch(r"ThreadId\(\d+\)", metadata["thread"]), metadata
            if thread is not None:  # 0.3.0 writes no thread events
                assert metadata["thread"] == f"ThreadId({thread})", (metadata, thread)
            if "mirror" not in metadata["flags"]:
                assert (metadata["path_id"], metadata["line"]) == (path_id, line), (metadata, line)
                assert isinstance(metadata["frame_id"], int)
            found.append((line, metadata["stream"], payload["content"], metadata["flags"], metadata))
    return found


def test_one_event_per_line_with_0_3_0s_metadata_after_its_step(write_script, tmp_path):
    script = write_script(PROGRAM)
    untraced = subprocess.run([sys.executable, str(script)], input="Ada\n", capture_output=True, text=True, timeout=60)
    result = subprocess.run(
        [sys.executable, "-m", "codetracer_python_recorder", "--format", "json", "--trace-dir", "trace", str(script)],
        cwd=tmp_path, input="Ada\n", capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == (untraced.stdout, untraced.stderr)
    assert result.stdout == "hello-world!\npartial done\nname? a\nb\ncx\nytail"
    load_trace(tmp_path / "trace")  # well formed and balanced
    events = io_events(tmp_path / "trace", script)
    assert [event[:4] for event in events] == EXPECTED
    # Every event of the module's lines names the module's frame.
    assert len({event[4]["frame_id"] for event in events}) == 1


def test_a_partial_line_past_64_kib_is_written_without_waiting_for_its_end(write_script, tmp_path):
    script = write_script('import sys\nsys.stdout.write("x" * 70000); sys.stdout.write("y")\nz = 1\n')
    result = subprocess.run(
        [sys.executable, "-m", "codetracer_python_recorder", "--format", "json", "--trace-dir", "trace", str(script)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "x" * 70000 + "y"
    events = io_events(tmp_path / "trace", script)
    assert [(line, content, flags) for line, _, content, flags, _ in events] == [
        (2, "x" * 70000, ["time_split"]),
        (2, "y", ["step_boundary"]),
    ]


THREADS = """\
import sys, threading

def worker(n):
    for i in range(3):
        sys.stdout.write(f"w{n}-{i} "); sys.stdout.write("part\\n")
    sys.stdout.write(f"end{n}")

threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("main")
"""


def test_threads_writing_get_whole_lines_each_in_its_own_thread(write_script, tmp_path):
    script = write_script(THREADS)
    result = subprocess.run(
        [sys.executable, "-m", "codetracer_python_recorder", "--format", "json", "--trace-dir", "trace", str(script)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    trace = load_trace(tmp_path / "trace")
    # io_events checks that each event is in the context of the thread its metadata names.
    events = io_events(tmp_path / "trace", script)
    for n in range(3):
        mine = [event for event in events if re.match(rf"(w{n}-|end{n})", event[2])]
        assert [(content, flags) for _, _, content, flags, _ in mine] == [
            *[(f"w{n}-{i} part\n", ["newline"]) for i in range(3)],
            (f"end{n}", ["step_boundary"]),
        ]
        (thread,) = {metadata["thread"] for *_, metadata in mine}
        # The thread's unfinished line is written before its ThreadExit (Python may reuse its identifier
        # for a later thread, so the next ThreadExit of that identifier).
        end = next(i for i, event in enumerate(trace.events) if event.get("Event", {}).get("content") == f"end{n}")
        exit_event = {"ThreadExit": int(thread[len("ThreadId("):-1])}
        assert exit_event in trace.events[end:]
        assert all("Step" not in event for event in trace.events[end:trace.events.index(exit_event, end)])
    assert [content for _, _, content, _, _ in events if not re.match("w|end", content)] == ["main\n"]


@requires_released
def test_io_events_are_the_ones_0_3_0_records(write_script, tmp_path):
    script = write_script(PROGRAM)
    recorded = {}
    for name, python, arguments in (
        ("ours", sys.executable, []),
        ("released", RELEASED_PYTHON, ["-P"]),
    ):
        result = subprocess.run(
            [python, *arguments, "-m", "codetracer_python_recorder", "--format", "json", "--trace-dir", name, str(script)],
            cwd=tmp_path, input="Ada\n", capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr
        recorded[name] = (result.stdout, result.stderr, io_events(tmp_path / name, script))
    ours, released = recorded["ours"], recorded["released"]
    assert ours[:2] == released[:2]
    assert [event[:4] for event in ours[2]] == [event[:4] for event in released[2]] == EXPECTED
    for mine, theirs in zip(ours[2], released[2]):
        assert {key: type(value) for key, value in mine[4].items()} == {
            key: type(value) for key, value in theirs[4].items()
        }


def test_summary_counts_io_events_by_stream(run_cli, write_script, tmp_path):
    script = write_script(textwrap.dedent(PROGRAM))
    result = subprocess.run(
        [sys.executable, "-m", "codetracer_python_recorder", "--trace-dir", "trace", str(script)],
        cwd=tmp_path, input="Ada\n", capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = run_cli("trace", "summary", "--json", "trace")
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout)["io_events_by_stream"] == {"stdout": 10, "stderr": 3, "stdin": 1}
    assert "io events:   stderr 3, stdin 1, stdout 10\n" in run_cli("trace", "summary", "trace").stdout


def test_output_from_deep_unrecorded_code_names_the_recorded_frame_that_called_it(write_script, tmp_path):
    # The write happens 20 frames below the program's frame, all in a file that is not recorded.
    write_script("def down(n):\n    if n:\n        return down(n - 1)\n    print('deep')\n", name="helper.py")
    script = write_script("import helper\n\ndef caller():\n    helper.down(20)\n\ncaller()\n")
    result = subprocess.run(
        [sys.executable, "-m", "codetracer_python_recorder", "--format", "json", "--exclude", "*helper.py",
         "--trace-dir", "trace", str(script)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    ((line, stream, content, flags, _),) = io_events(tmp_path / "trace", script)
    assert (line, stream, content, flags) == (4, "stdout", "deep\n", ["newline"])
