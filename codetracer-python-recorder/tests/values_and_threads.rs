//! Value encoding limits, threads, and the recorder's lifecycle errors.

mod support;

use _native::config::Format;
use _native::errors::Error;
use _native::session;
use codetracer_trace_types::{TraceLowLevelEvent, ValueRecord};
use pyo3::prelude::*;
use support::{config_for, record, render, serial, TempDir};

fn call_arguments(events: &[TraceLowLevelEvent], function: &str) -> Vec<Vec<ValueRecord>> {
    let mut functions = Vec::new();
    let mut calls = Vec::new();
    for event in events {
        match event {
            TraceLowLevelEvent::Function(record) => functions.push(record.name.clone()),
            TraceLowLevelEvent::Call(record) if functions[record.function_id.0] == function => {
                calls.push(record.args.iter().map(|arg| arg.value.clone()).collect())
            }
            _ => {}
        }
    }
    calls
}

#[test]
fn values_are_typed_records() {
    let source = "\
def show(*values):
    return None

show(1, 2.5, True, 'hi', None, [1, (2, 3)], {'k': [1]}, 2**70, -2**70)
";
    let recording = record("typed", source, Format::Json);
    let calls = call_arguments(&recording.events, "show");
    let ValueRecord::Tuple { elements, .. } = &calls[0][0] else {
        panic!("*values should be a tuple: {:?}", calls[0][0]);
    };
    assert!(matches!(elements[0], ValueRecord::Int { i: 1, .. }));
    assert!(matches!(elements[1], ValueRecord::Float { f, .. } if f == 2.5));
    assert!(matches!(elements[2], ValueRecord::Bool { b: true, .. }));
    assert!(matches!(&elements[3], ValueRecord::String { text, .. } if text == "hi"));
    assert!(matches!(elements[4], ValueRecord::None { .. }));
    assert!(matches!(&elements[5], ValueRecord::Sequence { elements, .. } if elements.len() == 2));
    assert_eq!(render(&elements[5]), "[1, (2, 3)]");
    assert_eq!(render(&elements[6]), "[(\"k\", [1])]");
    assert_eq!(render(&elements[7]), "0x400000000000000000");
    assert_eq!(render(&elements[8]), "-0x400000000000000000");
}

#[test]
fn huge_values_are_bounded() {
    let source = "\
def show(*values):
    return None

show(list(range(1000)), 'x' * 100000, [[[[[1]]]]], 10**5000, b'y' * 100000)
";
    let recording = record("bounded", source, Format::Json);
    let calls = call_arguments(&recording.events, "show");
    let ValueRecord::Tuple { elements, .. } = &calls[0][0] else {
        panic!("*values should be a tuple");
    };
    let ValueRecord::Sequence { elements: items, .. } = &elements[0] else {
        panic!("a list is a sequence");
    };
    assert_eq!(items.len(), 33, "32 items and the omission marker");
    assert_eq!(render(&items[32]), "… 968 more");
    let ValueRecord::String { text, .. } = &elements[1] else {
        panic!("a str is a string");
    };
    assert_eq!(text.chars().count(), 257);
    // The `*values` tuple is level 0, so the argument list is level 1 and level 3 is cut.
    assert_eq!(render(&elements[2]), "[[<list>]]");
    assert!(render(&elements[3]).starts_with("error: int of 16610 bits"), "{}", render(&elements[3]));
    assert!(render(&elements[4]).ends_with("yyy'…"), "{}", render(&elements[4]));
    assert!(render(&elements[4]).len() < 300);
}

#[test]
fn threads_are_recorded_with_their_switches() {
    let source = "\
import threading

def work(n):
    total = 0
    for i in range(n):
        total += i
    return total

threads = [threading.Thread(target=work, args=(200,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
";
    let recording = record("threads", source, Format::Binary);
    let events = &recording.events;
    assert_eq!(call_arguments(events, "work").len(), 4);
    let returns_of_work = events
        .iter()
        .filter(|event| matches!(event, TraceLowLevelEvent::Return(record) if render(&record.return_value) == "19900"))
        .count();
    assert_eq!(returns_of_work, 4);
    let thread_starts = events.iter().filter(|event| matches!(event, TraceLowLevelEvent::ThreadStart(_))).count();
    assert!(thread_starts >= 1, "worker threads announce themselves");
}

#[test]
fn starting_twice_is_refused_and_stopping_twice_is_harmless() {
    let _serial = serial();
    let dir = TempDir::new("lifecycle");
    Python::attach(|py| {
        session::start(py, config_for(py, &dir.path().join("a"), Format::Json)).unwrap();
        assert!(session::is_active());
        let second = session::start(py, config_for(py, &dir.path().join("b"), Format::Json));
        assert!(matches!(second, Err(Error::AlreadyTracing)));
        assert!(second.unwrap_err().to_string().contains("already active"));
        session::stop(py, session::Ending::default()).unwrap();
        assert!(!session::is_active());
        session::stop(py, session::Ending::default()).unwrap();
    });
    let metadata: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a/trace_metadata.json")).unwrap()).unwrap();
    // `recorder.name` is spelled as 0.3.0 spelled it; the distribution's name is beside it.
    assert_eq!(metadata["recorder"]["name"], "codetracer_python_recorder");
    assert_eq!(metadata["recorder"]["package"], "codetracer-python-recorder");
    assert_eq!(metadata["recorder"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(metadata["exit_status"].is_null());
    assert_eq!(metadata["process_exit_status"], serde_json::json!({ "code": null, "label": "<exit>" }));
    assert!(!dir.path().join("b").exists());
}

#[test]
fn unwritable_trace_directory_is_a_write_error() {
    let _serial = serial();
    let dir = TempDir::new("unwritable");
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    Python::attach(|py| {
        let result = session::start(py, config_for(py, &blocker.join("trace"), Format::Json));
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Write { .. }));
        assert!(err.to_string().starts_with("cannot write trace file"), "{err}");
        assert!(!session::is_active());
    });
}

#[test]
fn a_thread_exit_is_written_when_the_thread_ends() {
    let source = "\
import threading

def work():
    total = 1
    return total

for _ in range(2):
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    after_join = worker.name
";
    for format in [Format::Json, Format::Binary] {
        let recording = record("thread-exit", source, format);
        let events = &recording.events;
        let starts: Vec<(usize, u64)> = events
            .iter()
            .enumerate()
            .filter_map(|(index, event)| match event {
                TraceLowLevelEvent::ThreadStart(thread) => Some((index, thread.0)),
                _ => None,
            })
            .collect();
        let main_thread = starts[0].1;
        let exits: Vec<(usize, u64)> = events
            .iter()
            .enumerate()
            .filter_map(|(index, event)| match event {
                TraceLowLevelEvent::ThreadExit(thread) => Some((index, thread.0)),
                _ => None,
            })
            .collect();
        assert_eq!(exits.len(), 2, "{format:?}: one exit per worker, none written again at stop: {exits:?}");
        assert!(exits.iter().all(|(_, thread)| *thread != main_thread), "{format:?}: the main thread does not exit");
        // The step of `after_join = ...` (line 11) runs on the main thread after `join()` returned.
        let after_join: Vec<usize> = events
            .iter()
            .enumerate()
            .filter_map(|(index, event)| match event {
                TraceLowLevelEvent::Step(step) if step.line.0 == 11 => Some(index),
                _ => None,
            })
            .collect();
        assert_eq!(after_join.len(), 2);
        for (exit, line) in exits.iter().zip(&after_join) {
            assert!(
                exit.0 < *line,
                "{format:?}: ThreadExit at event {} comes after the main thread's step at {line}",
                exit.0
            );
        }
        // Each worker ran `work` (a call and its return) before it exited.
        let first_work_return = events.iter().position(|event| matches!(event, TraceLowLevelEvent::Return(_))).unwrap();
        assert!(first_work_return < exits[0].0);
    }
}
