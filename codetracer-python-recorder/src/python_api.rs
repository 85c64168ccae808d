//! The functions and exceptions the native module exposes to the Python facade.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::config::{Format, TraceConfig, DEFAULT_MAX_TRACE_BYTES};
use crate::diagnostics;
use crate::errors::{self, panic_message};
use crate::io_events::{self, Stream};
use crate::session;

/// Runs a lifecycle call so that a panic surfaces as a `RecorderError`, never as an unwind into CPython.
fn shielded<T>(call: impl FnOnce() -> errors::Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result.map_err(PyErr::from),
        Err(payload) => {
            Err(errors::internal_error(format!("internal error in the recorder: {}", panic_message(payload.as_ref()))))
        }
    }
}

#[pyfunction]
#[pyo3(signature = (
    trace_dir, format, program, args, exclude, include, library, third_party,
    *, call_repr=false, max_trace_bytes=DEFAULT_MAX_TRACE_BYTES, activation_path=None, resolver=None,
    settings=None,
))]
#[allow(clippy::too_many_arguments)] // mirrors the keyword arguments of the Python facade
fn start_tracing(
    py: Python<'_>,
    trace_dir: PathBuf,
    format: &str,
    program: String,
    args: Vec<String>,
    exclude: Vec<String>,
    include: Vec<String>,
    library: Vec<String>,
    third_party: Vec<String>,
    call_repr: bool,
    max_trace_bytes: u64,
    activation_path: Option<PathBuf>,
    resolver: Option<Py<PyAny>>,
    settings: Option<String>,
) -> PyResult<()> {
    let settings = match settings {
        Some(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(fields)) => fields,
            _ => return Err(pyo3::exceptions::PyValueError::new_err("settings must be a JSON object")),
        },
        None => serde_json::Map::new(),
    };
    shielded(|| {
        let mut config = TraceConfig::new(trace_dir, Format::parse(format)?);
        config.program = program;
        config.args = args;
        config.exclude = exclude;
        config.include = include;
        config.library = library;
        config.third_party = third_party;
        config.limits.call_repr = call_repr;
        config.max_trace_bytes = max_trace_bytes;
        config.activation_path = activation_path;
        config.resolver = resolver.map(Arc::new);
        config.settings = settings;
        session::start(py, config)
    })
}

/// `error`: the uncaught exception that ended the program, recorded as an error event. Returns
/// `{"steps": n, "truncated": reason or None}`.
#[pyfunction]
#[pyo3(signature = (exit_status=None, error=None))]
fn stop_tracing<'py>(py: Python<'py>, exit_status: Option<i64>, error: Option<String>) -> PyResult<Bound<'py, PyDict>> {
    let summary = shielded(|| session::stop(py, session::Ending { exit_status, error }))?;
    let report = PyDict::new(py);
    report.set_item("steps", summary.steps)?;
    report.set_item("truncated", summary.truncated)?;
    Ok(report)
}

/// `{"events_by_kind": {...}, "steps_by_file": {...}, "threads": n}` of the trace in `trace_dir`.
#[pyfunction]
fn summarize_trace(py: Python<'_>, trace_dir: PathBuf) -> PyResult<Bound<'_, PyDict>> {
    let summary = shielded(|| crate::summary::summarize(&trace_dir))?;
    let report = PyDict::new(py);
    report.set_item("events_by_kind", summary.events_by_kind)?;
    report.set_item("steps_by_file", summary.steps_by_file)?;
    report.set_item("threads", summary.threads)?;
    report.set_item("io_events_by_stream", summary.io_events_by_stream)?;
    Ok(report)
}

/// Where the recorder's own messages go: `level` is off, error, warn (default), info or debug; `file`
/// None for stderr.
#[pyfunction]
#[pyo3(signature = (level=None, file=None))]
fn configure_log(level: Option<&str>, file: Option<PathBuf>) -> PyResult<()> {
    let level = match level {
        None => diagnostics::Level::Warn,
        Some(name) => diagnostics::Level::parse(name).ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "log level {name:?} is not one of off, error, warn, info, debug"
            ))
        })?,
    };
    diagnostics::configure(level, file.as_deref()).map_err(|err| {
        errors::TraceWriteError::new_err(format!(
            "cannot open log file {}: {err}",
            file.as_deref().map(|path| path.display().to_string()).unwrap_or_default()
        ))
    })
}

fn stream_named(name: &str) -> PyResult<Stream> {
    Stream::parse(name).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(format!(
            "unknown stream {name:?}; expected \"stdout\", \"stderr\" or \"stdin\""
        ))
    })
}

/// Records what the program wrote to `stream` ("stdout", "stderr") or read from "stdin", as output of
/// the step whose frame is the innermost recorded one on the calling thread's stack.
#[pyfunction]
fn record_io(py: Python<'_>, stream: &str, text: &str) -> PyResult<()> {
    let stream = stream_named(stream)?;
    let near = io_events::Stack::read(py, io_events::NEAR_FRAMES);
    let partial = near.len() == io_events::NEAR_FRAMES;
    if !shielded(|| session::record_io(stream, text, &near, partial))? {
        // No recorded frame near the top: the whole stack is read (outside the recording's lock, since
        // reading frames can run Python code through the garbage collector).
        let stack = io_events::Stack::read(py, io_events::MAX_FRAMES);
        shielded(|| session::record_io(stream, text, &stack, false))?;
    }
    Ok(())
}

/// The program flushed `stream` ("stdout", "stderr"): its unfinished line is written as an event.
#[pyfunction]
fn flush_io(stream: &str) -> PyResult<()> {
    let stream = stream_named(stream)?;
    shielded(|| session::flush_io(stream))
}

/// `--io-capture proxies+fd`: passes on and records what reaches the pipes now behind fds 1 and 2;
/// `streams` are `(name, non-blocking reading end, original descriptor)`, both owned from here on.
#[pyfunction]
fn start_fd_capture(streams: Vec<(String, i32, i32)>) {
    crate::fd_capture::start(streams, session::record_fd_output);
}

/// The bytes a `sys.stdout`/`sys.stderr` proxy is about to write to `stream`'s descriptor.
#[pyfunction]
fn expect_fd_output(stream: &str, data: &[u8]) {
    crate::fd_capture::expect(stream, data);
}

/// Called after the descriptors are restored: the pipes are emptied (child processes still holding
/// them get two seconds) and closed. Runs without the GIL, since the readers may need it to record.
#[pyfunction]
fn stop_fd_capture(py: Python<'_>) {
    py.detach(crate::fd_capture::stop);
}

/// Writes the events recorded so far to disk (JSON; the binary writer streams already).
#[pyfunction]
fn flush_tracing() -> PyResult<()> {
    shielded(session::flush)
}

/// Registered with `os.register_at_fork(before=...)` by the facade.
#[pyfunction]
fn pause_writer_before_fork() -> PyResult<()> {
    shielded(session::pause_writer_before_fork)
}

/// Registered with `os.register_at_fork(after_in_child=...)` by the facade.
#[pyfunction]
fn abandon_after_fork(py: Python<'_>) -> PyResult<()> {
    shielded(|| {
        session::abandon_after_fork(py);
        Ok(())
    })
}

#[pyfunction]
fn is_tracing() -> bool {
    session::is_active()
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add("DEFAULT_MAX_TRACE_BYTES", DEFAULT_MAX_TRACE_BYTES)?;
    module.add("FD_CAPTURE_SUPPORTED", crate::fd_capture::SUPPORTED)?;
    module.add_class::<crate::filter::glob::Glob>()?;
    module.add_function(wrap_pyfunction!(start_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(stop_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(is_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(flush_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(record_io, module)?)?;
    module.add_function(wrap_pyfunction!(flush_io, module)?)?;
    module.add_function(wrap_pyfunction!(configure_log, module)?)?;
    module.add_function(wrap_pyfunction!(summarize_trace, module)?)?;
    module.add_function(wrap_pyfunction!(abandon_after_fork, module)?)?;
    module.add_function(wrap_pyfunction!(pause_writer_before_fork, module)?)?;
    module.add_function(wrap_pyfunction!(start_fd_capture, module)?)?;
    module.add_function(wrap_pyfunction!(expect_fd_output, module)?)?;
    module.add_function(wrap_pyfunction!(stop_fd_capture, module)?)?;
    let no_context = py.import("types")?.getattr("MappingProxyType")?.call1((PyDict::new(py),))?;
    for (class, kind, code) in errors::class_attributes(py) {
        class.setattr("kind", kind)?;
        class.setattr("code", code)?;
        // Read-only, so no instance can change what another one reports.
        class.setattr("context", &no_context)?;
        module.add(class.name()?, class)?;
    }
    Ok(())
}
