"""What a user of codetracer-python-recorder 0.3.0 relies on: the command's defaults, its flag and
environment spellings, its exception classes and codes, and its filter and policy options that act."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys

import pytest
from released_recorder import PROJECT_DIR, requires_released, run_released
from trace_reading import BINARY_HEADER, load_trace

import codetracer_python_recorder as recorder
from codetracer_python_recorder import policy as policy_module
from codetracer_python_recorder.errors import FilterError
from codetracer_python_recorder.filters import FilterChain


@pytest.fixture
def restore_policy():
    saved = policy_module.current_policy()
    yield
    policy_module._current = saved
    policy_module.configure_policy()


def last_values(trace) -> dict[str, str]:
    values = {}
    for event in trace.of_kind("Value"):
        values[trace.names[event["variable_id"]]] = trace.show(event["value"])
    return values


# --- the command line -------------------------------------------------------------------------------


def test_the_command_writes_what_0_3_0_writes_where_it_writes_it(run_cli, write_script, tmp_path):
    script = write_script("x = 1\n")
    result = run_cli(str(script), as_given=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "trace-out" / "trace.bin").read_bytes()[:8] == BINARY_HEADER
    assert json.loads((tmp_path / "trace-out" / "trace_metadata.json").read_text())["format"] == "binary"
    assert not (tmp_path / "trace-out" / "trace.json").exists()


def test_a_double_dash_may_separate_the_script_and_its_arguments(run_cli, write_script):
    script = write_script("import sys\nprint(sys.argv[1:])\n")
    result = run_cli("--", str(script), "--", "--flag", "value")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "['--flag', 'value']\n"


def test_a_tilde_in_a_path_is_the_home_directory(write_script, tmp_path):
    script = write_script("x = 1\n")
    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "codetracer_python_recorder", "--trace-dir=~/traces", "--format=json", str(script)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(home), "USERPROFILE": str(home)},
    )
    assert result.returncode == 0, result.stderr
    assert (home / "traces" / "trace.json").is_file()


def test_log_levels_are_read_as_0_3_0_wrote_them(run_cli, write_script):
    script = write_script("for i in range(100000):\n    pass\n")
    noisy = run_cli("--max-trace-bytes", "20K", "--trace-dir", "noisy", str(script))
    assert "recording stopped, the trace is truncated" in noisy.stderr
    quiet = run_cli("--log-level", "off", "--max-trace-bytes", "20K", "--trace-dir", "quiet", str(script))
    assert quiet.returncode == 0 and quiet.stderr == ""
    targeted = run_cli("--log-level", "codetracer_python_recorder=error", "--max-trace-bytes", "20K", str(script))
    assert targeted.returncode == 0 and targeted.stderr == ""
    unknown = run_cli("--log-level", "loud", "--trace-dir", "unknown", str(script))
    assert unknown.returncode == 0
    assert unknown.stderr == (
        "codetracer-python-recorder: log level 'loud' is not one of off, error, warn, info, debug, trace; using warn\n"
    )


# --- policy: flags, variables, snapshot ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("", "proxies"),
        ("proxies", "proxies"),
        ("proxy,fd", "proxies+fd"),
        ("proxies+fd", "proxies+fd"),
        ("mirror", "proxies+fd"),
        ("disabled", "off"),
        ("0", "off"),
        ("enable", "proxies"),
    ],
)
def test_capture_io_variable_takes_0_3_0_spellings(restore_policy, text, mode):
    recorder.configure_policy(io_capture="off")
    recorder.configure_policy_from_env({"CODETRACER_CAPTURE_IO": text})
    assert policy_module.current_policy().io_capture == mode


def test_policy_values_0_3_0_accepts_and_refuses(restore_policy):
    recorder.configure_policy_from_env({"CODETRACER_REQUIRE_TRACE": "t", "CODETRACER_JSON_ERRORS": "Y"})
    snapshot = recorder.policy_snapshot()
    assert snapshot["require_trace"] is True and snapshot["json_errors"] is True
    recorder.configure_policy_from_env({"CODETRACER_REQUIRE_TRACE": "n"})
    assert recorder.policy_snapshot()["require_trace"] is False

    with pytest.raises(recorder.PolicyError) as refused:
        recorder.configure_policy_from_env({"CODETRACER_CAPTURE_IO": "proxies,sockets"})
    assert isinstance(refused.value, recorder.UsageError) and isinstance(refused.value, ValueError)
    assert refused.value.code == "ERR_INVALID_POLICY_VALUE" and refused.value.kind == "Usage"
    with pytest.raises(recorder.UsageError, match="on_recorder_error: expected 'abort' or 'disable', found 'explode'"):
        recorder.configure_policy(on_recorder_error="explode")


def test_configure_policy_takes_0_3_0s_positional_order_and_none_leaves_a_field(restore_policy, tmp_path):
    recorder.configure_policy("disable", True, False, None, str(tmp_path / "log.txt"))
    snapshot = recorder.policy_snapshot()
    assert (snapshot["on_recorder_error"], snapshot["require_trace"]) == ("disable", True)
    assert snapshot["log_file"] == str(tmp_path / "log.txt")
    recorder.configure_policy(on_recorder_error=None, require_trace=None, log_file=None, json_errors=True)
    snapshot = recorder.policy_snapshot()
    assert (snapshot["on_recorder_error"], snapshot["require_trace"], snapshot["json_errors"]) == ("disable", True, True)
    assert snapshot["log_file"] == str(tmp_path / "log.txt")
    recorder.configure_policy(None, None, None, None, None, None, False)
    assert recorder.policy_snapshot()["io_capture"] == {"line_proxies": False, "fd_fallback": False}
    recorder.configure_policy(log_file="")
    assert not recorder.policy_snapshot()["log_file"]
    with pytest.raises(TypeError):
        recorder.configure_policy(io_capture_sockets=True)  # type: ignore[call-arg]


def test_policy_snapshot_has_0_3_0s_shape(restore_policy):
    recorder.configure_policy(io_capture_line_proxies=True)
    recorder.configure_policy(io_capture_fd_fallback=True)
    snapshot = recorder.policy_snapshot()
    assert snapshot["io_capture"] == {"line_proxies": True, "fd_fallback": True}
    assert snapshot["io_capture_mode"] == "proxies+fd"
    recorder.configure_policy(io_capture_line_proxies=False)
    assert recorder.policy_snapshot()["io_capture"] == {"line_proxies": False, "fd_fallback": False}
    assert set(snapshot) >= {
        "on_recorder_error", "require_trace", "keep_partial_trace", "log_level", "log_file", "json_errors",
        "module_name_from_globals", "propagate_script_exit",
    }


# --- 0.3.0's modules ------------------------------------------------------------------------------------


def test_0_3_0s_modules_offer_their_names():
    from codetracer_python_recorder import api, formats, session

    assert (api.start, api.stop, api.flush, api.TraceSession) == (recorder.start, recorder.stop, recorder.flush, recorder.TraceSession)
    assert (api.DEFAULT_FORMAT, api.TRACE_BINARY, api.TRACE_JSON) == ("binary", "binary", "json")
    assert {"start", "stop", "flush", "TraceSession", "trace", "is_tracing"} <= set(dir(api))
    assert (session.trace, session.is_tracing) == (recorder.trace, recorder.is_tracing)
    assert formats.SUPPORTED_FORMATS == frozenset({"binary", "json"})
    assert (formats.normalize_format(None), formats.normalize_format("JSON")) == ("binary", "json")
    assert formats.is_supported("Binary") and not formats.is_supported("yaml")
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        api.nothing  # noqa: B018


# --- exceptions ---------------------------------------------------------------------------------------


def test_exception_hierarchy_and_codes_are_0_3_0s():
    for name in ("UsageError", "EnvironmentError", "TargetError", "InternalError"):
        assert issubclass(getattr(recorder, name), recorder.RecorderError)
        assert getattr(recorder, name).__module__ == "codetracer_python_recorder"
    assert issubclass(recorder.RecorderError, Exception)
    assert (recorder.UsageError.kind, recorder.EnvironmentError.kind) == ("Usage", "Environment")
    assert (recorder.TargetError.kind, recorder.InternalError.kind) == ("Target", "Internal")
    assert issubclass(recorder.AlreadyTracingError, recorder.UsageError)
    assert issubclass(recorder.TraceWriteError, recorder.EnvironmentError)
    assert issubclass(recorder.ToolIdUnavailableError, recorder.EnvironmentError)
    assert dict(recorder.RecorderError.context) == {}


def test_errors_raised_by_the_api_carry_code_kind_and_context(tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    with pytest.raises(recorder.TraceDirectoryConflictError) as conflict:
        recorder.start(tmp_path / "a-file")
    assert isinstance(conflict.value, recorder.UsageError) and isinstance(conflict.value, ValueError)
    assert conflict.value.code == "ERR_TRACE_DIR_CONFLICT"
    assert conflict.value.context == {"path": str(tmp_path / "a-file")}

    with pytest.raises(recorder.EnvironmentError) as unwritable:
        recorder.start_tracing(tmp_path / "a-file" / "trace")
    assert (unwritable.value.code, unwritable.value.kind) == ("ERR_TRACE_DIR_CREATE_FAILED", "Environment")
    assert unwritable.value.context["path"] == str(tmp_path / "a-file" / "trace")

    with pytest.raises(FileNotFoundError) as missing:
        recorder.start(tmp_path / "trace", trace_filter=tmp_path / "missing.toml")
    assert isinstance(missing.value, recorder.UsageError) and missing.value.code == "ERR_INVALID_POLICY_VALUE"
    assert not recorder.is_tracing()

    recorder.start(tmp_path / "first", format="json")
    try:
        with pytest.raises(recorder.UsageError) as twice:
            recorder.start(tmp_path / "second")
        assert isinstance(twice.value, RuntimeError) and twice.value.code == "ERR_ALREADY_TRACING"
    finally:
        recorder.stop()


def test_stop_with_require_trace_and_no_step_raises_trace_missing(tmp_path, restore_policy):
    never = tmp_path / "never.py"
    never.write_text("x = 1\n")
    recorder.start(tmp_path / "trace", format="json", start_on_enter=never, policy={"require_trace": True})
    with pytest.raises(recorder.TraceMissingError) as missing:
        recorder.stop()
    assert isinstance(missing.value, recorder.UsageError) and missing.value.code == "ERR_TRACE_MISSING"
    assert missing.value.context == {"trace_dir": str(tmp_path / "trace")}


def test_json_error_trailer_names_0_3_0s_code_and_kind(run_cli, write_script, tmp_path):
    script = write_script("x = 1\n")
    (tmp_path / "bad.toml").write_text('[meta]\nname = "bad"\nversion = 1\n[scope]\ndefault_exec = "maybe"\n')
    result = run_cli("--json-errors", "--trace-filter", "bad.toml", str(script))
    assert result.returncode == 1
    trailer = json.loads(result.stderr.strip().splitlines()[-1])
    assert (trailer["error_code"], trailer["error_kind"]) == ("ERR_INVALID_POLICY_VALUE", "Usage")
    assert set(trailer) == {"run_id", "trace_id", "error_code", "error_kind", "message", "context"}

    result = run_cli(
        "--json-errors", "--require-trace", "--activation-path", str(tmp_path / "bad.toml"), str(script)
    )
    assert result.returncode == 1
    trailer = json.loads(result.stderr.strip().splitlines()[-1])
    assert (trailer["error_code"], trailer["error_kind"]) == ("ERR_TRACE_MISSING", "Usage")


# --- filters: attr selectors and module names ----------------------------------------------------------

ATTRIBUTES_FILTER = """\
[meta]
name = "attributes"
version = 1

[scope]
default_exec = "trace"
default_value_action = "allow"

[[scope.rules]]
selector = "pkg:*"
[[scope.rules.value_patterns]]
selector = "attr:literal:nickname"
action = "redact"
[[scope.rules.value_patterns]]
selector = "attr:regex:^internal_"
action = "drop"
"""

ATTRIBUTES_PROGRAM = """\
class Account:
    __slots__ = ("name", "password", "internal_id")
    def __init__(self):
        self.name = "ada"
        self.password = "hunter2"
        self.internal_id = 7

class Player:
    def __init__(self):
        self.nickname = "ace"
        self.level = 3

account = Account()
player = Player()
done = True
"""


def test_attr_selectors_redact_and_drop_object_fields(run_cli, write_script, tmp_path):
    script = write_script(ATTRIBUTES_PROGRAM)
    result = run_cli("--trace-dir", "builtin", str(script))
    assert result.returncode == 0, result.stderr
    values = last_values(load_trace(tmp_path / "builtin"))
    # The built-in filter redacts secret-looking attribute names, as 0.3.0's does.
    assert values["account"].endswith("{name: 'ada', password: <redacted>, internal_id: 7}")
    assert values["player"].endswith("{nickname: 'ace', level: 3}")

    (tmp_path / "attributes.toml").write_text(ATTRIBUTES_FILTER)
    result = run_cli("--trace-filter", "attributes.toml", "--trace-dir", "filtered", str(script))
    assert result.returncode == 0, result.stderr
    trace = load_trace(tmp_path / "filtered")
    values = last_values(trace)
    assert values["account"].endswith("{name: 'ada', password: <redacted>}")
    assert values["player"].endswith("{nickname: <redacted>, level: 3}")
    # 0.3.0's `stats`: each redaction the trace's values show is counted once, whatever it was found in
    # (a call's arguments are values too: the format's writer writes them before the call's first step).
    written = [trace.show(event["value"]) for event in trace.of_kind("Value")]
    stats = trace.metadata["trace_filter"]["stats"]
    assert sum(text.count("<redacted>") for text in written) == sum(stats["value_redactions"].values())
    assert stats["value_redactions"]["attribute"] > 0 and stats["value_drops"]["attribute"] > 0


SCOPED_ATTRIBUTES_FILTER = """\
[meta]
name = "scoped attributes"
version = 1

[scope]
default_exec = "trace"
default_value_action = "allow"

[[scope.rules]]
selector = "obj:*guarded"
[[scope.rules.value_patterns]]
selector = "attr:literal:nickname"
action = "redact"
"""

SHARED_OBJECT_PROGRAM = """\
class Player:
    def __init__(self):
        self.nickname = "ace"

def plain(player):
    seen = 1
    return seen

def guarded(player):
    seen = 2
    return seen

player = Player()
for _ in range(3):
    plain(player)
    guarded(player)
"""


def test_an_object_seen_under_two_filters_is_redacted_where_its_filter_says(run_cli, write_script, tmp_path):
    # The recorder reuses what it recorded for an unchanged object at the next step; the same object
    # under another function's attr: patterns must still be recorded with those patterns.
    (tmp_path / "scoped.toml").write_text(SCOPED_ATTRIBUTES_FILTER)
    script = write_script(SHARED_OBJECT_PROGRAM)
    result = run_cli("--format", "json", "--trace-filter", "scoped.toml", "--trace-dir", "out", str(script))
    assert result.returncode == 0, result.stderr
    trace = load_trace(tmp_path / "out")
    functions = {}
    shown = {"plain": set(), "guarded": set()}
    current = []
    for event in trace.events:
        kind, body = next(iter(event.items()))
        if kind == "Function":
            functions[len(functions)] = body["name"]
        elif kind == "Call":
            current.append(functions[body["function_id"]])
        elif kind == "Return" and current:
            current.pop()
        elif kind == "Value" and current and current[-1] in shown and trace.names[body["variable_id"]] == "player":
            shown[current[-1]].add(trace.show(body["value"]))
    assert shown["plain"] and all("nickname: 'ace'" in text for text in shown["plain"]), shown
    assert shown["guarded"] and all("nickname: <redacted>" in text for text in shown["guarded"]), shown


OLD_SPELLINGS_FILTER = """\
[meta]
name = "0.3.0 spellings"
version = 1
description = "written for 0.3.0"
labels = ["legacy"]

[scope]
default_exec = "inherit"
default_value_action = "inherit"

[[scope.rules]]
selector = "obj:app.login"
exec = "inherit"
value_default = "inherit"
reason = "audit"
[[scope.rules.value_patterns]]
selector = "local:pin"
action = "deny"
reason = "deprecated spelling of redact"
"""


def test_0_3_0_filter_spellings_inherit_and_deny_are_read(tmp_path):
    (tmp_path / "old.toml").write_text(OLD_SPELLINGS_FILTER)
    chain = FilterChain.load([tmp_path / "old.toml"])
    answer = chain.resolve(str(tmp_path / "app.py"), "app", "login", {"local": ["pin", "user"]})
    assert answer is not None and answer["local"] == {"pin": "redact"}
    assert chain.resolve(str(tmp_path / "app.py"), "app", "other", {"local": ["pin"]})["local"] == {}


GLOB_FILTER = """\
[meta]
name = "globs"
version = 1

[scope]
default_exec = "trace"
default_value_action = "allow"

[[scope.rules]]
selector = "file:src/*.py"
exec = "skip"

[[scope.rules]]
selector = "file:tests/**/test_*.py"
exec = "skip"

[[scope.rules]]
selector = "file:lib/{one,two}.py"
exec = "skip"

[[scope.rules]]
selector = "file:gen/[!_]*.py"
exec = "skip"
"""


@pytest.mark.parametrize(
    ("relative", "recorded"),
    [
        ("src/app.py", False),
        ("src/deep/app.py", True),  # `*` stays within one folder, as in 0.3.0
        ("tests/test_a.py", False),  # `**/` also matches no folder
        ("tests/unit/more/test_b.py", False),
        ("tests/unit/helper.py", True),
        ("lib/two.py", False),  # `{a,b}` alternatives
        ("lib/three.py", True),
        ("gen/model.py", False),  # `[!x]` negated class
        ("gen/_private.py", True),
    ],
)
def test_file_globs_follow_0_3_0s_path_rules(tmp_path, monkeypatch, relative, recorded):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "globs.toml").write_text(GLOB_FILTER)
    chain = FilterChain.load([tmp_path / "globs.toml"])
    answer = chain.resolve(str(tmp_path / relative), "module", "function", {})
    assert (answer is not None) == recorded


def test_an_invalid_glob_names_the_file_and_the_selector(tmp_path):
    (tmp_path / "broken.toml").write_text(GLOB_FILTER.replace("file:src/*.py", "file:src/[a.py"))
    with pytest.raises(FilterError) as raised:
        FilterChain.load([tmp_path / "broken.toml"])
    message = str(raised.value)
    assert "broken.toml" in message and "file:src/[a.py" in message and "invalid glob" in message


MODULE_FILTER = """\
[meta]
name = "by-module"
version = 1

[[scope.rules]]
selector = "pkg:{module}"
[[scope.rules.value_patterns]]
selector = "local:visible"
action = "redact"
"""


@pytest.mark.parametrize(
    ("flag", "module", "redacted"),
    [
        ("--module-name-from-globals", "__main__", True),
        ("--module-name-from-globals", "program", False),
        ("--no-module-name-from-globals", "program", True),
        ("--no-module-name-from-globals", "__main__", False),
    ],
)
def test_module_name_from_globals_decides_what_pkg_selectors_see(run_cli, write_script, tmp_path, flag, module, redacted):
    script = write_script("def work():\n    visible = 1\n    return visible\n\nwork()\n")
    (tmp_path / "filter.toml").write_text(MODULE_FILTER.format(module=module))
    result = run_cli(flag, "--trace-filter", "filter.toml", "--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    assert last_values(load_trace(tmp_path / "trace"))["visible"] == ("<redacted>" if redacted else "1")


# --- trace_metadata.json: 0.3.0's fields beside ours ---------------------------------------------------

EXITING_PROGRAM = "import sys\n\ndef work(n):\n    return n + 1\n\nwork(1)\nsys.exit(3)\n"


def read_metadata(trace_dir) -> dict:
    return json.loads((trace_dir / "trace_metadata.json").read_text())


def test_metadata_has_0_3_0s_fields_with_the_same_values_as_ours(run_cli, write_script, tmp_path):
    script = write_script(EXITING_PROGRAM)
    result = run_cli("--trace-dir", "trace", str(script), "one")
    assert result.returncode == 3, result.stderr
    metadata = read_metadata(tmp_path / "trace")
    assert metadata["exit_status"] == 3
    assert metadata["process_exit_status"] == {"code": 3, "label": None}
    assert metadata["recorder"] == {
        "name": "codetracer_python_recorder",
        "package": "codetracer-python-recorder",
        "version": recorder.__version__,
        "target_script": str(script),
    }
    (builtin,) = metadata["trace_filter"]["filters"]
    assert (builtin["name"], builtin["path"], builtin["version"]) == ("builtin-default", "<inline:builtin-default>", 1)
    assert len(builtin["sha256"]) == 64 and int(builtin["sha256"], 16) >= 0


def test_metadata_exit_status_of_an_uncaught_exception_and_of_an_unknown_exit(run_cli, write_script, tmp_path):
    script = write_script("raise ValueError('boom')\n")
    assert run_cli("--trace-dir", "raised", str(script)).returncode == 1
    assert read_metadata(tmp_path / "raised")["process_exit_status"] == {"code": 1, "label": None}

    # Stopped through the API without an exit status: 0.3.0 wrote no code and the label "<exit>".
    recorder.start_tracing(tmp_path / "api", format="json")
    recorder.stop_tracing()
    assert read_metadata(tmp_path / "api")["process_exit_status"] == {"code": None, "label": "<exit>"}
    assert read_metadata(tmp_path / "api")["exit_status"] is None


# --- keep_partial_trace -------------------------------------------------------------------------------


def failing_work(n):
    return n + 1


@pytest.mark.parametrize("keep", [False, True])
def test_an_internal_error_removes_the_partial_trace_unless_kept(tmp_path, monkeypatch, restore_policy, keep):
    def broken_filter(self, *arguments, **options):
        raise RuntimeError("filter exploded")

    recorder.configure_policy(keep_partial_trace=keep)
    # A filter that fails inside a monitoring callback is an internal recorder error.
    monkeypatch.setattr(FilterChain, "resolve", broken_filter)
    recorder.start_tracing(tmp_path / "trace")
    failing_work(1)
    with pytest.raises(recorder.InternalError) as failure:
        recorder.stop_tracing()
    assert failure.value.code == "ERR_TRACE_INCOMPLETE"
    assert "filter exploded" in str(failure.value)
    files = sorted(path.name for path in (tmp_path / "trace").iterdir())
    if keep:
        assert files == ["trace.json", "trace_metadata.json", "trace_paths.json"]
        assert failure.value.context["partial_trace"] == "kept"
        load_trace(tmp_path / "trace")
    else:
        assert files == []
        assert str(failure.value).endswith("was removed (keep it with --keep-partial-trace)")


# --- function names of module code ---------------------------------------------------------------------

MODULES = {
    "program.py": "import pkg.mod\nprint(pkg.mod.twice(2))\n",
    "pkg/__init__.py": "X = 1\n",
    "pkg/mod.py": "def twice(x):\n    return 2 * x\n",
}
MODULE_FUNCTIONS = ["<toplevel>", "<__main__>", "<pkg>", "<pkg.mod>", "twice"]


def write_modules(folder) -> None:
    for name, source in MODULES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(source, encoding="utf-8")


def function_names(trace_dir) -> list[str]:
    events = json.loads((trace_dir / "trace.json").read_text(encoding="utf-8"))
    return [event["Function"]["name"] for event in events if "Function" in event]


def test_module_code_is_named_after_its_module_as_0_3_0_names_it(run_cli, tmp_path):
    write_modules(tmp_path)
    result = run_cli("--trace-dir", "trace", "program.py")
    assert result.returncode == 0, result.stderr
    assert function_names(tmp_path / "trace") == MODULE_FUNCTIONS


# --- side by side with 0.3.0, where it is installed ----------------------------------------------------

@requires_released
def test_function_names_are_the_ones_0_3_0_writes(tmp_path, monkeypatch):
    write_modules(tmp_path)
    # 0.3.0 does not put the script's folder on sys.path (and `-P` keeps the working directory off it).
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    released = run_released("-m", "codetracer_python_recorder", "--format", "json", "--trace-dir", "released",
                            "program.py", cwd=tmp_path)
    assert released.returncode == 0, released.stderr
    assert function_names(tmp_path / "released") == MODULE_FUNCTIONS


@requires_released
def test_the_released_interpreter_runs_the_installed_0_3_0_even_from_this_folder():
    released = run_released(
        "-c", "import codetracer_python_recorder as r, importlib.metadata as m; print(m.version(r.__name__), r.__file__)",
        cwd=PROJECT_DIR,
    )
    version, location = released.stdout.split()
    assert version == "0.3.0" and not location.startswith(str(PROJECT_DIR)), released.stdout


@requires_released
def test_every_0_3_0_flag_is_accepted(run_cli, tmp_path):
    released = run_released("-m", "codetracer_python_recorder", "--help", cwd=tmp_path).stdout
    ours = run_cli("--help").stdout
    flags = {word.strip("[],") for word in released.split() if word.startswith(("--", "[--"))}
    assert flags and {flag for flag in flags if flag not in ours} == set()


@requires_released
def test_defaults_and_a_0_3_0_filter_file_give_the_same_files_as_0_3_0(run_cli, write_script, tmp_path):
    script = write_script(ATTRIBUTES_PROGRAM)
    (tmp_path / "attributes.toml").write_text(ATTRIBUTES_FILTER)
    arguments = ("--trace-filter", str(tmp_path / "attributes.toml"), "--io-capture", "proxies+fd", str(script))
    (tmp_path / "released").mkdir()
    released = run_released("-m", "codetracer_python_recorder", *arguments, cwd=tmp_path / "released")
    ours = run_cli(*arguments, as_given=True)
    assert released.returncode == ours.returncode == 0, (released.stderr, ours.stderr)
    listing = sorted(path.name for path in (tmp_path / "released" / "trace-out").iterdir())
    assert sorted(path.name for path in (tmp_path / "trace-out").iterdir()) == listing


def json_types(value, path="") -> dict[str, str]:
    """Every leaf of a JSON document by its path (``a.b[0].c``), with its JSON type."""
    if isinstance(value, dict):
        return {key: kind for name, item in value.items() for key, kind in json_types(item, f"{path}.{name}".lstrip(".")).items()}
    if isinstance(value, list) and value:
        return {key: kind for index, item in enumerate(value) for key, kind in json_types(item, f"{path}[{index}]").items()}
    return {path: type(value).__name__}


@requires_released
def test_metadata_has_every_field_0_3_0_writes_with_its_type_and_value(run_cli, write_script, tmp_path):
    script = write_script(EXITING_PROGRAM)
    arguments = ("--format", "json", str(script), "one")
    released = run_released("-m", "codetracer_python_recorder", "--trace-dir", "released", *arguments, cwd=tmp_path)
    ours = run_cli("--trace-dir", "ours", *arguments, as_given=True)
    assert released.returncode == 0 and ours.returncode == 3, (released.stderr, ours.stderr)
    theirs_metadata, our_metadata = read_metadata(tmp_path / "released"), read_metadata(tmp_path / "ours")
    theirs_types, our_types = json_types(theirs_metadata), json_types(our_metadata)
    expected = theirs_types
    assert any(path.startswith("trace_filter.stats.") for path in expected), sorted(expected)
    assert expected and {path: our_types.get(path) for path in expected} == expected
    for field in ("args", "program", "workdir", "process_exit_status"):
        assert our_metadata[field] == theirs_metadata[field], field
    assert {key: our_metadata["recorder"][key] for key in ("name", "target_script")} == {
        key: theirs_metadata["recorder"][key] for key in ("name", "target_script")
    }
    # The hashes differ: 0.3.0 hashed its embedded TOML, ours hashes our built-in filter's definition.
    assert without_hashes(our_metadata["trace_filter"]["filters"]) == without_hashes(theirs_metadata["trace_filter"]["filters"])


def without_hashes(filters: list[dict]) -> list[dict]:
    return [{key: value for key, value in entry.items() if key != "sha256"} for entry in filters]


# What 0.3.0's public modules offer: each name of their ``__all__``, and for a function its parameters
# (name and kind), printed by the released interpreter as JSON.
RELEASED_SURFACE = """
import importlib, inspect, json
surface = {}
for module_name in ("codetracer_python_recorder", "codetracer_python_recorder.api", "codetracer_python_recorder.session",
                    "codetracer_python_recorder.formats", "codetracer_python_recorder.auto_start"):
    module = importlib.import_module(module_name)
    for name in module.__all__:
        value = getattr(module, name)
        parameters = None
        if inspect.isfunction(value) or (callable(value) and not inspect.isclass(value)):
            try:
                parameters = [[p.name, p.kind.name] for p in inspect.signature(value).parameters.values()]
            except (TypeError, ValueError):
                pass
        surface[f"{module_name}:{name}"] = parameters
print(json.dumps(surface))
"""


def accepts(function, parameters: list[list[str]]) -> list[str]:
    """The parameters of 0.3.0's function that a call to ``function`` could not pass the same way."""
    ours = inspect.signature(function).parameters
    takes_keywords = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in ours.values())
    positional = [p.name for p in ours.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    missing = []
    for index, (name, kind) in enumerate(parameters):
        if kind in ("VAR_POSITIONAL", "VAR_KEYWORD"):
            continue
        if kind in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD") and positional[index : index + 1] != [name]:
            missing.append(f"{name} (position {index})")
        elif kind != "POSITIONAL_ONLY" and name not in ours and not takes_keywords:
            missing.append(name)
    return missing


@requires_released
def test_every_public_name_and_parameter_of_0_3_0_is_here(tmp_path):
    released = run_released("-c", RELEASED_SURFACE, cwd=tmp_path)
    assert released.returncode == 0, released.stderr
    surface = json.loads(released.stdout)
    assert len(surface) > 20
    problems = {}
    for key, parameters in surface.items():
        module_name, name = key.split(":")
        module = importlib.import_module(module_name)
        if not hasattr(module, name):
            problems[key] = "missing"
        elif parameters is not None and (missing := accepts(getattr(module, name), parameters)):
            problems[key] = missing
    assert problems == {}
