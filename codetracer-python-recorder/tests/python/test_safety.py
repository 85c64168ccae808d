"""Regression tests of what the recorder records by default and how it behaves under pressure: installed
packages, dicts changed by other threads, balanced traces, objects read without running their code, the
size limit and a full disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import sysconfig
from fnmatch import fnmatchcase as fnmatch
from pathlib import Path

import pluggy
import pytest
from trace_reading import BINARY_HEADER, load_trace

from codetracer_python_recorder.coverage import default_coverage


# `EventLogKind::Error` in the trace format.
ERROR_EVENT = 11


def run_recorded(run_cli, write_script, source: str, *options: str):
    script = write_script(source)
    result = run_cli(*options, "--trace-dir", "trace", str(script))
    return script, result


def test_installed_packages_are_recorded_but_not_the_standard_library_or_the_recorder(run_cli, write_script):
    # pluggy is a real package in this virtual environment's site-packages (pytest depends on it).
    script, result = run_recorded(
        run_cli,
        write_script,
        """\
        import json
        import pluggy

        marker = pluggy.HookspecMarker("demo")
        text = json.dumps({"a": [1, 2]})
        """,
    )
    assert result.returncode == 0, result.stderr
    trace = load_trace(script.parent / "trace")
    pluggy_dir = os.path.dirname(pluggy.__file__)
    assert any(path.startswith(pluggy_dir) for path in trace.paths), trace.paths
    stdlib = sysconfig.get_path("stdlib")
    assert not [path for path in trace.paths if path.startswith(stdlib) and "site-packages" not in path]
    assert not [path for path in trace.paths if "codetracer_python_recorder" in path]
    names = [function["name"] for function in trace.functions]
    assert "HookspecMarker.__init__" in names


def test_the_default_coverage_patterns_match_this_interpreter():
    coverage = default_coverage()
    assert any(fnmatch(pluggy.__file__, pattern) for pattern in coverage.third_party), coverage.third_party
    assert any(fnmatch(json.__file__, pattern) for pattern in coverage.library), coverage.library
    assert not any(fnmatch(json.__file__, pattern) for pattern in coverage.third_party)


@pytest.mark.parametrize("options", [(), ("--call-repr",)], ids=["fields", "call-repr"])
def test_a_dict_changed_by_another_thread_during_capture_is_recorded_without_failing(
    run_cli, write_script, options
):
    # `Slow.__repr__` sleeps (with --call-repr), releasing the GIL in the middle of capturing `shared`,
    # while the other thread keeps adding and removing keys.
    script, result = run_recorded(
        run_cli,
        write_script,
        """\
        import threading
        import time

        class Slow:
            def __repr__(self):
                time.sleep(0.0001)
                return "Slow()"

        shared = {index: Slow() for index in range(8)}
        running = True

        def mutate():
            counter = 0
            while running:
                counter += 1
                shared[100 + counter % 50] = counter
                if counter % 3 == 0:
                    shared.pop(100 + (counter // 3) % 50, None)
                time.sleep(0)

        def observe(seen):
            total = 0
            for step in range(300):
                total += len(seen)
            return total

        worker = threading.Thread(target=mutate)
        worker.start()
        observe(shared)
        running = False
        worker.join()
        print("done")
        """,
        *options,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "done\n"
    assert "panic" not in result.stderr
    assert "recording disabled" not in result.stderr
    observed = [entry for entry in load_trace(script.parent / "trace").calls(script) if entry[:2] == ("call", "observe")]
    assert len(observed) == 1


def test_the_trace_ends_balanced_with_the_exit_status_and_an_error_event(run_cli, write_script):
    script, result = run_recorded(
        run_cli,
        write_script,
        """\
        def inner():
            raise ValueError("boom")

        def outer():
            inner()

        outer()
        """,
    )
    assert result.returncode == 1
    trace = load_trace(script.parent / "trace")  # checks that every call returned
    assert trace.kinds()["Call"] == trace.kinds()["Return"]
    errors = [event for event in trace.of_kind("Event") if event["kind"] == ERROR_EVENT]
    assert len(errors) == 1 and "ValueError: boom" in errors[0]["content"], trace.of_kind("Event")
    assert trace.toplevel_return() == "1"


def test_a_recording_stopped_inside_nested_calls_closes_them(tmp_path):
    import codetracer_python_recorder as recorder

    def deepest():
        recorder.stop_tracing(7)
        return 1

    def middle():
        return deepest()

    recorder.start_tracing(tmp_path / "trace")
    middle()
    trace = load_trace(tmp_path / "trace")
    returns = [trace.show(event["return_value"]) for event in trace.of_kind("Return")]
    assert returns == ["error: still running when the recording stopped"] * 2 + ["7"]


def test_objects_are_their_fields_and_their_code_does_not_run(run_cli, write_script):
    script, result = run_recorded(
        run_cli,
        write_script,
        """\
        calls = []

        class Noisy:
            def __init__(self):
                self.size = 3
                self.label = "n"

            def __repr__(self):
                calls.append("repr")
                print("repr ran")
                return "Noisy()"

            def __getattr__(self, name):
                calls.append(name)
                raise AttributeError(name)

            @property
            def expensive(self):
                calls.append("property")
                return 1

        class Point:
            __slots__ = ("x", "y", "__secret")

            def __init__(self, x, y):
                self.x = x
                self.y = y

        def show(value, point):
            return len(calls)

        show(Noisy(), Point(1, 2))
        print(calls)
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"
    trace = load_trace(script.parent / "trace")
    (shown,) = [entry[2] for entry in trace.calls(script) if entry[:2] == ("call", "show")]
    # A struct type has one field list, so a class's later layouts carry their field names:
    # `__main__.Noisy (size, label)` after `__main__.Noisy` was registered with `size` alone in __init__.
    assert shown["value"].startswith("__main__.Noisy") and shown["value"].endswith("{size: 3, label: 'n'}"), shown
    assert shown["point"].startswith("__main__.Point") and shown["point"].endswith("{x: 1, y: 2}"), shown


def test_a_namespace_that_is_not_a_dict_is_not_read_through_its_own_code(run_cli, write_script):
    # exec() with a mapping as locals (as a metaclass's __prepare__ may return one): reading its names
    # would call the program's __getitem__ at every step of the body.
    script, result = run_recorded(
        run_cli,
        write_script,
        """\
        from collections.abc import MutableMapping

        class Logged(MutableMapping):
            def __init__(self):
                self.data, self.reads = {}, []
            def __getitem__(self, key):
                self.reads.append(key)
                if key == "boom":
                    raise RuntimeError("the program's own lookup failed")
                return self.data[key]
            def __setitem__(self, key, value):
                self.data[key] = value
            def __delitem__(self, key):
                del self.data[key]
            def __iter__(self):
                return iter(self.data)
            def __len__(self):
                return len(self.data)

        namespace = Logged()
        body = compile("x = 1\\ny = x + 1\\nboom = 3\\n", __file__, "exec")
        exec(body, {}, namespace)
        print(namespace.reads)
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "['x']\n"
    assert result.stderr == ""
    trace = load_trace(script.parent / "trace")
    assert trace.metadata.get("recorder_error") is None


def test_repr_is_an_opt_in(run_cli, write_script):
    script, result = run_recorded(
        run_cli,
        write_script,
        """\
        class Box:
            def __repr__(self):
                return "Box()"

        def show(value):
            return None

        show(Box())
        """,
        "--call-repr",
    )
    assert result.returncode == 0, result.stderr
    assert ("call", "show", {"value": "Box()"}) in load_trace(script.parent / "trace").calls(script)


LOOP = """\
def spin(n):
    total = 0
    for i in range(n):
        total += i
    return total

spin(2_000_000)
print("finished")
"""


@pytest.mark.parametrize(("trace_format", "limit"), [("json", 1_000_000), ("binary", 50_000)])
def test_the_size_limit_finishes_a_valid_trace_marked_truncated(run_cli, write_script, trace_format, limit):
    script, result = run_recorded(
        run_cli, write_script, LOOP, "--format", trace_format, "--max-trace-bytes", str(limit)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "finished\n"
    assert "recording stopped, the trace is truncated" in result.stderr
    trace_dir = script.parent / "trace"
    metadata = json.loads((trace_dir / "trace_metadata.json").read_text())
    assert f"size limit of {limit} bytes" in metadata["truncated"]["reason"]
    assert metadata["max_trace_bytes"] == limit
    events_file = trace_dir / ("trace.json" if trace_format == "json" else "trace.bin")
    # One more batch of events than the limit at most: far below the ~100 MB the whole loop makes.
    assert events_file.stat().st_size < limit + 3_000_000
    if trace_format == "json":
        trace = load_trace(trace_dir)  # a complete JSON array whose calls all return
        assert trace.toplevel_return() == "0"
    else:
        assert events_file.read_bytes()[:8] == BINARY_HEADER


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file size limits")
def test_no_room_for_the_events_file_finishes_a_valid_trace_marked_truncated(write_script, tmp_path):
    import resource

    script = write_script(LOOP)

    def limit_file_size() -> None:
        # Writes past 400 kB fail with EFBIG, as they fail with ENOSPC on a full disk.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))

    result = subprocess.run(
        [sys.executable, "-m", "codetracer_python_recorder", "--format", "json", "--max-trace-bytes", "0", "--trace-dir", "trace", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_file_size,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "finished\n"
    trace_dir = tmp_path / "trace"
    metadata = json.loads((trace_dir / "trace_metadata.json").read_text())
    assert "no room left for the events file" in metadata["truncated"]["reason"]
    assert (trace_dir / "trace.json").stat().st_size <= 400_000
    assert load_trace(trace_dir).toplevel_return() == "0"


def test_max_trace_bytes_rejects_nonsense(run_cli, write_script):
    script = write_script("x = 1\n")
    result = run_cli("--max-trace-bytes", "lots", str(script))
    assert result.returncode == 2
    assert "--max-trace-bytes: expected a number of bytes such as 500M or 2G, found 'lots'" in result.stderr


def test_byte_suffixes(run_cli, write_script):
    script = write_script("x = 1\n")
    result = run_cli("--max-trace-bytes", "3M", "--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    assert json.loads(Path(script.parent / "trace" / "trace_metadata.json").read_text())["max_trace_bytes"] == 3 * 1024**2


def test_object_graphs_and_wide_values_stay_bounded(run_cli, write_script):
    script, result = run_recorded(
        run_cli,
        write_script,
        """\
        class Node:
            def __init__(self, child, payload):
                self.child = child
                self.payload = payload

        chain = None
        for index in range(300):
            chain = Node(chain, index)
        grid = {row: list(range(50)) for row in range(50)}

        def show(node, table):
            return 0

        show(chain, grid)
        """,
    )
    assert result.returncode == 0, result.stderr
    trace = load_trace(script.parent / "trace")
    (shown,) = [entry[2] for entry in trace.calls(script) if entry[:2] == ("call", "show")]
    # An object inside an object is described, not expanded: one level of fields per variable.
    assert shown["node"].endswith("{child: <__main__.Node object>, payload: 299}"), shown["node"]
    # 64 values per variable in all: 32 entries of the dict, the first row with what is left, the other
    # rows as their type name, and a count of what was cut.
    table = shown["table"]
    assert table.startswith("[(0, [0, 1, 2,") and ", … 20 more]), (1, <list>), (2, <list>)" in table, table
    assert table.endswith("(31, <list>), … 18 more]"), table
