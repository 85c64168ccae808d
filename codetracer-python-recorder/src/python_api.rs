//! The functions and exceptions the native module exposes to the Python facade.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use pyo3::prelude::*;

use crate::config::{Format, TraceConfig, DEFAULT_MAX_TRACE_BYTES};
use crate::errors::{self, panic_message};
use crate::session;

/// Runs a lifecycle call so that a panic surfaces as a `RecorderError`, never as an unwind into CPython.
fn shielded<T>(call: impl FnOnce() -> errors::Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result.map_err(PyErr::from),
        Err(payload) => Err(errors::RecorderError::new_err(format!(
            "internal error in the recorder: {}",
            panic_message(payload.as_ref())
        ))),
    }
}

#[pyfunction]
#[pyo3(signature = (
    trace_dir, format, program, args, exclude, include, library, third_party,
    *, call_repr=false, max_trace_bytes=DEFAULT_MAX_TRACE_BYTES,
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
) -> PyResult<()> {
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
        session::start(py, config)
    })
}

/// `error`: the uncaught exception that ended the program, recorded as an error event.
#[pyfunction]
#[pyo3(signature = (exit_status=None, error=None))]
fn stop_tracing(py: Python<'_>, exit_status: Option<i64>, error: Option<String>) -> PyResult<()> {
    shielded(|| session::stop(py, session::Ending { exit_status, error }))
}

/// Writes the events recorded so far to disk (JSON; the binary writer streams already).
#[pyfunction]
fn flush_tracing() -> PyResult<()> {
    shielded(session::flush)
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
    module.add_function(wrap_pyfunction!(start_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(stop_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(is_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(flush_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(abandon_after_fork, module)?)?;
    module.add("RecorderError", py.get_type::<errors::RecorderError>())?;
    module.add("AlreadyTracingError", py.get_type::<errors::AlreadyTracingError>())?;
    module.add("ToolIdUnavailableError", py.get_type::<errors::ToolIdUnavailableError>())?;
    module.add("TraceWriteError", py.get_type::<errors::TraceWriteError>())?;
    Ok(())
}
