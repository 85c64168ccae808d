//! A function's module globals are looked up again only when a dict watcher saw its module's dict
//! change (`capture::globals`): every rebinding, in-place change, new dict and new recording must
//! still show at the next step, in both formats.

mod support;

use _native::config::Format;
use _native::session;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use support::{config_for, read_events, record, serial, variables_at, TempDir};

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
        let builtins = py.import("builtins").unwrap();
        let code =
            builtins.getattr("compile").unwrap().call1((FUNCTION, script.display().to_string(), "exec")).unwrap();
        let globals = PyDict::new(py);
        globals.set_item("__name__", "program").unwrap();
        builtins.getattr("exec").unwrap().call1((code, &globals)).unwrap();
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
