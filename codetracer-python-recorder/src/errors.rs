//! One error type for the whole recorder, turned into a Python exception only at the boundary.

use std::fmt;
use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::PyRuntimeError;
use pyo3::PyErr;

// The module path is pinned so tracebacks and `repr` show the public package, not `_native`.
create_exception!(
    codetracer_python_recorder,
    RecorderError,
    PyRuntimeError,
    "Base class of every error raised by the recorder."
);
create_exception!(
    codetracer_python_recorder,
    AlreadyTracingError,
    RecorderError,
    "A recording is already active in this interpreter."
);
create_exception!(
    codetracer_python_recorder,
    ToolIdUnavailableError,
    RecorderError,
    "Every sys.monitoring tool id is taken by another tool."
);
create_exception!(
    codetracer_python_recorder,
    TraceWriteError,
    RecorderError,
    "The trace files could not be created or written."
);

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

impl From<Error> for PyErr {
    fn from(err: Error) -> PyErr {
        let message = err.to_string();
        match err {
            Error::AlreadyTracing => AlreadyTracingError::new_err(message),
            Error::ToolIdsExhausted => ToolIdUnavailableError::new_err(message),
            Error::UnknownFormat(_) => pyo3::exceptions::PyValueError::new_err(message),
            Error::Write { .. } => TraceWriteError::new_err(message),
            Error::Read { .. } => pyo3::exceptions::PyValueError::new_err(message),
            Error::RecordingFailed(_) => RecorderError::new_err(message),
            Error::Python(err) => err,
        }
    }
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
