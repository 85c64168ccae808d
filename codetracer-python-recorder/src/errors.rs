//! One error type for the whole recorder, turned into a Python exception only at the boundary.

use std::fmt;
use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};
use pyo3::PyErr;

// The hierarchy and the codes are codetracer-python-recorder 0.3.0's (`RecorderError` with `UsageError`,
// `EnvironmentError`, `TargetError`, `InternalError`; every instance has `code`, `kind` and `context`), so
// code written against 0.3.0 catches the same classes. `RecorderError` also stays a `RuntimeError`, as
// 0.3.0's `start()` raised `RuntimeError` for a second recording. The module path is pinned so
// tracebacks and `repr` show the public package, not `_native`.
create_exception!(
    codetracer_python_recorder,
    RecorderError,
    PyRuntimeError,
    "Base class of every error raised by the recorder; `code` (ERR_*), `kind` and `context` describe it."
);
create_exception!(
    codetracer_python_recorder,
    UsageError,
    RecorderError,
    "The recorder was called or configured wrongly (arguments, options, filter files, policy values)."
);
create_exception!(
    codetracer_python_recorder,
    EnvironmentError,
    RecorderError,
    "The machine stopped the recorder: files that cannot be written, tool ids taken by other tools."
);
create_exception!(
    codetracer_python_recorder,
    TargetError,
    RecorderError,
    "The recorded program did not give the recorder what it needed (for example no step was recorded)."
);
create_exception!(codetracer_python_recorder, InternalError, RecorderError, "A failure inside the recorder itself.");
create_exception!(
    codetracer_python_recorder,
    AlreadyTracingError,
    UsageError,
    "A recording is already active in this interpreter."
);
create_exception!(
    codetracer_python_recorder,
    ToolIdUnavailableError,
    EnvironmentError,
    "Every sys.monitoring tool id is taken by another tool."
);
create_exception!(
    codetracer_python_recorder,
    TraceWriteError,
    EnvironmentError,
    "The trace files could not be created or written."
);

/// The `kind` and default `code` of each exception class, as 0.3.0 names them; set on the classes when
/// the module is created, so an instance raised from Python code has them too.
pub fn class_attributes(py: Python<'_>) -> [(Bound<'_, PyType>, &'static str, &'static str); 8] {
    [
        (py.get_type::<RecorderError>(), "Internal", "ERR_UNKNOWN"),
        (py.get_type::<UsageError>(), "Usage", "ERR_UNKNOWN"),
        (py.get_type::<EnvironmentError>(), "Environment", "ERR_UNKNOWN"),
        (py.get_type::<TargetError>(), "Target", "ERR_UNKNOWN"),
        (py.get_type::<InternalError>(), "Internal", "ERR_UNKNOWN"),
        (py.get_type::<AlreadyTracingError>(), "Usage", "ERR_ALREADY_TRACING"),
        (py.get_type::<ToolIdUnavailableError>(), "Environment", "ERR_TRACER_INSTALL_CONFLICT"),
        (py.get_type::<TraceWriteError>(), "Environment", "ERR_IO"),
    ]
}

#[derive(Debug)]
pub enum Error {
    AlreadyTracing,
    ToolIdsExhausted,
    UnknownFormat(String),
    Write {
        path: PathBuf,
        message: String,
    },
    /// A trace that cannot be read back (`trace summary`).
    Read {
        path: PathBuf,
        message: String,
    },
    /// A failure inside a monitoring callback; it stopped the recording and is reported by `stop_tracing`.
    RecordingFailed(String),
    Python(PyErr),
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<PyErr> for Error {
    fn from(err: PyErr) -> Self {
        Error::Python(err)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::AlreadyTracing => {
                write!(f, "a recording is already active; call stop_tracing() before starting another one")
            }
            Error::ToolIdsExhausted => write!(
                f,
                "all sys.monitoring tool ids (0-5) are in use by other tools; stop one of them \
                 (for example a debugger or coverage) before recording"
            ),
            Error::UnknownFormat(found) => {
                write!(f, "unknown trace format {found:?}; expected \"json\" or \"binary\"")
            }
            Error::Write { path, message } => {
                write!(f, "cannot write trace file {}: {message}", path.display())
            }
            Error::Read { path, message } => {
                write!(f, "cannot read trace {}: {message}", path.display())
            }
            Error::RecordingFailed(message) => {
                write!(f, "the recording stopped early because of an internal error: {message}")
            }
            Error::Python(err) => write!(f, "{err}"),
        }
    }
}

impl Error {
    /// 0.3.0's error code for this error.
    fn code(&self) -> &'static str {
        match self {
            Error::AlreadyTracing => "ERR_ALREADY_TRACING",
            Error::ToolIdsExhausted => "ERR_TRACER_INSTALL_CONFLICT",
            Error::UnknownFormat(_) => "ERR_UNSUPPORTED_FORMAT",
            Error::Write { .. } | Error::Read { .. } => "ERR_IO",
            Error::RecordingFailed(_) => "ERR_TRACE_INCOMPLETE",
            Error::Python(_) => "ERR_UNKNOWN",
        }
    }
}

impl From<Error> for PyErr {
    fn from(err: Error) -> PyErr {
        let message = err.to_string();
        let code = err.code();
        let (pyerr, path) = match err {
            Error::AlreadyTracing => (AlreadyTracingError::new_err(message), None),
            Error::ToolIdsExhausted => (ToolIdUnavailableError::new_err(message), None),
            // A ValueError, as for any other wrong argument of `start_tracing`.
            Error::UnknownFormat(_) => return pyo3::exceptions::PyValueError::new_err(message),
            Error::Write { path, .. } => (TraceWriteError::new_err(message), Some(path)),
            Error::Read { .. } => return pyo3::exceptions::PyValueError::new_err(message),
            Error::RecordingFailed(_) => (InternalError::new_err(message), None),
            Error::Python(err) => return err,
        };
        Python::attach(|py| {
            let context = PyDict::new(py);
            if let Some(path) = path {
                let _ = context.set_item("path", path.display().to_string());
            }
            describe(py, &pyerr, code, context);
        });
        pyerr
    }
}

/// Sets an instance's `code` and `context` (its `kind` comes from the class).
pub fn describe(py: Python<'_>, err: &PyErr, code: &str, context: Bound<'_, PyDict>) {
    let value = err.value(py);
    let _ = value.setattr("code", code);
    let _ = value.setattr("context", context);
}

/// A panic inside the recorder, as 0.3.0 reports one: an `InternalError` with code `ERR_UNKNOWN`.
pub fn internal_error(message: String) -> PyErr {
    let err = InternalError::new_err(message);
    Python::attach(|py| describe(py, &err, "ERR_UNKNOWN", PyDict::new(py)));
    err
}

/// Turns a caught panic payload into text, so a panic becomes an ordinary error instead of unwinding
/// into CPython.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_string()
    }
}
