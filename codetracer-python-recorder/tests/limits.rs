//! The size limit: the recording stops early and leaves a complete trace, in both formats, that the
//! format's own reader loads.

mod support;

use _native::config::Format;
use codetracer_trace_types::TraceLowLevelEvent;
use support::{record, record_configured};

const LOOP: &str = "\
def spin(n):
    total = 0
    for i in range(n):
        total += i
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
    // Writes past the limit fail with EFBIG, as they fail with ENOSPC on a full disk. The limit stays
    // until the recording has stopped, so the last frame and the seek table are written under it too.
    let program = format!(
        "import resource, signal\n\
         signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n\
         resource.setrlimit(resource.RLIMIT_FSIZE, ({LIMIT}, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n\
         {LOOP}"
    );
    let cut = record_configured("full-disk", &program, Format::Binary, |config| config.max_trace_bytes = 0);
    pyo3::Python::attach(|py| {
        py.run(c"import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))", None, None)
            .unwrap();
    });
    let size = std::fs::metadata(cut.trace_dir.join("trace.bin")).unwrap().len();
    assert!(size <= LIMIT, "the events file has {size} bytes");
    // `record_configured` read it back with the format's reader: the stream and its seek table are whole.
    assert!(cut.events.len() > 1000, "{} events", cut.events.len());
    assert_eq!(balance(&cut.events), 0, "every call returns");
    let reason = metadata(&cut)["truncated"]["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("no room left for the events file"), "{reason}");
}

const LIMIT: u64 = 300_000;
