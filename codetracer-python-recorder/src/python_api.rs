//! The functions and exceptions the native module exposes to the Python facade.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use pyo3::prelude::*;

use crate::config::{Format, TraceConfig};
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
#[pyo3(signature = (trace_dir, format, program, args, exclude, include))]
fn start_tracing(
    py: Python<'_>,
    trace_dir: PathBuf,
    format: &str,
    program: String,
    args: Vec<String>,
    exclude: Vec<String>,
    include: Vec<String>,
) -> PyResult<()> {
    shielded(|| {
        let mut config = TraceConfig::new(trace_dir, Format::parse(format)?);
        config.program = program;
        config.args = args;
        config.exclude = exclude;
        config.include = include;
        session::start(py, config)
    })
}

#[pyfunction]
#[pyo3(signature = (exit_status=None))]
fn stop_tracing(py: Python<'_>, exit_status: Option<i64>) -> PyResult<()> {
    shielded(|| session::stop(py, exit_status))
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
    module.add_function(wrap_pyfunction!(start_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(stop_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(is_tracing, module)?)?;
    module.add_function(wrap_pyfunction!(abandon_after_fork, module)?)?;
    module.add("RecorderError", py.get_type::<errors::RecorderError>())?;
    module.add("AlreadyTracingError", py.get_type::<errors::AlreadyTracingError>())?;
    module.add("ToolIdUnavailableError", py.get_type::<errors::ToolIdUnavailableError>())?;
    module.add("TraceWriteError", py.get_type::<errors::TraceWriteError>())?;
    Ok(())
}
