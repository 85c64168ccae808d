"""The Python facade: start/stop/is_tracing, the context manager, errors, and the files produced."""

from __future__ import annotations

import json
import os
import sys
import threading
import tomllib
import warnings
from pathlib import Path

import pytest
from trace_reading import BINARY_HEADER, ZSTD_MAGIC, load_trace

import codetracer_python_recorder as recorder
from codetracer_python_recorder import (
    AlreadyTracingError,
    RecorderError,
    ToolIdUnavailableError,
    TraceWriteError,
    flush,
    is_tracing,
    start_tracing,
    stop_tracing,
    trace,
)
from codetracer_python_recorder.summary import summarize

PROJECT = Path(__file__).resolve().parents[2]


def square(x):
    y = x * x
    return y


def test_start_and_stop_write_a_complete_json_trace(tmp_path):
    start_tracing(tmp_path / "out", program="prog.py", args=["--flag"])
    assert is_tracing()
    square(3)
    stop_tracing(exit_status=0)
    assert not is_tracing()

    loaded = load_trace(tmp_path / "out")
    assert loaded.metadata["program"] == "prog.py"
    assert loaded.metadata["args"] == ["--flag"]
    assert loaded.metadata["workdir"]
    assert loaded.metadata["recorder"] == {
        "name": "codetracer_python_recorder",
        "package": "codetracer-python-recorder",
        "version": recorder.__version__,
        "target_script": "prog.py",
    }
    assert loaded.metadata["exit_status"] == 0
    assert str(Path(__file__)) in loaded.paths
    calls = loaded.calls(__file__)
    assert ("call", "square", {"x": "3"}) in calls
    assert ("return", "9") in calls
    # Lines of this test's frame after start_tracing() are recorded too, up to stop_tracing().
    here = test_start_and_stop_write_a_complete_json_trace.__code__.co_firstlineno
    square_line = square.__code__.co_firstlineno
    assert loaded.steps(__file__) == [here + 2, here + 3, square_line, square_line + 1, square_line + 2, here + 4]


def test_binary_format_writes_a_codetracer_binary_file(tmp_path):
    start_tracing(tmp_path, format="binary")
    square(4)
    stop_tracing()
    data = (tmp_path / "trace.bin").read_bytes()
    assert data[:8] == BINARY_HEADER
    assert data[8:12] == ZSTD_MAGIC
    assert not (tmp_path / "trace.json").exists()
    assert json.loads((tmp_path / "trace_metadata.json").read_text())["format"] == "binary"
    assert str(Path(__file__)) in json.loads((tmp_path / "trace_paths.json").read_text())


def test_context_manager_records_the_block(tmp_path):
    with trace(tmp_path, "json"):
        assert is_tracing()
        value = square(5)
    assert not is_tracing()
    assert value == 25
    calls = load_trace(tmp_path).calls(__file__)
    assert ("call", "square", {"x": "5"}) in calls


def test_context_manager_stops_when_the_block_raises(tmp_path):
    with pytest.raises(KeyError), trace(tmp_path):
        raise KeyError("boom")
    assert not is_tracing()
    # Binary by default, as 0.3.0's trace().
    assert (tmp_path / "trace.bin").read_bytes()[:8] == BINARY_HEADER


def test_starting_twice_raises(tmp_path):
    start_tracing(tmp_path / "first")
    try:
        with pytest.raises(AlreadyTracingError, match=r"^a recording is already active; call stop_tracing\(\)"):
            start_tracing(tmp_path / "second")
    finally:
        stop_tracing()
    assert not (tmp_path / "second").exists()


def test_threads_starting_at_once_get_one_recording_and_one_clear_error(tmp_path):
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def start(index: int) -> None:
        barrier.wait()
        try:
            start_tracing(tmp_path / f"run{index}")
            outcomes.append("started")
        except AlreadyTracingError:
            outcomes.append("refused")

    threads = [threading.Thread(target=start, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop_tracing()
    assert sorted(outcomes) == ["refused", "refused", "refused", "started"]
    assert all(sys.monitoring.get_tool(tool) != "codetracer-python-recorder" for tool in range(6))


def test_stopping_when_not_tracing_does_nothing():
    assert not is_tracing()
    stop_tracing()
    stop_tracing()


def test_unknown_format_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match=r'^unknown trace format "xml"; expected "json" or "binary"$'):
        start_tracing(tmp_path, format="xml")  # type: ignore[arg-type]
    assert not is_tracing()


def test_a_trace_directory_that_cannot_be_made_raises_0_3_0s_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(recorder.TraceDirectoryCreateError, match=r"^failed to create trace directory .*file.trace'") as raised:
        start_tracing(blocker / "trace")
    assert isinstance(raised.value, recorder.EnvironmentError)
    assert raised.value.context == {"path": str(blocker / "trace"), "io": "Not a directory"}
    assert not is_tracing()


def test_tool_id_is_freed_after_stop(tmp_path):
    start_tracing(tmp_path)
    owners = {tool: sys.monitoring.get_tool(tool) for tool in range(6)}
    stop_tracing()
    assert "codetracer-python-recorder" in owners.values()
    assert all(sys.monitoring.get_tool(tool) != "codetracer-python-recorder" for tool in range(6))


def test_no_free_tool_id_is_a_clear_error(tmp_path):
    taken = [tool for tool in range(6) if sys.monitoring.get_tool(tool) is None]
    for tool in taken:
        sys.monitoring.use_tool_id(tool, "test-occupant")
    try:
        with pytest.raises(ToolIdUnavailableError, match=r"^all sys.monitoring tool ids \(0-5\) are in use"):
            start_tracing(tmp_path)
    finally:
        for tool in taken:
            sys.monitoring.free_tool_id(tool)
    assert not is_tracing()


def test_exceptions_subclass_runtime_error_and_name_the_package():
    for error in (AlreadyTracingError, ToolIdUnavailableError, TraceWriteError):
        assert issubclass(error, RecorderError)
    assert issubclass(RecorderError, RuntimeError)
    assert RecorderError.__module__ == "codetracer_python_recorder"


def test_version_matches_cargo_and_pyproject():
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    cargo = tomllib.loads((PROJECT / "Cargo.toml").read_text())
    assert recorder.__version__ == pyproject["project"]["version"] == cargo["package"]["version"]


def test_public_names():
    assert sorted(recorder.__all__) == sorted(
        [
            "AlreadyTracingError",
            "RecorderError",
            "ToolIdUnavailableError",
            "TraceFormat",
            "TraceWriteError",
            "__version__",
            "is_tracing",
            "start_tracing",
            "stop_tracing",
            "trace",
            # codetracer-python-recorder 0.3.0's names, kept for its users
            "DEFAULT_FORMAT",
            "TRACE_BINARY",
            "TRACE_JSON",
            "TraceSession",
            "configure_policy",
            "configure_policy_from_env",
            "flush",
            "policy_snapshot",
            "start",
            "stop",
            # 0.3.0's exception hierarchy
            "EnvironmentError",
            "InternalError",
            "TargetError",
            "UsageError",
            # ours
            "DEFAULT_MAX_TRACE_BYTES",
            "FilterError",
            "FilterFileNotFoundError",
            "PolicyError",
            "TraceDirectoryConflictError",
            "TraceDirectoryCreateError",
            "TraceMissingError",
        ]
    )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_leaves_the_parent_trace_alone(tmp_path):
    start_tracing(tmp_path / "trace")
    square(2)
    child = os.fork()
    if child == 0:
        # The child neither records nor writes; it reports what it saw through its exit code.
        square(10)
        os._exit(0 if not is_tracing() else 1)
    _, status = os.waitpid(child, 0)
    square(3)
    stop_tracing()
    assert os.waitstatus_to_exitcode(status) == 0
    calls = load_trace(tmp_path / "trace").calls(__file__)
    assert ("call", "square", {"x": "2"}) in calls
    assert ("call", "square", {"x": "3"}) in calls
    assert ("call", "square", {"x": "10"}) not in calls


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize("format", ["json", "binary"])
def test_a_program_forks_without_the_recorder_s_threads(tmp_path, format):
    # CPython 3.12+ warns on the program's stderr when it forks from a multi-threaded process: the
    # recorder's writer thread must not be there at the fork, and must write the events after it.
    start_tracing(tmp_path / "trace", format=format)
    square(2)
    flush()  # hands a buffer to the writer thread, which starts it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        child = os.fork()
        if child == 0:
            os._exit(0)
    os.waitpid(child, 0)
    square(3)
    stop_tracing()
    assert [str(warning.message) for warning in caught if "multi-threaded" in str(warning.message)] == []
    if format == "json":
        calls = load_trace(tmp_path / "trace").calls(__file__)
        assert ("call", "square", {"x": "2"}) in calls
        assert ("call", "square", {"x": "3"}) in calls
    else:
        summary = summarize(tmp_path / "trace")
        # Read back by the format's reader: both calls of square, before and after the fork.
        assert summary["calls"] == summary["returns"] and summary["truncated"] is False
        assert summary["calls"] >= 2  # square(2) and square(3)
        assert summary["steps_by_file"][__file__] >= 4  # square's two lines, twice


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_an_events_file_that_cannot_be_written_is_refused_at_start(tmp_path):
    trace_dir = tmp_path / "trace"
    trace_dir.mkdir()
    (trace_dir / "trace.json").symlink_to("/dev/full")
    with pytest.raises(TraceWriteError, match=r"cannot write trace file .*trace\.json: No space left on device"):
        start_tracing(trace_dir)
    assert not is_tracing()
