//! The size limit: the recording stops early and leaves a complete trace, in both formats, that the
//! format's own reader loads.

mod support;

use _native::config::Format;
use _native::session;
use codetracer_trace_types::{TraceLowLevelEvent, ValueRecord};
use support::{record, record_configured};

const LOOP: &str = "\
def spin(n):
    total = 0
    for i in range(n):
        total += i
    return total

spin(300000)
";

/// Two calls per iteration, each a few steps long: a full disk cuts the trace inside calls, whichever
/// buffer it cuts at.
const CALLS: &str = "\
def add(total, i):
    total += i
    return total

def spin(n):
    total = 0
    for i in range(n):
        total = add(total, i)
    return total

spin(300000)
";

fn balance(events: &[TraceLowLevelEvent]) -> i64 {
    events.iter().fold(0, |depth, event| match event {
        TraceLowLevelEvent::Call(_) => depth + 1,
        TraceLowLevelEvent::Return(_) => depth - 1,
        _ => depth,
    })
}

/// Checks that `events` make a trace a reader can follow: no call returns before it is made, every
/// call returns, and every path, function and type is declared before an event names it.
fn assert_well_formed(events: &[TraceLowLevelEvent], context: &str) {
    let (mut paths, mut functions, mut types, mut depth) = (0, 0, 0, 0_i64);
    for (index, event) in events.iter().enumerate() {
        match event {
            TraceLowLevelEvent::Path(_) => paths += 1,
            TraceLowLevelEvent::Function(_) => functions += 1,
            TraceLowLevelEvent::Type(_) => types += 1,
            TraceLowLevelEvent::Step(step) => assert!(step.path_id.0 < paths, "{context}: event {index}: {event:?}"),
            TraceLowLevelEvent::Call(call) => {
                assert!(call.function_id.0 < functions, "{context}: event {index}: {event:?}");
                depth += 1;
            }
            TraceLowLevelEvent::Return(record) => {
                if let Some(type_id) = type_of(&record.return_value) {
                    assert!(type_id < types, "{context}: event {index}: {event:?} with {types} types declared");
                }
                depth -= 1;
                assert!(depth >= 0, "{context}: event {index} returns from no call");
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "{context}: every call returns");
}

fn type_of(value: &ValueRecord) -> Option<usize> {
    match value {
        ValueRecord::Int { type_id, .. }
        | ValueRecord::Error { type_id, .. }
        | ValueRecord::String { type_id, .. }
        | ValueRecord::None { type_id } => Some(type_id.0),
        _ => None,
    }
}

/// `source` recorded while writes past `limit` bytes fail with EFBIG, as they fail with ENOSPC on a full
/// disk. The limit stays until the recording has stopped, so the closing events are written under it too.
fn record_on_a_full_disk(format: Format, source: &str, limit: u64) -> support::Recording {
    let program = format!(
        "import resource, signal\n\
         signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n\
         resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n\
         {source}"
    );
    let cut = record_configured("full-disk", &program, format, |config| config.max_trace_bytes = 0);
    pyo3::Python::attach(|py| {
        py.run(c"import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))", None, None)
            .unwrap();
    });
    cut
}

fn metadata(recording: &support::Recording) -> serde_json::Value {
    let text = std::fs::read_to_string(recording.trace_dir.join("trace_metadata.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_size_limit_leaves_a_complete_truncated_trace_in_both_formats() {
    for (format, limit) in [(Format::Json, 200_000_u64), (Format::Binary, 20_000)] {
        let cut = record_configured("cut", LOOP, format, |config| config.max_trace_bytes = limit);
        // The whole loop makes over 1.2 million events.
        assert!(cut.events.len() < 200_000, "{format:?}: {} events", cut.events.len());
        assert_eq!(balance(&cut.events), 0, "{format:?}: every call returns");
        let reason = metadata(&cut)["truncated"]["reason"].as_str().unwrap().to_string();
        assert!(reason.contains(&format!("size limit of {limit} bytes")), "{reason}");
    }
}

#[test]
fn a_trace_within_the_limit_is_not_truncated() {
    let recording = record("small", "x = 1\n", Format::Json);
    assert_eq!(metadata(&recording)["truncated"], serde_json::json!(false));
}

#[test]
fn a_full_disk_leaves_a_finished_binary_trace() {
    assert_a_full_disk_leaves_a_finished_trace(Format::Binary, "trace.bin");
}

#[test]
fn a_full_disk_leaves_a_finished_json_trace() {
    assert_a_full_disk_leaves_a_finished_trace(Format::Json, "trace.json");
}

#[test]
fn a_full_disk_between_a_call_and_its_return_leaves_a_well_formed_trace_in_both_formats() {
    for (format, file) in [(Format::Json, "trace.json"), (Format::Binary, "trace.bin")] {
        let cut = record_on_a_full_disk(format, CALLS, LIMIT);
        assert!(cut.events.len() > 1000, "{file}: {} events", cut.events.len());
        assert_well_formed(&cut.events, file);
    }
}

fn assert_a_full_disk_leaves_a_finished_trace(format: Format, file: &str) {
    let cut = record_on_a_full_disk(format, LOOP, LIMIT);
    let size = std::fs::metadata(cut.trace_dir.join(file)).unwrap().len();
    assert!(size <= LIMIT, "the events file has {size} bytes");
    // `record_configured` read it back with the format's reader: the file is whole (in binary, the stream
    // and its seek table).
    assert!(cut.events.len() > 1000, "{} events", cut.events.len());
    assert_well_formed(&cut.events, file);
    let reason = metadata(&cut)["truncated"]["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("no room left for the events file"), "{reason}");
}

#[test]
fn a_disk_too_full_for_the_first_json_batch_keeps_the_first_and_last_events() {
    assert_only_the_first_and_last_events_fit(Format::Json, "trace.json");
}

#[test]
fn a_disk_too_full_for_the_first_binary_frame_keeps_the_first_and_last_events() {
    assert_only_the_first_and_last_events_fit(Format::Binary, "trace.bin");
}

/// Records on a disk with room for far less than the first JSON batch (256 KiB) or binary frame (2 MiB
/// before compression): the trace is `<toplevel>`'s call and its return of the exit status.
fn assert_only_the_first_and_last_events_fit(format: Format, file: &str) {
    let cut = record_on_a_full_disk(format, LOOP, 4_000);
    let context = format!("{format:?}");
    assert!(std::fs::metadata(cut.trace_dir.join(file)).unwrap().len() <= 4_000, "{context}");
    assert_well_formed(&cut.events, &context);
    let calls = cut.events.iter().filter(|event| matches!(event, TraceLowLevelEvent::Call(_))).count();
    assert_eq!(calls, 1, "{context}: {:?}", cut.events);
    let Some(TraceLowLevelEvent::Return(last)) = cut.events.last() else {
        panic!("{context}: the trace ends with {:?}", cut.events.last());
    };
    assert!(matches!(last.return_value, ValueRecord::Int { i: 0, .. }), "{context}: {last:?}");
    let reason = metadata(&cut)["truncated"]["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("no room left for the events file"), "{context}: {reason}");
}

#[test]
fn a_disk_with_no_room_for_any_events_leaves_no_trace_and_says_so() {
    let message = record_with_no_room(Format::Binary, 30);
    assert!(
        message.contains("trace.bin: no room left on the disk even for the recording's first and last events"),
        "{message}"
    );
}

#[test]
fn a_disk_with_no_room_for_the_metadata_leaves_no_trace_and_says_so() {
    // Room for the first and last events of `x = 1` (not all of them), not for the metadata.
    let message = record_with_no_room(Format::Json, 700);
    assert!(message.contains("trace_metadata.json: File too large"), "{message}");
}

/// Records `x = 1` while writes past `limit` bytes fail, and returns the error stopping gave; no file of
/// the trace is left.
fn record_with_no_room(format: Format, limit: u64) -> String {
    let _serial = support::serial();
    let dir = support::TempDir::new("no-room");
    let trace_dir = dir.path().join("trace");
    let stopped = pyo3::Python::attach(|py| {
        let mut config = support::config_for(py, &trace_dir, format);
        config.max_trace_bytes = 0;
        session::start(py, config).unwrap();
        let program = format!(
            "import resource, signal\n\
             signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n\
             resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n\
             x = 1\n"
        );
        py.run(&std::ffi::CString::new(program).unwrap(), None, None).unwrap();
        let stopped = session::stop(py, session::Ending { exit_status: Some(0), error: None });
        py.run(c"import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))", None, None)
            .unwrap();
        stopped
    });
    let message = stopped.expect_err("stopping reports that no trace was written").to_string();
    assert!(message.contains("no trace was written"), "{message}");
    let left: Vec<_> = std::fs::read_dir(&trace_dir).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
    message
}

const LIMIT: u64 = 300_000;
