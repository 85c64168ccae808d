//! What the filters did during a recording, written to `trace_metadata.json` as `trace_filter.stats` in
//! 0.3.0's shape: code objects not recorded, and values dropped or redacted, by where the value came from.
//!
//! Counted where the decisions are taken, every time one is applied: a redacted local is counted at each
//! step that shows it, as each of those steps writes the marker. Relaxed atomics: the counts are only read
//! when the recording has stopped.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Map, Value};

use super::{ValueAction, ValueKind};

/// Where a dropped or redacted value came from, as 0.3.0's stats name it.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Argument,
    Local,
    Global,
    Return,
    Attribute,
}

const SOURCES: [(Source, &str); 5] = [
    (Source::Argument, "argument"),
    (Source::Local, "local"),
    (Source::Global, "global"),
    (Source::Return, "return"),
    (Source::Attribute, "attribute"),
];

impl From<ValueKind> for Source {
    fn from(kind: ValueKind) -> Source {
        match kind {
            ValueKind::Argument => Source::Argument,
            ValueKind::Local => Source::Local,
            ValueKind::Global => Source::Global,
        }
    }
}

struct Counts {
    scopes_skipped: AtomicU64,
    drops: [AtomicU64; 5],
    redactions: [AtomicU64; 5],
}

static COUNTS: Counts = Counts {
    scopes_skipped: AtomicU64::new(0),
    drops: [const { AtomicU64::new(0) }; 5],
    redactions: [const { AtomicU64::new(0) }; 5],
};

/// Starts a recording's counts from zero.
pub(super) fn reset() {
    COUNTS.scopes_skipped.store(0, Ordering::Relaxed);
    for count in COUNTS.drops.iter().chain(&COUNTS.redactions) {
        count.store(0, Ordering::Relaxed);
    }
}

/// A code object the recording leaves out (the filters' scopes or the default coverage), counted once.
pub fn count_skipped_scope() {
    COUNTS.scopes_skipped.fetch_add(1, Ordering::Relaxed);
}

/// One value dropped or redacted.
pub fn count(action: ValueAction, source: Source) {
    let counts = match action {
        ValueAction::Drop => &COUNTS.drops,
        ValueAction::Redact => &COUNTS.redactions,
    };
    counts[source as usize].fetch_add(1, Ordering::Relaxed);
}

/// Adds `stats` to the `trace_filter` entry of the recording's metadata settings.
pub fn write_into(settings: &mut Map<String, Value>) {
    let by_source = |counts: &[AtomicU64; 5]| -> Map<String, Value> {
        SOURCES
            .iter()
            .map(|(source, name)| (name.to_string(), json!(counts[*source as usize].load(Ordering::Relaxed))))
            .collect()
    };
    let stats = json!({
        "scopes_skipped": COUNTS.scopes_skipped.load(Ordering::Relaxed),
        "value_drops": by_source(&COUNTS.drops),
        "value_redactions": by_source(&COUNTS.redactions),
    });
    let entry = settings.entry("trace_filter").or_insert_with(|| json!({ "filters": [] }));
    if let Value::Object(filter) = entry {
        filter.insert("stats".to_string(), stats);
    }
}
