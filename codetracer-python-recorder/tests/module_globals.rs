//! A function's module globals are looked up again only when a dict watcher saw its module's dict
//! change (`capture::globals`): every rebinding, in-place change, new dict and new recording must
//! still show at the next step, in both formats.

mod support;

use _native::config::Format;
use _native::session;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use support::{config_for, read_events, record, record_configured, serial, variables_at, TempDir};

const PROGRAM: &str = "\
import types
limit = 1
items = [1]

def show():
    seen = limit  # read
    return seen, items

show()
limit = 2
show()
items.append(2)
show()
items = [7]
show()
del limit
try:
    show()
except NameError:
    pass
limit = 3
show()
other = {'limit': 'other', 'items': ['x'], 'len': len}
types.FunctionType(show.__code__, other)()
show()
";

fn read_line(source: &str) -> i64 {
    source.lines().position(|line| line.ends_with("# read")).unwrap() as i64 + 1
}

#[test]
fn rebound_mutated_deleted_and_other_dicts_show_at_each_step() {
    let pair = |limit: Option<&str>, items: &str| {
        let mut values = Vec::new();
        if let Some(limit) = limit {
            values.push(("limit".to_string(), limit.to_string()));
        }
        values.push(("items".to_string(), items.to_string()));
        values
    };
    let expected = [
        pair(Some("1"), "[1]"),
        pair(Some("2"), "[1]"),
        pair(Some("2"), "[1, 2]"),
        pair(Some("2"), "[7]"),
        pair(None, "[7]"),
        pair(Some("3"), "[7]"),
        pair(Some("\"other\""), "[\"x\"]"),
        pair(Some("3"), "[7]"),
    ];
    for format in [Format::Json, Format::Binary] {
        let recording = record("module_globals", PROGRAM, format);
        for (occurrence, values) in expected.iter().enumerate() {
            assert_eq!(
                &variables_at(&recording.events, read_line(PROGRAM), occurrence),
                values,
                "{format:?}, call {occurrence}"
            );
        }
    }
}

const FUNCTION: &str = "\
limit = 1

def show():
    seen = limit  # read
    return seen
";

/// `FUNCTION` run unrecorded as module `program` from `script`: its globals, holding `show`.
fn load_function<'py>(py: Python<'py>, script: &std::path::Path) -> Bound<'py, PyDict> {
    let builtins = py.import("builtins").unwrap();
    let code = builtins.getattr("compile").unwrap().call1((FUNCTION, script.display().to_string(), "exec")).unwrap();
    let globals = PyDict::new(py);
    globals.set_item("__name__", "program").unwrap();
    builtins.getattr("exec").unwrap().call1((code, &globals)).unwrap();
    globals
}

/// Records one call of `show` in `globals`, with the recorder started and stopped around it.
fn record_call(py: Python<'_>, program: &std::path::Path, globals: &Bound<'_, PyDict>, trace_dir: &std::path::Path) {
    let mut config = config_for(py, trace_dir, Format::Json);
    config.program = program.display().to_string();
    session::start(py, config).unwrap();
    let outcome = globals.get_item("show").unwrap().unwrap().call0();
    session::stop(py, session::Ending { exit_status: Some(0), error: None }).unwrap();
    outcome.unwrap();
}

#[test]
fn a_global_rebound_while_not_recording_shows_in_the_next_recording() {
    let _serial = serial();
    let dir = TempDir::new("module_globals_restart");
    let script = dir.path().join("program.py");
    std::fs::write(&script, FUNCTION).unwrap();
    let traces = [dir.path().join("first"), dir.path().join("second")];
    Python::attach(|py| {
        let globals = load_function(py, &script);
        record_call(py, &script, &globals, &traces[0]);
        // Not watched now: the next recording must not trust what the first one remembered.
        globals.set_item("limit", 2).unwrap();
        record_call(py, &script, &globals, &traces[1]);
    });
    for (trace, limit) in traces.iter().zip(["1", "2"]) {
        let events = read_events(trace, Format::Json);
        assert_eq!(variables_at(&events, read_line(FUNCTION), 0), vec![("limit".to_string(), limit.to_string())]);
    }
}

/// Runs `source` in the embedded interpreter outside any recording.
fn run<'py>(py: Python<'py>, source: &str) -> Bound<'py, PyDict> {
    let namespace = PyDict::new(py);
    py.run(&std::ffi::CString::new(source).unwrap(), Some(&namespace), None).unwrap();
    namespace
}

/// Records `source` as `__main__` like `support::record`, for a test that already holds the tests' lock.
fn record_locked(py: Python<'_>, dir: &TempDir, source: &str) -> Vec<codetracer_trace_types::TraceLowLevelEvent> {
    let script = dir.path().join("program.py");
    std::fs::write(&script, source).unwrap();
    let trace_dir = dir.path().join("trace");
    let mut config = config_for(py, &trace_dir, Format::Json);
    config.program = script.display().to_string();
    let builtins = py.import("builtins").unwrap();
    let code = builtins.getattr("compile").unwrap().call1((source, script.display().to_string(), "exec")).unwrap();
    let globals = PyDict::new(py);
    globals.set_item("__name__", "__main__").unwrap();
    session::start(py, config).unwrap();
    let outcome = builtins.getattr("exec").unwrap().call1((code, &globals));
    session::stop(py, session::Ending { exit_status: Some(0), error: None }).unwrap();
    outcome.unwrap();
    read_events(&trace_dir, Format::Json)
}

#[test]
fn with_every_dict_watcher_id_taken_globals_are_looked_up_at_each_step() {
    // The lock is held throughout: no other test records while the ids are taken, and none of this
    // test's snippets lands in another test's recording.
    let _serial = serial();
    let dir = TempDir::new("module_globals_no_watcher");
    let events = Python::attach(|py| {
        // CPython's own test module holds the ids (eight; 3.13 keeps two for itself) until cleared.
        let taken = run(py, "import _testcapi\nids = []\ntry:\n    while True:\n        ids.append(_testcapi.add_dict_watcher(0))\nexcept RuntimeError:\n    pass\n");
        let events = record_locked(py, &dir, PROGRAM);
        let code =
            std::ffi::CString::new("import _testcapi\nfor id in ids:\n    _testcapi.clear_dict_watcher(id)\n").unwrap();
        py.run(&code, Some(&taken), None).unwrap();
        events
    });
    let line = read_line(PROGRAM);
    assert_eq!(variables_at(&events, line, 1), vec![("limit".into(), "2".into()), ("items".into(), "[1]".into())]);
    assert_eq!(variables_at(&events, line, 2), vec![("limit".into(), "2".into()), ("items".into(), "[1, 2]".into())]);
}

#[test]
fn a_watcher_registered_after_the_recording_gets_no_events_from_the_dicts_it_watched() {
    let _serial = serial();
    let dir = TempDir::new("module_globals_unwatched");
    let script = dir.path().join("program.py");
    std::fs::write(&script, FUNCTION).unwrap();
    Python::attach(|py| {
        let globals = load_function(py, &script);
        record_call(py, &script, &globals, &dir.path().join("trace"));
        // The next watcher gets the id the recorder freed; the dict it watched must not report to it.
        let namespace = run(py, "import _testcapi\nwatcher = _testcapi.add_dict_watcher(0)\n");
        namespace.set_item("module_globals", &globals).unwrap();
        let check = "module_globals['limit'] = 5\nevents = _testcapi.get_dict_watcher_events()\n_testcapi.clear_dict_watcher(watcher)\n";
        py.run(&std::ffi::CString::new(check).unwrap(), Some(&namespace), None).unwrap();
        let events: Vec<String> = namespace.get_item("events").unwrap().unwrap().extract().unwrap();
        assert_eq!(events, Vec::<String>::new());
    });
}

/// Every way a program can change a function's module globals between two of its steps, each
/// followed by a step where the local `seen` was just read from the global `limit`: the two must
/// agree at every such step.
const CHANGES: &str = "\
import sys, threading, types

limit = 0

def check():
    seen = limit
    return seen  # check

def across_steps(change):
    seen = limit
    change()
    seen = limit
    return seen  # check

check()

# Another thread rebinds the global between two steps of the same call.
ready, changed = threading.Event(), threading.Event()
def other_thread():
    global limit
    ready.wait()
    limit = 1
    changed.set()
worker = threading.Thread(target=other_thread)
worker.start()
across_steps(lambda: (ready.set(), changed.wait()))
worker.join()

across_steps(lambda: sys._getframe(1).f_globals.__setitem__('limit', 2))
across_steps(lambda: globals().update(limit=3))
across_steps(lambda: exec('limit = 4', globals()))
across_steps(lambda: globals().pop('limit') and globals().setdefault('limit', 5))
def delete_then_bind():
    global limit
    del limit
    limit = 6
across_steps(delete_then_bind)
across_steps(lambda: globals().__ior__({'limit': 7}))
across_steps(lambda: globals().__init__(limit=8))

# A module's dict, changed through the module object and through vars().
module = types.ModuleType('module')
module.limit = 9
in_module = types.FunctionType(across_steps.__code__, vars(module))
in_module(lambda: setattr(module, 'limit', 10))
in_module(lambda: vars(module).update(limit=11))
in_module(lambda: module.__dict__.__setitem__('limit', 12))
in_module(lambda: delattr(module, 'limit') or setattr(module, 'limit', 13))
across_steps(lambda: None)

# A dict subclass as globals (its lookups are never remembered).
class Namespace(dict):
    pass
namespace = Namespace(limit=14, __builtins__=__builtins__)
types.FunctionType(across_steps.__code__, namespace)(lambda: namespace.__setitem__('limit', 15))

# Dicts freed right after their call, the next one made at the same address (CPython's free list)
# with another object under the same name: no other watched dict changes meanwhile, and each value
# is kept alive, so a lookup remembered from the freed dict would show the one before.
def fresh_dicts():
    kept = []
    for value in range(20, 40):
        kept.append([value])
        types.FunctionType(check.__code__, {'limit': kept[-1], '__builtins__': __builtins__})()
fresh_dicts()
check()
";

/// `(seen, limit)` at each step of the lines marked `# check`, in the order they ran.
fn seen_and_limit(source: &str, events: &[codetracer_trace_types::TraceLowLevelEvent]) -> Vec<(String, String)> {
    let lines: Vec<i64> = source
        .lines()
        .enumerate()
        .filter(|(_, line)| line.ends_with("# check"))
        .map(|(index, _)| index as i64 + 1)
        .collect();
    let mut found = Vec::new();
    for line in lines {
        for occurrence in 0.. {
            let values = variables_at(events, line, occurrence);
            if values.is_empty() {
                break;
            }
            let value_of = |wanted: &str| {
                values
                    .iter()
                    .find(|(name, _)| name == wanted)
                    .map_or("<missing>".to_string(), |(_, value)| value.clone())
            };
            found.push((value_of("seen"), value_of("limit")));
        }
    }
    found
}

#[test]
fn globals_changed_by_threads_frames_modules_exec_and_new_dicts_show_at_the_next_step() {
    for format in [Format::Json, Format::Binary] {
        let recording = record("module_globals_changes", CHANGES, format);
        let pairs = seen_and_limit(CHANGES, &recording.events);
        // check(): once at the start, 20 fresh dicts, once at the end; across_steps: 14 calls.
        assert_eq!(pairs.len(), 2 + 20 + 14, "{format:?}: {pairs:?}");
        for (seen, limit) in &pairs {
            assert_eq!(
                seen, limit,
                "{format:?}: a step shows a global other than the one its function read: {pairs:?}"
            );
        }
    }
}

const SHADOWING: &str = "\
def size():
    seen = len
    return seen  # builtin

size()
len = 'shadow'
size()
del len
size()
";

#[test]
fn a_builtin_is_not_recorded_until_a_module_global_shadows_it() {
    let recording = record("module_globals_shadowing", SHADOWING, Format::Json);
    let line = SHADOWING.lines().position(|line| line.ends_with("# builtin")).unwrap() as i64 + 1;
    let global_len = |occurrence| {
        variables_at(&recording.events, line, occurrence)
            .into_iter()
            .find(|(name, _)| name == "len")
            .map(|(_, value)| value)
    };
    assert_eq!(global_len(0), None);
    assert_eq!(global_len(1), Some("\"shadow\"".to_string()));
    assert_eq!(global_len(2), None);
}

/// With `call_repr`, a global's `__repr__` (user code run while the remembered lookup is visited)
/// deletes the next global, whose only reference was the module's dict (no local holds the object
/// whose repr deletes, so the repr runs while the globals are visited).
const REPR_DELETES: &str = "\
arm = [False]

class Deleter:
    def __repr__(self):
        if arm[0] and 'victim' in globals():
            del globals()['victim']
        return 'Deleter'

deleter = Deleter()
victim = [12345]

def f():
    deleter
    arm[0] = True
    seen = victim if 'victim' in globals() else None
    return seen  # check
f()
";

#[test]
fn a_global_deleted_by_another_globals_repr_is_not_read_from_the_remembered_lookup() {
    let recording = record_configured("module_globals_repr_deletes", REPR_DELETES, Format::Json, |config| {
        config.limits.call_repr = true
    });
    let line =
        |text: &str| REPR_DELETES.lines().position(|line| line.trim_start().starts_with(text)).unwrap() as i64 + 1;
    let names = |line| variables_at(&recording.events, line, 0).into_iter().map(|(name, _)| name).collect::<Vec<_>>();
    assert_eq!(names(line("arm[0] = True")), ["deleter", "arm", "victim"]);
    // The step after the arming: the repr of `deleter` deletes `victim` while the step is captured.
    assert_eq!(names(line("seen = victim")), ["deleter", "arm"]);
}
