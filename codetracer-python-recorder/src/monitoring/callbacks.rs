//! The callbacks `sys.monitoring` calls. They never raise into the monitored program: failures and
//! panics are caught here, stop the recording, and are reported by `stop_tracing`.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyCode;

use crate::capture::{
    capture_arguments, capture_locals, capture_return, capture_thrown, describe_exception, take_interrupt, Captured,
    ReturnValue,
};
use crate::config::ValueLimits;
use crate::errors::{panic_message, Result};
use crate::filter::{redacted, ValueAction};
use crate::session::{self, RecordedCode, Verdict};

thread_local! {
    /// Whether this thread's end is watched (see [`ThreadExitWatch`]).
    static EXIT_WATCHED: Cell<bool> = const { Cell::new(false) };
    /// Set while this thread is inside a callback. Capturing a value can run Python code (`__repr__`),
    /// whose own events must not be recorded or re-enter the recorder.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// What a callback hands back to `sys.monitoring`.
enum Reply {
    Continue,
    Disable,
}

/// Whether an event may be answered with `DISABLE`: `PY_THROW` and `PY_UNWIND` cannot be.
#[derive(Clone, Copy)]
enum Disable {
    Allowed,
    NotAllowed,
}

/// Kept in a thread's state dict, which CPython clears in that thread when it ends, before `join()`
/// returns in another: dropping it writes the thread's `ThreadExit` at that point of the trace.
#[pyclass(module = "codetracer_python_recorder._native", frozen)]
struct ThreadExitWatch {
    thread: u64,
}

impl Drop for ThreadExitWatch {
    fn drop(&mut self) {
        session::record_thread_exit(self.thread);
    }
}

/// Puts a [`ThreadExitWatch`] in this thread's state dict, once per thread.
fn watch_thread_exit(py: Python<'_>) -> Result<()> {
    if EXIT_WATCHED.with(|watched| watched.replace(true)) {
        return Ok(());
    }
    // SAFETY: the GIL is held; the result is a borrowed reference to this thread's dict, or NULL.
    let dict = unsafe { pyo3::ffi::PyThreadState_GetDict() };
    if dict.is_null() {
        return Ok(());
    }
    // SAFETY: `dict` is a live dict owned by the thread state; it is only borrowed here.
    let dict = unsafe { Bound::from_borrowed_ptr(py, dict) }.cast_into::<pyo3::types::PyDict>().map_err(PyErr::from)?;
    // SAFETY: a plain query of the calling thread's identifier.
    #[allow(clippy::useless_conversion)] // `c_ulong` is 32 bits on Windows
    let thread = u64::from(unsafe { pyo3::ffi::PyThread_get_thread_ident() });
    dict.set_item("codetracer_python_recorder.thread_exit", ThreadExitWatch { thread })?;
    Ok(())
}

/// Runs `record` for code the session keeps; filtered code is switched off where the event allows it.
fn when_recorded(
    code: &Bound<'_, PyAny>,
    disable: Disable,
    record: impl FnOnce(&Arc<RecordedCode>, &ValueLimits) -> Result<()>,
) -> Result<Reply> {
    match (session::classify(code)?, disable) {
        (Verdict::Record(recorded, limits), _) => {
            watch_thread_exit(code.py())?;
            record(&recorded, &limits).map(|()| Reply::Continue)
        }
        (Verdict::Skip, Disable::Allowed) => Ok(Reply::Disable),
        (Verdict::Skip, Disable::NotAllowed) | (Verdict::Inactive, _) | (Verdict::Dormant, _) => Ok(Reply::Continue),
    }
}

fn guarded(py: Python<'_>, handle: impl FnOnce() -> Result<Reply>) -> Py<PyAny> {
    if IN_CALLBACK.with(|flag| flag.replace(true)) {
        return py.None();
    }
    let outcome = catch_unwind(AssertUnwindSafe(handle));
    IN_CALLBACK.with(|flag| flag.set(false));
    if take_interrupt() {
        // Re-deliver the Ctrl-C after all of the callback's Python work, so the program gets it.
        // SAFETY: only marks SIGINT as pending for the interpreter's next signal check.
        unsafe { pyo3::ffi::PyErr_SetInterrupt() };
    }
    let failure = match outcome {
        Ok(Ok(Reply::Continue)) => return py.None(),
        Ok(Ok(Reply::Disable)) => {
            return match crate::monitoring::disable(py) {
                Ok(disable) => disable.clone_ref(py),
                Err(_) => py.None(),
            }
        }
        Ok(Err(err)) => err.to_string(),
        Err(payload) => format!("panic: {}", panic_message(payload.as_ref())),
    };
    session::fail(failure);
    py.None()
}

/// Function entry: the call with its arguments.
#[pyfunction]
pub fn on_py_start(py: Python<'_>, code: Bound<'_, PyCode>, _instruction_offset: i64) -> Py<PyAny> {
    let code = code.as_any();
    guarded(py, || {
        when_recorded(code, Disable::Allowed, |recorded, limits| {
            let arguments = capture_arguments(py, code, &recorded.facts, limits, &recorded.policy)?;
            session::record_call(recorded, arguments)
        })
    })
}

/// A generator or coroutine continuing: recorded as a call without arguments.
#[pyfunction]
pub fn on_py_resume(py: Python<'_>, code: Bound<'_, PyCode>, _instruction_offset: i64) -> Py<PyAny> {
    guarded(py, || {
        when_recorded(code.as_any(), Disable::Allowed, |recorded, _| session::record_call(recorded, Vec::new()))
    })
}

/// An exception thrown into a generator: recorded like a resume, with the exception as its argument.
/// `PY_THROW` cannot be disabled.
#[pyfunction]
pub fn on_py_throw(
    py: Python<'_>,
    code: Bound<'_, PyCode>,
    _instruction_offset: i64,
    exception: Bound<'_, PyAny>,
) -> Py<PyAny> {
    guarded(py, || {
        when_recorded(code.as_any(), Disable::NotAllowed, |recorded, limits| {
            session::record_call(recorded, capture_thrown(&exception, limits, &recorded.policy))
        })
    })
}

#[pyfunction]
pub fn on_py_return(
    py: Python<'_>,
    code: Bound<'_, PyCode>,
    _instruction_offset: i64,
    value: Bound<'_, PyAny>,
) -> Py<PyAny> {
    guarded(py, || leave(code.as_any(), &value))
}

/// A generator handing out a value: recorded as a return of that value.
#[pyfunction]
pub fn on_py_yield(
    py: Python<'_>,
    code: Bound<'_, PyCode>,
    _instruction_offset: i64,
    value: Bound<'_, PyAny>,
) -> Py<PyAny> {
    guarded(py, || leave(code.as_any(), &value))
}

fn leave(code: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> Result<Reply> {
    when_recorded(code, Disable::Allowed, |recorded, limits| {
        let returned = match recorded.policy.returns() {
            Some(ValueAction::Redact) => ReturnValue::made(redacted()),
            Some(ValueAction::Drop) => ReturnValue::made(Captured::None),
            None => capture_return(value, limits, &recorded.policy),
        };
        session::record_return(returned)
    })
}

/// A frame left by an exception: recorded as a return whose value is an error naming the exception.
/// `PY_UNWIND` cannot be disabled, so filtered code just returns.
#[pyfunction]
pub fn on_py_unwind(
    py: Python<'_>,
    code: Bound<'_, PyCode>,
    _instruction_offset: i64,
    exception: Bound<'_, PyAny>,
) -> Py<PyAny> {
    guarded(py, || {
        when_recorded(code.as_any(), Disable::NotAllowed, |_, _| {
            session::record_return(ReturnValue::made(Captured::Error(describe_exception(&exception))))
        })
    })
}

/// A line about to run: a step with the frame's variables.
#[pyfunction]
pub fn on_line(py: Python<'_>, code: Bound<'_, PyCode>, line_number: i64) -> Py<PyAny> {
    let code = code.as_any();
    guarded(py, || {
        when_recorded(code, Disable::Allowed, |recorded, limits| {
            let variables = capture_locals(py, code, &recorded.facts, limits, &recorded.policy)?;
            session::record_step(recorded, line_number, variables)
        })
    })
}
