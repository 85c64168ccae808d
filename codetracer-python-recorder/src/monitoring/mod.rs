//! The `sys.monitoring` side: claiming a tool id, registering the callbacks, and giving both back.
//!
//! Every event is enabled globally and filtered code answers `DISABLE` on its first event. Global
//! `LINE` events (rather than `set_local_events` per code object) also reach frames that were already
//! running when recording started, such as the body of a `with trace(...)` block, and leave no
//! per-code-object state to undo when recording stops.

mod callbacks;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyCFunction;

use crate::errors::{Error, Result};
use crate::writer::RECORDER_NAME;

/// Tried in this order: the ids PEP 669 leaves unnamed first, then the named ones, so the recorder
/// keeps out of the way of a debugger (0), coverage (1), profiler (2) or optimizer (5).
const TOOL_ID_PREFERENCE: [u8; 6] = [3, 4, 2, 5, 1, 0];

static DISABLE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn monitoring(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    py.import("sys")?.getattr("monitoring")
}

/// `sys.monitoring.DISABLE`, the answer that switches an event off at its code location.
pub(crate) fn disable(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    DISABLE.get_or_try_init(py, || Ok(monitoring(py)?.getattr("DISABLE")?.unbind()))
}

pub fn claim_tool_id(py: Python<'_>) -> Result<u8> {
    let sys_monitoring = monitoring(py)?;
    for tool_id in TOOL_ID_PREFERENCE {
        if sys_monitoring.call_method1("get_tool", (tool_id,))?.is_none() {
            sys_monitoring.call_method1("use_tool_id", (tool_id, RECORDER_NAME))?;
            return Ok(tool_id);
        }
    }
    Err(Error::ToolIdsExhausted)
}

type Callback = fn(Python<'_>) -> PyResult<Bound<'_, PyCFunction>>;

/// Event name in `sys.monitoring.events` and the callback that handles it.
fn handlers() -> [(&'static str, Callback); 7] {
    [
        ("PY_START", |py| wrap_pyfunction!(callbacks::on_py_start, py)),
        ("PY_RESUME", |py| wrap_pyfunction!(callbacks::on_py_resume, py)),
        ("PY_THROW", |py| wrap_pyfunction!(callbacks::on_py_throw, py)),
        ("PY_RETURN", |py| wrap_pyfunction!(callbacks::on_py_return, py)),
        ("PY_YIELD", |py| wrap_pyfunction!(callbacks::on_py_yield, py)),
        ("PY_UNWIND", |py| wrap_pyfunction!(callbacks::on_py_unwind, py)),
        ("LINE", |py| wrap_pyfunction!(callbacks::on_line, py)),
    ]
}

/// `recorded_before`: whether this process has recorded already, whose `DISABLE`s must be lifted.
pub fn install(py: Python<'_>, tool_id: u8, recorded_before: bool) -> PyResult<()> {
    let sys_monitoring = monitoring(py)?;
    let events = sys_monitoring.getattr("events")?;
    disable(py)?;
    let mut mask: u64 = 0;
    for (event_name, make_callback) in handlers() {
        let event: u64 = events.getattr(event_name)?.extract()?;
        sys_monitoring.call_method1("register_callback", (tool_id, event, make_callback(py)?))?;
        mask |= event;
    }
    // Locations an earlier recording disabled must report again. `restart_events` lifts the DISABLEs of every
    // tool (a coverage tool's too), so it is called only when there is an earlier recording to undo.
    if recorded_before {
        sys_monitoring.call_method0("restart_events")?;
    }
    crate::capture::globals::start_watching(py);
    sys_monitoring.call_method1("set_events", (tool_id, mask))?;
    Ok(())
}

/// Switches every event off and frees the tool id. Failures are ignored: this runs on the way out,
/// often from `finally` or `atexit`, and there is nothing left to undo.
pub fn release(py: Python<'_>, tool_id: u8) {
    crate::capture::globals::stop_watching(py);
    let Ok(sys_monitoring) = monitoring(py) else {
        return;
    };
    let _ = sys_monitoring.call_method1("set_events", (tool_id, 0));
    if let Ok(events) = sys_monitoring.getattr("events") {
        for (event_name, _) in handlers() {
            if let Ok(event) = events.getattr(event_name) {
                let _ = sys_monitoring.call_method1("register_callback", (tool_id, event, py.None()));
            }
        }
    }
    let _ = sys_monitoring.call_method1("free_tool_id", (tool_id,));
}
