"""Edges of 0.3.0's behaviour found by running its own material side by side with this recorder: the
names its built-in filter redacts, where a filter file's ``file:`` selectors start from, and the exit
status of a crash without ``--propagate-script-exit``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from released_recorder import RELEASED_PYTHON, requires_released, run_released
from trace_reading import load_trace

from codetracer_python_recorder.errors import FilterError
from codetracer_python_recorder.filters import FilterChain, file_pattern

# Every alternative of 0.3.0's built-in secret pattern (resources/trace_filters/builtin_default.toml in its
# sdist), as a variable name.
SECRET_NAMES_0_3_0 = (
    "password", "passwd", "pwd", "secret", "my_token", "session", "cookie", "auth", "credential", "creds",
    "bearer", "ssn", "credit_card", "iban", "cvv", "cvc", "pan", "card_number", "api_key", "apikey",
    "private_key", "secret_key", "ssh_key", "jwt", "refresh_token", "access_token", "db_pass",
)
OUR_OWN_SECRET_NAMES = ("signature", "access_key", "passphrase", "authorization", "oauth")
# 0.3.0 matched its short words anywhere, so these ordinary names were redacted too; here `pass`, `auth`,
# `pan`, `card` and `ssn` match only as a whole segment of a name (`user_pass`, `cardNumber`, `PAN`).
ORDINARY_NAMES_0_3_0_REDACTED = (
    "passenger", "bypass", "author", "company", "span", "expand", "discard", "wildcard", "cardinality", "classname",
)
# The short words as segments, and camelCase humps.
SEGMENT_SECRET_NAMES = ("userPass", "authHeader", "basic_auth", "PAN", "panNumber", "cardNumber", "CARD_NO", "user_ssn")


def test_secret_names_are_redacted_and_ordinary_names_holding_a_short_secret_word_are_not():
    secret = [*SECRET_NAMES_0_3_0, *OUR_OWN_SECRET_NAMES, *SEGMENT_SECRET_NAMES]
    names = [*secret, *ORDINARY_NAMES_0_3_0_REDACTED, "plain", "count"]
    answer = FilterChain.load([]).resolve("/app/main.py", "main", "f", {"local": names, "arg": names})
    for domain in ("local", "arg"):
        assert answer[domain] == {name: "redact" for name in secret}


def visible_marks(trace_file: Path) -> set[int]:
    return {int(number) for number in re.findall(r'"mark(\d+)"', trace_file.read_text(encoding="utf-8"))}


@requires_released
def test_no_secret_value_0_3_0_redacts_by_default_is_recorded_here(run_cli, write_script, tmp_path):
    names = [*SECRET_NAMES_0_3_0, *ORDINARY_NAMES_0_3_0_REDACTED, "plain"]
    assignments = "; ".join(f'{name} = "mark{index}"' for index, name in enumerate(names))
    script = write_script(f"def f():\n    {assignments}\n    return 0\nf()\n")
    released = run_released(
        "-m", "codetracer_python_recorder", "--format", "json", "--trace-dir", "released", str(script), cwd=tmp_path
    )
    ours = run_cli("--trace-dir", "ours", str(script))
    assert released.returncode == ours.returncode == 0, (released.stderr, ours.stderr)
    shown_here = set(range(len(SECRET_NAMES_0_3_0), len(names)))
    assert visible_marks(tmp_path / "released" / "trace.json") == {len(names) - 1}
    assert visible_marks(tmp_path / "ours" / "trace.json") == shown_here


SKIP_FILTER = """\
[meta]
name = "skip-main"
version = 1

[scope]
default_exec = "trace"
default_value_action = "allow"

[[scope.rules]]
selector = "file:app/main.py"
exec = "skip"
"""


@pytest.mark.parametrize(
    ("filter_file", "skipped"),
    [
        ("skip.toml", True),  # beside the project's folders: `app/main.py` is the program
        ("conf/skip.toml", False),  # `app/main.py` from conf/ is conf/app/main.py
        (".codetracer/filters/skip.toml", True),  # under .codetracer: from the project holding it
    ],
)
def test_file_selectors_start_from_the_filter_files_folder_not_the_working_directory(
    tmp_path, monkeypatch, filter_file, skipped
):
    (tmp_path / filter_file).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / filter_file).write_text(SKIP_FILTER)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    answer = FilterChain.load([tmp_path / filter_file]).resolve(str(tmp_path / "app" / "main.py"), "main", "f", {})
    assert (answer is None) == skipped


@pytest.mark.parametrize(
    "selector",
    ["file:./my app/main.py", "file:my app/./sub/../main.py", "file:my app/*.py", "file:literal:./my app/main.py"],
)
def test_file_selectors_with_dot_segments_and_spaces_name_the_file_as_0_3_0_read_them(tmp_path, selector):
    (tmp_path / "skip.toml").write_text(SKIP_FILTER.replace('"file:app/main.py"', repr(selector)))
    chain = FilterChain.load([tmp_path / "skip.toml"])
    assert chain.resolve(str(tmp_path / "my app" / "main.py"), "main", "f", {}) is None
    assert chain.resolve(str(tmp_path / "my app" / "other" / "main.py"), "main", "f", {}) is not None


def test_file_selectors_written_with_backslashes_use_them_as_separators_on_windows_only():
    assert file_pattern(r".\src\app\*.py", windows=True) == "src/app/*.py"
    assert file_pattern(r"C:\proj\app.py", windows=True) == "C:/proj/app.py"
    # Elsewhere a backslash is a glob escape, as in 0.3.0's globs.
    assert file_pattern(r"src/\*.py", windows=False) == r"src/\*.py"


PROGRAM_IN_APP = """\
def work():
    inside_work = 42
    return inside_work
work()
"""


@requires_released
@pytest.mark.parametrize("filter_file", ["skip.toml", "conf/skip.toml"])
def test_file_selectors_match_the_same_code_as_in_0_3_0(run_cli, tmp_path, filter_file):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(PROGRAM_IN_APP)
    (tmp_path / filter_file).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / filter_file).write_text(SKIP_FILTER)
    arguments = ("--format", "json", "--trace-filter", str(tmp_path / filter_file), str(tmp_path / "app" / "main.py"))
    (tmp_path / "released").mkdir()
    released = run_released("-m", "codetracer_python_recorder", *arguments, cwd=tmp_path / "released")
    ours = run_cli(*arguments, as_given=True)
    assert released.returncode == ours.returncode == 0, (released.stderr, ours.stderr)
    recorded = ["inside_work" in (tmp_path / where / "trace-out" / "trace.json").read_text() for where in ("released", ".")]
    assert recorded[0] == recorded[1] == (filter_file != "skip.toml")


CRASH = """\
def fail():
    raise ValueError("boom")
fail()
"""


def test_without_propagation_sys_exit_gives_0_and_a_crash_still_gives_1(run_cli, write_script):
    exiting = run_cli("--no-propagate-script-exit", str(write_script("import sys\nsys.exit(3)\n", "exits.py")))
    assert exiting.returncode == 0 and "exited with status 3" in exiting.stderr, exiting.stderr
    crashing = run_cli("--no-propagate-script-exit", str(write_script(CRASH, "crashes.py")))
    assert crashing.returncode == 1, crashing.stderr
    assert crashing.stderr.rstrip().endswith("ValueError: boom"), crashing.stderr


@requires_released
def test_without_propagation_a_crash_exits_as_in_0_3_0(run_cli, write_script, tmp_path):
    script = write_script(CRASH, "crashes.py")
    released = run_released("-m", "codetracer_python_recorder", "--format", "json", str(script), cwd=tmp_path)
    ours = run_cli("--no-propagate-script-exit", str(script))
    assert released.returncode == ours.returncode == 1, (released.stderr, ours.stderr)
    assert "ValueError" in released.stderr and "boom" in released.stderr  # colours on 3.13 under FORCE_COLOR


@pytest.mark.parametrize(
    ("command_line", "module"),
    [
        (["python", "-m", "codetracer_python_recorder", "x.py"], "codetracer_python_recorder"),
        (["python", "-mpkg.main"], "pkg.main"),
        (["python", "-I", "-W", "ignore", "-Xdev", "-Bm", "pkg.main", "-m", "x"], "pkg.main"),
        (["python", "-c", "import x", "-m", "y"], None),
        (["python", "script.py", "-m", "y"], None),
    ],
)
def test_the_module_run_with_dash_m_is_read_from_the_interpreters_command_line(monkeypatch, command_line, module):
    from codetracer_python_recorder import auto_start

    monkeypatch.setattr("sys.orig_argv", command_line)
    assert auto_start._module_run_with_dash_m() == module


def test_environment_auto_start_records_a_program_run_with_dash_m(tmp_path):
    """`python -m pkg.main` imports `pkg` (here importing the recorder, as a sitecustomize could) while
    `sys.argv[0]` is still `-m`, as it is when `python -m codetracer_python_recorder` starts."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("import codetracer_python_recorder\n")
    (tmp_path / "pkg" / "main.py").write_text("def work(n):\n    doubled = n * 2\n    return doubled\nwork(21)\n")
    environment = {**os.environ, "CODETRACER_TRACE": "auto", "CODETRACER_FORMAT": "json", "CODETRACER_CAPTURE_IO": "off"}
    result = subprocess.run(
        [sys.executable, "-m", "pkg.main"], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    trace = load_trace(tmp_path / "auto")
    assert ("call", "work", {"n": "21"}) in trace.calls(str(tmp_path / "pkg" / "main.py"))


def filter_with_selector(selector: str, pattern: str | None = None) -> str:
    text = f'[meta]\nname = "t"\nversion = 1\n\n[[scope.rules]]\nselector = "{selector}"\n'
    if pattern is not None:
        text += f'[[scope.rules.value_patterns]]\nselector = "{pattern}"\naction = "redact"\n'
    return text


REFUSED_SELECTORS = [
    (filter_with_selector("pkg:*", "local:regx:^pin"), "has match type 'regx'; expected one of glob, regex, literal"),
    (filter_with_selector("pkg:app:main"), "has match type 'app'"),
    (filter_with_selector("pkg:regex:"), "'pkg:regex:' has an empty pattern"),
    (filter_with_selector("pkg:"), "'pkg:' has an empty pattern"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED_SELECTORS)
def test_a_misspelt_match_type_or_an_empty_pattern_is_refused_naming_the_selector(tmp_path, text, message):
    (tmp_path / "filter.toml").write_text(text)
    with pytest.raises(FilterError) as raised:
        FilterChain.load([tmp_path / "filter.toml"])
    assert str(tmp_path / "filter.toml") in str(raised.value) and message in str(raised.value)


def test_selectors_with_a_match_type_keep_the_colons_of_their_pattern(tmp_path):
    (tmp_path / "filter.toml").write_text(filter_with_selector("pkg:*", "local:regex:^(?:pin|cvn)_"))
    answer = FilterChain.load([tmp_path / "filter.toml"]).resolve("/app/x.py", "x", "f", {"local": ["pin_a", "id"]})
    assert answer["local"] == {"pin_a": "redact"}


@requires_released
@pytest.mark.parametrize(("text", "message"), [REFUSED_SELECTORS[0], REFUSED_SELECTORS[2]])
def test_0_3_0_refuses_the_same_selectors(write_script, tmp_path, text, message):
    (tmp_path / "filter.toml").write_text(text.replace("[[scope.rules]]", '[scope]\ndefault_exec = "trace"\ndefault_value_action = "allow"\n\n[[scope.rules]]', 1))
    script = write_script("x = 1\n")
    released = run_released("-m", "codetracer_python_recorder", "--trace-filter", "filter.toml", str(script), cwd=tmp_path)
    assert released.returncode == 1 and "invalid" in released.stderr and "selector" in released.stderr, released.stderr


def test_a_blank_log_file_or_level_clears_it_as_in_0_3_0(monkeypatch, tmp_path):
    from codetracer_python_recorder import policy

    saved = policy.current_policy()
    try:
        policy.configure_policy(log_file=tmp_path / "recorder.log")
        assert policy.policy_snapshot()["log_file"] == str(tmp_path / "recorder.log")
        monkeypatch.setenv("CODETRACER_LOG_FILE", "  ")
        policy.configure_policy_from_env()
        assert policy.policy_snapshot()["log_file"] is None
        policy.configure_policy(log_level="debug")
        policy.configure_policy(log_level=" ")
        assert policy.policy_snapshot()["log_level"] is None
    finally:
        policy._current = saved
        policy.configure_policy()


STOPPED_WITHOUT_STATUS = """\
import codetracer_python_recorder as recorder
session = recorder.start("trace", format="json")
session.stop()
"""


def toplevel_return(trace_dir: Path) -> dict:
    events = json.loads((trace_dir / "trace.json").read_text())
    return [event["Return"]["return_value"] for event in events if "Return" in event][-1]


def test_toplevel_returns_0_3_0s_placeholder_when_no_exit_status_is_known(tmp_path):
    result = subprocess.run([sys.executable, "-c", STOPPED_WITHOUT_STATUS], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    returned = toplevel_return(tmp_path / "trace")
    assert (returned["kind"], returned["text"]) == ("String", "<exit>")


@requires_released
def test_toplevel_placeholder_is_the_one_0_3_0_writes(tmp_path):
    released = run_released("-c", STOPPED_WITHOUT_STATUS, cwd=tmp_path)
    assert released.returncode == 0, released.stderr
    theirs = toplevel_return(tmp_path / "trace")
    assert (theirs["kind"], theirs["text"]) == ("String", "<exit>")


def test_0_3_0s_trace_balance_module_reads_a_trace(tmp_path):
    from codetracer_python_recorder import trace_balance

    result = subprocess.run([sys.executable, "-c", STOPPED_WITHOUT_STATUS], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    balance = trace_balance.summarize_trace_balance(trace_balance.load_trace_events(tmp_path / "trace" / "trace.json"))
    assert balance.is_balanced and balance.delta == 0 and balance.call_count >= 1
    unbalanced = trace_balance.summarize_trace_balance([{"Return": {}}, {"Call": {}}])
    assert (unbalanced.is_balanced, unbalanced.first_negative_index, unbalanced.delta) == (False, 0, 0)
    (tmp_path / "object.json").write_text("{}")
    with pytest.raises(trace_balance.TraceBalanceError, match="object.json: expected a JSON array of events, found a dict"):
        trace_balance.load_trace_events(tmp_path / "object.json")


@requires_released
def test_0_3_0s_helper_modules_offer_their_names_here():
    listing = "import importlib\nfor name in ('auto_start', 'cli', 'trace_balance'):\n    print(name, *sorted(importlib.import_module('codetracer_python_recorder.' + name).__all__))"
    released = run_released("-c", listing, cwd=Path.cwd())
    assert released.returncode == 0, released.stderr
    import importlib

    for line in released.stdout.splitlines():
        module, *names = line.split()
        ours = set(importlib.import_module(f"codetracer_python_recorder.{module}").__all__)
        # cli.RecorderCLIConfig was 0.3.0's parsed options, not something a program used (README).
        assert set(names) - ours <= {"RecorderCLIConfig"}, module


def test_the_script_imports_from_its_folder_and_from_the_working_directory_as_under_0_3_0(run_cli, tmp_path):
    """`python -m codetracer_python_recorder tools/run.py`: 0.3.0 ran it with the working directory
    importable (the entry `python -m` adds), `python tools/run.py` with the script's folder; both work."""
    (tmp_path / "tools").mkdir()
    (tmp_path / "helper.py").write_text("VALUE = 'from the working directory'\n")
    (tmp_path / "tools" / "sibling.py").write_text("VALUE = 'from the script folder'\n")
    (tmp_path / "tools" / "run.py").write_text("import sys, helper, sibling\nprint(helper.VALUE, sibling.VALUE, sys.path[0])\n")
    result = run_cli("tools/run.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [*"from the working directory".split(), *"from the script folder".split(), str(tmp_path / "tools")]


@pytest.mark.parametrize(
    "given",
    [{"require_trace": "no"}, {"json_errors": 1}, {"io_capture_fd_fallback": "yes"}, {"log_level": 10}],
)
def test_a_policy_value_of_the_wrong_type_is_a_type_error_as_in_0_3_0(restore_policy_fields, given):
    from codetracer_python_recorder import policy

    (name, value), = given.items()
    with pytest.raises(TypeError, match=rf"^configure_policy: {name} must be .* found {value!r}$"):
        policy.configure_policy(**given)
    assert policy.policy_snapshot() == restore_policy_fields


@pytest.fixture
def restore_policy_fields():
    from codetracer_python_recorder import policy

    saved = policy.current_policy()
    yield policy.policy_snapshot()
    policy._current = saved
    policy.configure_policy()


def test_a_log_file_that_cannot_be_opened_leaves_the_log_on_stderr_and_the_program_recorded(run_cli, write_script, tmp_path):
    script = write_script("print('ran')\n")
    result = run_cli("--log-file", str(tmp_path / "missing" / "recorder.log"), "--trace-dir", "out", str(script))
    assert result.returncode == 0 and result.stdout == "ran\n", result.stderr
    assert result.stderr.count("cannot open log file") == 1 and "logging to stderr instead" in result.stderr
    assert set(load_trace(tmp_path / "out").steps(str(script))) == {1}


def test_an_unopenable_log_file_in_the_environment_does_not_break_the_import(tmp_path):
    environment = {**os.environ, "CODETRACER_LOG_FILE": str(tmp_path / "missing" / "recorder.log")}
    result = subprocess.run(
        [sys.executable, "-c", "import codetracer_python_recorder; print('imported')"],
        env=environment, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0 and result.stdout == "imported\n", result.stderr


@pytest.mark.parametrize(
    ("selector", "redacted"),
    [("ret:glob:app.auth.*", True), ("ret:literal:app.auth.Issuer.issue", True), ("ret:issue", True), ("ret:glob:other.*", False)],
)
def test_ret_selectors_match_the_object_name_as_in_0_3_0_and_the_function_name(tmp_path, selector, redacted):
    (tmp_path / "filter.toml").write_text(filter_with_selector("pkg:*", selector))
    answer = FilterChain.load([tmp_path / "filter.toml"], builtin=False).resolve("/src/app/auth.py", "app.auth", "Issuer.issue", {})
    assert (answer["ret"] == "redact") == redacted


@requires_released
def test_a_ret_selector_on_the_object_name_redacts_as_in_0_3_0(run_cli, write_script, tmp_path):
    script = write_script("def compute(n):\n    return 'returned%d' % n\ncompute(7)\n")
    (tmp_path / "filter.toml").write_text(
        filter_with_selector("pkg:*", "ret:glob:__main__.*").replace("[[scope.rules]]", '[scope]\ndefault_exec = "trace"\ndefault_value_action = "allow"\n\n[[scope.rules]]', 1)
    )
    arguments = ("--format", "json", "--trace-filter", str(tmp_path / "filter.toml"), str(script))
    (tmp_path / "released").mkdir()
    released = run_released("-m", "codetracer_python_recorder", *arguments, cwd=tmp_path / "released")
    ours = run_cli(*arguments, as_given=True)
    assert released.returncode == ours.returncode == 0, (released.stderr, ours.stderr)
    for where in (tmp_path / "released", tmp_path):
        trace_text = (where / "trace-out" / "trace.json").read_text()
        assert "returned7" not in trace_text and "<redacted>" in trace_text, where


DROP_BUT_SHOWN = """\
[meta]
name = "drop-but-shown"
version = 1

[scope]
default_exec = "trace"
default_value_action = "drop"

[[scope.rules]]
selector = "pkg:*"
[[scope.rules.value_patterns]]
selector = "local:shown"
action = "allow"
"""


def test_a_drop_default_leaves_out_earlier_filters_patterns_as_in_0_3_0(tmp_path):
    (tmp_path / "filter.toml").write_text(DROP_BUT_SHOWN)
    answer = FilterChain.load([tmp_path / "filter.toml"]).resolve("/app/main.py", "main", "f", {"local": ["password", "shown", "other"]})
    # The built-in filter's redaction of `password` came before the drop: dropped, not shown as redacted.
    assert answer["local"] == {"password": "drop", "other": "drop"}


@requires_released
def test_a_drop_default_shows_the_same_variables_as_0_3_0(run_cli, write_script, tmp_path):
    script = write_script("def f():\n    password = 'secret1'\n    shown = 'visible1'\n    other = 'other1'\n    return 0\nf()\n")
    (tmp_path / "filter.toml").write_text(DROP_BUT_SHOWN)
    arguments = ("--format", "json", "--trace-filter", str(tmp_path / "filter.toml"), str(script))
    (tmp_path / "released").mkdir()
    released = run_released("-m", "codetracer_python_recorder", *arguments, cwd=tmp_path / "released")
    ours = run_cli(*arguments, as_given=True)
    assert released.returncode == ours.returncode == 0, (released.stderr, ours.stderr)
    names = [
        sorted({event["VariableName"] for event in json.loads((where / "trace-out" / "trace.json").read_text()) if "VariableName" in event})
        for where in (tmp_path / "released", tmp_path)
    ]
    assert names[0] == names[1] == ["shown"]


def test_module_level_names_are_matched_by_local_and_global_selectors(tmp_path):
    (tmp_path / "filter.toml").write_text(filter_with_selector("pkg:*", "local:pin"))
    chain = FilterChain.load([tmp_path / "filter.toml"], builtin=False)
    assert chain.resolve("/app/m.py", "m", "<module>", {"global": ["pin", "x"]}, namespace=True)["global"] == {"pin": "redact"}
    # In a function, `pin` read from the module is a global, which a `local:` selector does not name.
    assert chain.resolve("/app/m.py", "m", "f", {"global": ["pin"]})["global"] == {}


@pytest.mark.parametrize("recorder_under_test", ["ours", pytest.param("0.3.0", marks=requires_released)])
def test_a_local_selector_redacts_a_module_level_variable(run_cli, write_script, tmp_path, recorder_under_test):
    script = write_script("mod_pin = 'pin1234'\nx = 1\n")
    (tmp_path / "filter.toml").write_text(
        filter_with_selector("pkg:*", "local:mod_pin").replace("[[scope.rules]]", '[scope]\ndefault_exec = "trace"\ndefault_value_action = "allow"\n\n[[scope.rules]]', 1)
    )
    arguments = ("--format", "json", "--trace-filter", str(tmp_path / "filter.toml"), str(script))
    if recorder_under_test == "ours":
        result = run_cli(*arguments, as_given=True)
    else:
        result = run_released("-m", "codetracer_python_recorder", *arguments, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    trace_text = (tmp_path / "trace-out" / "trace.json").read_text()
    assert "pin1234" not in trace_text and "<redacted>" in trace_text


def test_trace_summary_into_a_closed_pipe_prints_no_traceback(run_cli, write_script, tmp_path):
    """`codetracer-python-recorder trace summary DIR | head`, a newcomer's first look inside a trace."""
    assert run_cli("--trace-dir", "out", str(write_script("x = 1\n"))).returncode == 0
    with subprocess.Popen(
        [sys.executable, "-m", "codetracer_python_recorder", "trace", "summary", "out"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as reader:
        reader.stdout.close()
        stderr = reader.stderr.read()
        status = reader.wait(timeout=60)
    assert status == 0 and stderr == ""


def test_start_reads_policy_levels_through_str_as_0_3_0_did(tmp_path, restore_policy_fields):
    import enum

    import codetracer_python_recorder as recorder

    class OnError(enum.Enum):
        DISABLE = "disable"

        def __str__(self) -> str:
            return self.value

    session = recorder.start(tmp_path / "trace", policy={"on_recorder_error": OnError.DISABLE}, apply_env_policy=False)
    try:
        assert recorder.policy_snapshot()["on_recorder_error"] == "disable"
    finally:
        session.stop()
    with pytest.raises(TypeError, match="require_trace must be True or False"):
        recorder.start(tmp_path / "other", policy={"require_trace": "yes"}, apply_env_policy=False)
    assert not recorder.is_tracing()


def test_start_on_enter_expands_a_tilde_as_0_3_0_did(tmp_path, monkeypatch):
    import codetracer_python_recorder as recorder

    monkeypatch.setenv("HOME", str(tmp_path))
    recorder.start(tmp_path / "trace", format="json", start_on_enter="~/app.py").stop()
    metadata = json.loads((tmp_path / "trace" / "trace_metadata.json").read_text())
    assert metadata["activation_path"] == str(tmp_path / "app.py")


def test_a_bad_policy_variable_under_the_command_is_one_line_and_exit_1(write_script, tmp_path):
    script = write_script("x = 1\n")
    environment = {**os.environ, "CODETRACER_ON_RECORDER_ERROR": "explode"}
    command = [sys.executable, "-m", "codetracer_python_recorder", "--json-errors", str(script)]
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    message, trailer = result.stderr.splitlines()
    assert message == "codetracer-python-recorder: error: CODETRACER_ON_RECORDER_ERROR: expected 'abort' or 'disable', found 'explode'"
    assert json.loads(trailer)["error_code"] == "ERR_INVALID_POLICY_VALUE"


@requires_released
def test_a_bad_policy_variable_fails_the_command_as_in_0_3_0(write_script, tmp_path):
    script = write_script("x = 1\n")
    released = subprocess.run(
        [RELEASED_PYTHON, "-P", "-m", "codetracer_python_recorder", str(script)],
        cwd=tmp_path, env={**os.environ, "CODETRACER_ON_RECORDER_ERROR": "explode"}, capture_output=True, text=True, timeout=60,
    )
    assert released.returncode == 1 and "invalid on_recorder_error value 'explode'" in released.stderr


APP_MAIN = "def main():\n    answer = 42\n    print('app ran', answer)\nmain()\n"


@pytest.mark.parametrize("packed", [False, True])
def test_a_folder_or_zip_app_runs_and_is_recorded_from_its_main(run_cli, tmp_path, packed):
    """`python app/` and `python app.pyz` run `__main__.py`; 0.3.0 ran them too (recording none of it)."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text(APP_MAIN)
    target = "app"
    if packed:
        import zipapp

        zipapp.create_archive(tmp_path / "app", tmp_path / "app.pyz")
        target = "app.pyz"
    result = run_cli("--trace-dir", "out", target)
    assert result.returncode == 0 and result.stdout == "app ran 42\n", result.stderr
    trace = load_trace(tmp_path / "out")
    assert ("call", "main", {}) in trace.calls(str(tmp_path / target / "__main__.py"))


def test_a_folder_without_main_is_a_one_line_error(run_cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_cli("--trace-dir", "out", "empty")
    assert result.returncode == 2
    assert result.stderr == "codetracer-python-recorder: error: script empty has no __main__.py to run\n"


def test_environment_helpers_in_site_packages_are_skipped_and_packages_recorded(write_script, tmp_path):
    """setuptools' `_distutils_hack` is a finder asked on every import in most environments; 0.3.0's
    built-in filter skipped it and virtualenv's `_virtualenv.py`. A real package beside them is recorded."""
    site_packages = tmp_path / "site-packages"
    (site_packages / "_distutils_hack").mkdir(parents=True)
    (site_packages / "_distutils_hack" / "__init__.py").write_text("def find_spec(name):\n    hack_local = name\n    return None\n")
    (site_packages / "_virtualenv.py").write_text("def patch():\n    venv_local = 1\n    return venv_local\n")
    (site_packages / "thirdparty.py").write_text("def helper():\n    package_local = 2\n    return package_local\n")
    script = write_script("import _distutils_hack, _virtualenv, thirdparty\n_distutils_hack.find_spec('x')\n_virtualenv.patch()\nthirdparty.helper()\n")
    environment = {**os.environ, "PYTHONPATH": str(site_packages)}
    command = [sys.executable, "-m", "codetracer_python_recorder", "--format", "json", "--trace-dir", "out", str(script)]
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    functions = [event["Function"]["name"] for event in json.loads((tmp_path / "out" / "trace.json").read_text()) if "Function" in event]
    assert "helper" in functions and "find_spec" not in functions and "patch" not in functions
