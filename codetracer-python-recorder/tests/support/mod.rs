//! Records small Python programs in an embedded interpreter and reads the traces back with the
//! format's own reader crate.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use _native::config::{Format, TraceConfig};
use _native::session;
use codetracer_trace_reader::{create_trace_reader, TraceEventsFileFormat};
use codetracer_trace_types::{TraceLowLevelEvent, TypeRecord, TypeSpecificInfo, ValueRecord};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The recorder is one per interpreter; `cargo test` runs tests on parallel threads of one process.
static SERIAL: Mutex<()> = Mutex::new(());
static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("ctpr-{name}-{}-{unique}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

pub struct Recording {
    pub dir: TempDir,
    pub script: PathBuf,
    pub trace_dir: PathBuf,
    pub events: Vec<TraceLowLevelEvent>,
}

pub fn config_for(py: Python<'_>, trace_dir: &Path, format: Format) -> TraceConfig {
    let stdlib: String = py
        .import("sysconfig")
        .and_then(|sysconfig| sysconfig.call_method1("get_path", ("stdlib",)))
        .and_then(|path| path.extract())
        .unwrap();
    let mut config = TraceConfig::new(trace_dir, format);
    config.exclude = vec![format!("{stdlib}/*"), "<frozen *>".to_string()];
    config
}

/// Runs `source` as `__main__` from a real file while recording, and loads the events back.
pub fn record(name: &str, source: &str, format: Format) -> Recording {
    record_configured(name, source, format, |_| {})
}

/// Like [`record`], with the configuration adjusted by `configure` first.
pub fn record_configured(
    name: &str,
    source: &str,
    format: Format,
    configure: impl FnOnce(&mut TraceConfig),
) -> Recording {
    let _serial = serial();
    let dir = TempDir::new(name);
    let script = dir.path().join("program.py");
    fs::write(&script, source).unwrap();
    let trace_dir = dir.path().join("trace");
    Python::attach(|py| {
        let mut config = config_for(py, &trace_dir, format);
        config.program = script.display().to_string();
        configure(&mut config);
        let builtins = py.import("builtins").unwrap();
        let code = builtins
            .getattr("compile")
            .and_then(|compile| compile.call1((source, script.display().to_string(), "exec")))
            .unwrap();
        let globals = PyDict::new(py);
        globals.set_item("__name__", "__main__").unwrap();
        session::start(py, config).unwrap();
        let outcome = builtins.getattr("exec").and_then(|exec| exec.call1((code, &globals)));
        session::stop(py, session::Ending { exit_status: Some(0), error: None }).unwrap();
        outcome.unwrap();
    });
    let events = read_events(&trace_dir, format);
    Recording { dir, script, trace_dir, events }
}

pub fn read_events(trace_dir: &Path, format: Format) -> Vec<TraceLowLevelEvent> {
    let (reader_format, file) = match format {
        Format::Json => (TraceEventsFileFormat::Json, "trace.json"),
        Format::Binary => (TraceEventsFileFormat::Binary, "trace.bin"),
    };
    create_trace_reader(reader_format).load_trace_events(&trace_dir.join(file)).unwrap()
}

/// The part of a trace the tests compare: steps in the program file, calls and returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Step(i64),
    Call(String, Vec<(String, String)>),
    Return(String),
}

pub fn step(line: i64) -> Entry {
    Entry::Step(line)
}

pub fn call(name: &str, args: &[(&str, &str)]) -> Entry {
    Entry::Call(name.to_string(), args.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect())
}

pub fn ret(value: &str) -> Entry {
    Entry::Return(value.to_string())
}

pub fn entries(events: &[TraceLowLevelEvent], script: &Path) -> Vec<Entry> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut functions: Vec<String> = Vec::new();
    let mut variables: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let render = |value: &ValueRecord| render_with_types(value, events);
    for event in events {
        match event {
            TraceLowLevelEvent::Path(path) => paths.push(path.clone()),
            TraceLowLevelEvent::Function(function) => functions.push(function.name.clone()),
            TraceLowLevelEvent::VariableName(name) => variables.push(name.clone()),
            TraceLowLevelEvent::Step(step) if paths[step.path_id.0] == script => out.push(Entry::Step(step.line.0)),
            TraceLowLevelEvent::Call(call) if call.function_id.0 != 0 => out.push(Entry::Call(
                functions[call.function_id.0].clone(),
                call.args.iter().map(|arg| (variables[arg.variable_id.0].clone(), render(&arg.value))).collect(),
            )),
            TraceLowLevelEvent::Return(record) => out.push(Entry::Return(render(&record.return_value))),
            _ => {}
        }
    }
    out
}

/// Values of the variables recorded with the step of `line` (the n-th time it runs).
pub fn variables_at(events: &[TraceLowLevelEvent], line: i64, occurrence: usize) -> Vec<(String, String)> {
    variables_rendered_at(events, line, occurrence, render)
}

/// [`variables_at`] with each value shown by `show` (e.g. [`render_with_types`] for objects' types).
pub fn variables_rendered_at(
    events: &[TraceLowLevelEvent],
    line: i64,
    occurrence: usize,
    show: impl Fn(&ValueRecord) -> String,
) -> Vec<(String, String)> {
    let mut variables: Vec<String> = Vec::new();
    let mut seen = 0;
    let mut collecting = false;
    let mut out = Vec::new();
    for event in events {
        match event {
            TraceLowLevelEvent::VariableName(name) => variables.push(name.clone()),
            TraceLowLevelEvent::Step(step) => {
                if collecting {
                    break;
                }
                if step.line.0 == line {
                    collecting = seen == occurrence;
                    seen += 1;
                }
            }
            TraceLowLevelEvent::Value(value) if collecting => {
                out.push((variables[value.variable_id.0].clone(), show(&value.value)))
            }
            TraceLowLevelEvent::Call(_) | TraceLowLevelEvent::Return(_) if collecting => break,
            _ => {}
        }
    }
    out
}

/// Like [`render`], with structs shown as `Type{field: value, ...}` using the trace's type records.
pub fn render_with_types(value: &ValueRecord, events: &[TraceLowLevelEvent]) -> String {
    let types: Vec<&TypeRecord> = events
        .iter()
        .filter_map(|event| match event {
            TraceLowLevelEvent::Type(record) => Some(record),
            _ => None,
        })
        .collect();
    render_struct(value, &types)
}

fn render_struct(value: &ValueRecord, types: &[&TypeRecord]) -> String {
    let join =
        |items: &[ValueRecord]| items.iter().map(|item| render_struct(item, types)).collect::<Vec<_>>().join(", ");
    match value {
        ValueRecord::Struct { field_values, type_id } => {
            let record = types[type_id.0];
            let TypeSpecificInfo::Struct { fields } = &record.specific_info else {
                panic!("struct value of a non-struct type: {record:?}");
            };
            let shown: Vec<String> = fields
                .iter()
                .zip(field_values)
                .map(|(field, item)| format!("{}: {}", field.name, render_struct(item, types)))
                .collect();
            format!("{}{{{}}}", record.lang_type, shown.join(", "))
        }
        ValueRecord::Sequence { elements, .. } => format!("[{}]", join(elements)),
        ValueRecord::Tuple { elements, .. } => format!("({})", join(elements)),
        other => render(other),
    }
}

/// A compact, Python-like rendering of a value record.
pub fn render(value: &ValueRecord) -> String {
    let join = |items: &[ValueRecord]| items.iter().map(render).collect::<Vec<_>>().join(", ");
    match value {
        ValueRecord::Int { i, .. } => i.to_string(),
        ValueRecord::Float { f, .. } => format!("{f:?}"),
        ValueRecord::Bool { b, .. } => if *b { "True" } else { "False" }.to_string(),
        ValueRecord::String { text, .. } => format!("{text:?}"),
        ValueRecord::None { .. } => "None".to_string(),
        ValueRecord::Sequence { elements, .. } => format!("[{}]", join(elements)),
        ValueRecord::Tuple { elements, .. } => format!("({})", join(elements)),
        ValueRecord::Raw { r, .. } => r.clone(),
        ValueRecord::Error { msg, .. } => format!("error: {msg}"),
        ValueRecord::BigInt { b, negative, .. } => {
            let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
            format!("{}0x{hex}", if *negative { "-" } else { "" })
        }
        other => format!("{other:?}"),
    }
}
