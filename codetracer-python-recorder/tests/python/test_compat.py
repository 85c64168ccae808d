"""What codetracer-python-recorder 0.3.0 users rely on: IO capture, globals, trace filters with secret
redaction, the activation path, 0.3.0's API, environment variables and command-line flags; and
``trace summary``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trace_reading import load_trace

# `EventLogKind` in the trace format.
WRITE, WRITE_OTHER, READ = 0, 2, 3


def step_lines_before_events(trace, script: Path) -> list[tuple[int, int, str]]:
    """(line of the last step in ``script`` before the event, event kind, content) for each IO event."""
    path_id = trace.path_id(script)
    line = 0
    found = []
    for event in trace.events:
        ((kind, payload),) = event.items()
        if kind == "Step" and payload["path_id"] == path_id:
            line = payload["line"]
        elif kind == "Event":
            found.append((line, payload["kind"], payload["content"]))
    return found


def test_output_and_input_are_events_after_their_step_and_the_output_is_unchanged(write_script, tmp_path):
    script = write_script(
        """\
        import sys
        print("hello")
        sys.stderr.write("oops\\n")
        name = input("name? ")
        print("hi", name)
        """
    )
    result = subprocess.run(
        [sys.executable, "-m", "codetracer_python_recorder", "--format", "json", "--trace-dir", "trace", str(script)],
        cwd=tmp_path, input="Ada\n", capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello\nname? hi Ada\n"
    assert result.stderr == "oops\n"
    trace = load_trace(tmp_path / "trace")
    # One event per line, as 0.3.0 records them (tests/python/test_io_events.py has the details).
    assert step_lines_before_events(trace, script) == [
        (2, WRITE, "hello\n"),
        (3, WRITE_OTHER, "oops\n"),
        (4, WRITE, "name? "),
        (4, READ, "Ada\n"),
        (5, WRITE, "hi Ada\n"),
    ]
    assert trace.metadata["io_capture"] == "proxies"


def test_io_capture_off_records_no_io(run_cli, write_script, tmp_path):
    script = write_script("print('quiet')\n")
    result = run_cli("--io-capture", "off", "--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "quiet\n"
    trace = load_trace(tmp_path / "trace")
    assert trace.of_kind("Event") == []
    assert trace.metadata["io_capture"] == "off"


FD_PROGRAM = """\
import ctypes, os, subprocess, sys
print("one")
os.write(1, b"two\\n")
sys.stdout.flush()
print("three", flush=True)
os.write(2, b"raw error\\n")
subprocess.run([sys.executable, "-c", "import os; os.write(1, b'child\\\\n')"], check=True)
print("four")
ctypes.CDLL(None).write(1, b"from C\\n", 7)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="descriptor capture uses pipes and poll (Unix)")
def test_proxies_fd_records_writes_that_bypass_sys_stdout_and_keeps_the_output(run_cli, write_script, tmp_path):
    script = write_script(FD_PROGRAM)
    untraced = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    result = run_cli("--io-capture", "proxies+fd", "--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    # Unchanged and in the same order as without the recorder (which depends on the buffering of stdout).
    assert (result.stdout, result.stderr) == (untraced.stdout, untraced.stderr)
    assert sorted(result.stdout.splitlines()) == ["child", "four", "from C", "one", "three", "two"]
    trace = load_trace(tmp_path / "trace")
    events = step_lines_before_events(trace, script)
    # Each line is recorded once, after the step of the line that made it; what bypassed the proxies is
    # flagged `mirror`, as 0.3.0 flags it.
    assert events == [
        (2, WRITE, "one\n"),
        (3, WRITE, "two\n"),
        (5, WRITE, "three\n"),
        (6, WRITE_OTHER, "raw error\n"),
        (7, WRITE, "child\n"),
        (8, WRITE, "four\n"),
        (9, WRITE, "from C\n"),
    ]
    flags = [json.loads(event["metadata"])["flags"] for event in trace.of_kind("Event")]
    mirror, proxy = ["newline", "mirror"], ["newline"]
    assert flags == [proxy, mirror, proxy, mirror, mirror, proxy, mirror]
    # Text from the descriptors names the last recorded step, without a frame.
    metadata = [json.loads(event["metadata"]) for event in trace.of_kind("Event")]
    assert [(entry["path_id"], entry["line"], entry["frame_id"]) for entry in metadata if "mirror" in entry["flags"]] == [
        (trace.path_id(script), line, None) for line in (3, 6, 7, 9)
    ]
    assert trace.metadata["io_capture"] == "proxies+fd"


def test_globals_a_function_uses_are_visible_at_its_steps(run_cli, write_script, tmp_path):
    script = write_script(
        """\
        import math
        LIMIT = 10
        scale = [1, 2]

        def bounded(x):
            y = min(x, LIMIT) * scale[1]
            return math.floor(y)

        bounded(30)
        """
    )
    result = run_cli("--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    trace = load_trace(tmp_path / "trace")
    values = {}
    path_id = trace.path_id(script)
    at_line = None
    for event in trace.events:
        ((kind, payload),) = event.items()
        if kind == "Step":
            at_line = payload["line"] if payload["path_id"] == path_id else None
        elif kind == "Value" and at_line == 6:
            values[trace.names[payload["variable_id"]]] = trace.show(payload["value"])
    # `math` (a module) and `min` (a builtin) are structure, not state, and are left out.
    assert values == {"x": "30", "LIMIT": "10", "scale": "[1, 2]"}


FILTER = """\
[meta]
name = "example"
version = 1

[scope]
default_exec = "trace"
default_value_action = "allow"

[[scope.rules]]
selector = "pkg:helper"
exec = "skip"

[[scope.rules]]
selector = "obj:__main__.login"
[[scope.rules.value_patterns]]
selector = "local:glob:pin_*"
action = "redact"
[[scope.rules.value_patterns]]
selector = "local:literal:scratch"
action = "drop"
"""

FILTERED_PROGRAM = """\
from helper import helper

def login(user, password):
    pin_code = 1234
    scratch = "tmp"
    api_token = "abc"
    return helper(user)

login("ada", "hunter2")
"""


def test_filter_file_skips_code_and_redacts_values_and_secrets_are_redacted_by_default(
    run_cli, write_script, tmp_path
):
    helper = write_script("def helper(x):\n    return x.upper()\n", name="helper.py")
    script = write_script(FILTERED_PROGRAM)
    (tmp_path / "filter.toml").write_text(FILTER)
    result = run_cli("--trace-filter", "filter.toml", "--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    trace = load_trace(tmp_path / "trace")
    assert str(helper) not in trace.paths
    assert ("call", "login", {"user": "'ada'", "password": "<redacted>"}) in trace.calls(script)
    last_values = {}
    for event in trace.of_kind("Value"):
        last_values[trace.names[event["variable_id"]]] = trace.show(event["value"])
    assert last_values["pin_code"] == "<redacted>"
    assert last_values["api_token"] == "<redacted>"  # the built-in filter's secret names
    assert last_values["user"] == "'ada'"
    assert "scratch" not in last_values
    filters = trace.metadata["trace_filter"]["filters"]
    assert [entry["name"] for entry in filters] == ["builtin-default", "example"]
    assert filters[1]["path"] == str(tmp_path / "filter.toml") and len(filters[1]["sha256"]) == 64
    # Counted as 0.3.0's `stats` count: every value a call or a step writes. `password` is redacted as
    # the argument and then at login's 4 steps, `pin_code` at 3 steps, `api_token` at 1; `scratch` is left
    # out at 2 steps.
    stats = trace.metadata["trace_filter"]["stats"]
    assert stats["value_redactions"] == {"argument": 1, "local": 4 + 3 + 1, "global": 0, "return": 0, "attribute": 0}
    assert stats["value_drops"] == {"argument": 0, "local": 2, "global": 0, "return": 0, "attribute": 0}
    # The format's writer also writes a call's arguments as values, before the call's first step.
    redacted_values = sum(1 for event in trace.of_kind("Value") if trace.show(event["value"]) == "<redacted>")
    assert redacted_values == 1 + 4 + 3 + 1
    assert stats["scopes_skipped"] >= 1  # helper.py, and the standard library's code the program ran


def test_project_filter_is_found_next_to_the_script(run_cli, write_script, tmp_path):
    write_script("def helper(x):\n    return x\n", name="helper.py")
    script = write_script(FILTERED_PROGRAM)
    (tmp_path / ".codetracer").mkdir()
    (tmp_path / ".codetracer" / "trace-filter.toml").write_text(FILTER)
    result = run_cli("--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    names = [entry["name"] for entry in load_trace(tmp_path / "trace").metadata["trace_filter"]["filters"]]
    assert names == ["builtin-default", "example"]


def test_a_broken_filter_file_is_refused_naming_the_field(run_cli, write_script, tmp_path):
    script = write_script("x = 1\n")
    (tmp_path / "bad.toml").write_text('[meta]\nname = "bad"\nversion = 1\n[scope]\ndefault_exec = "maybe"\n')
    result = run_cli("--trace-filter", "bad.toml", str(script))
    assert result.returncode == 1
    assert f"{tmp_path / 'bad.toml'}: scope.default_exec: expected one of 'trace', 'skip', found 'maybe'" in result.stderr


def test_activation_path_starts_recording_when_its_file_runs(run_cli, write_script, tmp_path):
    library = write_script("def work(n):\n    total = n * 2\n    return total\n", name="library.py")
    script = write_script(
        """\
        def before():
            return 1

        before()
        from library import work
        work(3)
        before()
        """
    )
    result = run_cli("--activation-path", str(library), "--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    trace = load_trace(tmp_path / "trace")
    first_step = trace.of_kind("Step")[0]
    assert trace.paths[first_step["path_id"]] == str(library)
    calls = [entry for entry in trace.calls(script) if entry[0] == "call"]
    # `before()` ran once before `library` ran (not recorded) and once after (recorded).
    assert calls.count(("call", "before", {})) == 1
    assert trace.metadata["activation_path"] == str(library)


def test_require_trace_fails_when_nothing_was_recorded(run_cli, write_script, tmp_path):
    never = write_script("x = 1\n", name="never.py")
    script = write_script("y = 2\n")
    result = run_cli("--require-trace", "--activation-path", str(never), "--trace-dir", "trace", str(script))
    assert result.returncode == 1
    assert "no trace recorded: no step of the program ran under the recorder" in result.stderr


def test_json_errors_and_script_exit_policy(run_cli, write_script, tmp_path):
    script = write_script("raise SystemExit(4)\n")
    (tmp_path / "blocker").write_text("a file")
    result = run_cli("--json-errors", "--trace-dir", "blocker/trace", str(script))
    assert result.returncode == 1
    trailer = json.loads(result.stderr.strip().splitlines()[-1])
    assert trailer["error_code"] == "ERR_TRACE_DIR_CREATE_FAILED" and trailer["error_kind"] == "Environment"
    assert "blocker" in trailer["message"]

    result = run_cli("--no-propagate-script-exit", "--trace-dir", "trace", str(script))
    assert result.returncode == 0
    assert "the script exited with status 4; exiting 0 because of --no-propagate-script-exit" in result.stderr
    assert run_cli("--trace-dir", "trace", str(script)).returncode == 4


def test_log_file_receives_the_recorders_messages(run_cli, write_script, tmp_path):
    script = write_script("for i in range(200000):\n    pass\n")
    result = run_cli("--log-file", "recorder.log", "--max-trace-bytes", "100K", "--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    assert "truncated" not in result.stderr
    assert "recording stopped, the trace is truncated" in (tmp_path / "recorder.log").read_text()


def run_python(source: str, cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    (cwd / "program.py").write_text(textwrap.dedent(source))
    env = {key: value for key, value in os.environ.items() if not key.startswith("CODETRACER_")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "program.py"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_code_written_for_0_3_0_runs_unchanged(tmp_path):
    result = run_python(
        """\
        import codetracer_python_recorder as ct
        from codetracer_python_recorder import TraceSession, flush, is_tracing, start, stop, trace

        def work(n):
            return n * 2

        session = start("trace-a", format="json")
        assert isinstance(session, TraceSession) and is_tracing()
        work(1)
        session.flush()
        flush()
        stop(exit_code=0)
        assert not is_tracing()

        with trace("trace-b", format="json") as scoped:
            work(2)
        assert scoped.format == "json" and not is_tracing()

        start("trace-c")  # 0.3.0's default format is binary
        work(3)
        stop()
        ct.configure_policy(require_trace=True)
        assert ct.policy_snapshot()["require_trace"] is True
        print("ok")
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
    program = str(tmp_path / "program.py")
    assert ("call", "work", {"n": "1"}) in load_trace(tmp_path / "trace-a").calls(program)
    assert ("call", "work", {"n": "2"}) in load_trace(tmp_path / "trace-b").calls(program)
    assert (tmp_path / "trace-c" / "trace.bin").is_file()


def test_environment_variables_start_a_recording_on_import(tmp_path):
    source = """\
        import codetracer_python_recorder

        def work(n):
            return n + 1

        work(41)
        """
    result = run_python(source, tmp_path, CODETRACER_TRACE="auto", CODETRACER_FORMAT="json", CODETRACER_CAPTURE_IO="off")
    assert result.returncode == 0, result.stderr
    trace = load_trace(tmp_path / "auto")
    assert ("call", "work", {"n": "41"}) in trace.calls(str(tmp_path / "program.py"))
    assert trace.metadata["io_capture"] == "off"

    result = run_python(source, tmp_path, CODETRACER_TRACE="disabled", CODETRACER_DISABLE="1")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "disabled").exists()

    result = run_python(source, tmp_path, CODETRACER_TRACE="bad", CODETRACER_REQUIRE_TRACE="perhaps")
    assert result.returncode == 1
    assert "CODETRACER_REQUIRE_TRACE: expected true or false (1/0, yes/no, on/off), found 'perhaps'" in result.stderr


def test_trace_summary(run_cli, write_script, tmp_path):
    script = write_script("def f(x):\n    return x\n\nfor i in range(3):\n    f(i)\nprint('done')\n")
    for trace_format in ("json", "binary"):
        result = run_cli("--format", trace_format, "--trace-dir", trace_format, str(script))
        assert result.returncode == 0, result.stderr
        summary = run_cli("trace", "summary", "--json", trace_format)
        assert summary.returncode == 0, summary.stderr
        data = json.loads(summary.stdout)
        steps = len(load_trace(tmp_path / "json").of_kind("Step"))
        assert data["format"] == trace_format
        assert data["steps"] == steps and data["calls"] == data["returns"] == 5
        assert data["steps_by_file"] == {str(script): steps}
        assert data["truncated"] is False and data["io_capture"] == "proxies"
        assert data["events_by_kind"]["Event"] == 1  # "done\n", one event per line
        assert data["io_events_by_stream"] == {"stdout": 1}
    text = run_cli("trace", "summary", "json").stdout
    assert f"steps:       {steps}\n" in text and f"  {steps:>12}  {script}" in text
    missing = run_cli("trace", "summary", "nowhere")
    assert missing.returncode == 2
    assert "no trace.json or trace.bin in this directory" in missing.stderr
