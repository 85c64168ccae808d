//! `trace summary`: what a recorded trace contains, read back with the format crate's own reader.

use std::collections::BTreeMap;
use std::path::Path;

use codetracer_trace_reader::{create_trace_reader, TraceEventsFileFormat};
use codetracer_trace_types::{EventLogKind, RecordEvent, TraceLowLevelEvent};

use crate::errors::{Error, Result};

#[derive(Debug, Default)]
pub struct TraceSummary {
    /// Event counts by the format's event names (`Step`, `Call`, ...).
    pub events_by_kind: BTreeMap<String, u64>,
    /// Steps per source file, by path.
    pub steps_by_file: BTreeMap<String, u64>,
    pub threads: u64,
    /// IO events (output written, input read) per stream: `stdout`, `stderr`, `stdin`.
    pub io_events_by_stream: BTreeMap<String, u64>,
}

/// The stream an IO event is about: the `stream` field of its metadata (0.3.0's JSON object, which this
/// recorder writes too), or the event's kind for metadata of another shape. `None` for other events.
fn io_stream(event: &RecordEvent) -> Option<String> {
    let by_kind = match event.kind {
        EventLogKind::Write => "stdout",
        EventLogKind::WriteOther => "stderr",
        EventLogKind::Read => "stdin",
        _ => return None,
    };
    let stream = serde_json::from_str::<serde_json::Value>(&event.metadata)
        .ok()
        .and_then(|metadata| metadata.get("stream")?.as_str().map(str::to_string));
    Some(stream.unwrap_or_else(|| by_kind.to_string()))
}

fn kind_name(event: &TraceLowLevelEvent) -> String {
    // The serde tag is the variant's name, the same name the JSON format uses.
    match serde_json::to_value(event) {
        Ok(serde_json::Value::Object(fields)) => fields.keys().next().cloned().unwrap_or_default(),
        _ => "unknown".to_string(),
    }
}

/// Reads `trace.json` or `trace.bin` in `trace_dir`, whichever exists.
pub fn summarize(trace_dir: &Path) -> Result<TraceSummary> {
    let (format, events_path) = if trace_dir.join("trace.bin").is_file() {
        (TraceEventsFileFormat::Binary, trace_dir.join("trace.bin"))
    } else {
        (TraceEventsFileFormat::Json, trace_dir.join("trace.json"))
    };
    if !events_path.is_file() {
        return Err(Error::Read {
            path: trace_dir.to_path_buf(),
            message: "no trace.json or trace.bin in this directory; expected a trace directory".to_string(),
        });
    }
    let events = create_trace_reader(format)
        .load_trace_events(&events_path)
        .map_err(|err| Error::Read { path: events_path.clone(), message: err.to_string() })?;
    let mut summary = TraceSummary::default();
    let mut paths: Vec<String> = Vec::new();
    for event in &events {
        let kind = match event {
            TraceLowLevelEvent::Step(step) => {
                let path = paths.get(step.path_id.0).cloned().unwrap_or_else(|| format!("<path {}>", step.path_id.0));
                *summary.steps_by_file.entry(path).or_insert(0) += 1;
                "Step".to_string()
            }
            TraceLowLevelEvent::Path(path) => {
                paths.push(path.display().to_string());
                "Path".to_string()
            }
            TraceLowLevelEvent::Event(record) => {
                if let Some(stream) = io_stream(record) {
                    *summary.io_events_by_stream.entry(stream).or_insert(0) += 1;
                }
                "Event".to_string()
            }
            TraceLowLevelEvent::ThreadStart(_) => {
                summary.threads += 1;
                "ThreadStart".to_string()
            }
            other => kind_name(other),
        };
        *summary.events_by_kind.entry(kind).or_insert(0) += 1;
    }
    Ok(summary)
}
