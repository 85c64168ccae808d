use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use super::code::CodeFacts;
use super::value::{capture_value, Captured};
use crate::config::ValueLimits;

/// The namespace of the frame a monitoring callback is reporting on.
///
/// A callback implemented in C pushes no frame of its own, so the innermost Python frame is the
/// monitored one. Returns `None` when that frame does not run `code` (it should not happen, but
/// recording another frame's variables would be worse than recording none).
fn monitored_frame_locals<'py>(py: Python<'py>, code: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    // SAFETY: called with the GIL held; the frame is borrowed for the duration of this call only, and
    // both new references are owned by `Bound`s.
    unsafe {
        let frame = ffi::PyEval_GetFrame();
        if frame.is_null() {
            return Ok(None);
        }
        let frame_code = ffi::PyFrame_GetCode(frame);
        let same_code = frame_code.cast::<ffi::PyObject>() == code.as_ptr();
        ffi::Py_XDECREF(frame_code.cast());
        if !same_code {
            return Ok(None);
        }
        let locals = ffi::PyFrame_GetLocals(frame);
        Ok(Some(Bound::from_owned_ptr_or_err(py, locals)?))
    }
}

/// Values of the parameters at function entry (`PY_START`).
pub fn capture_arguments(
    py: Python<'_>,
    code: &Bound<'_, PyAny>,
    facts: &CodeFacts,
    limits: &ValueLimits,
) -> PyResult<Vec<(String, Captured)>> {
    let Some(locals) = monitored_frame_locals(py, code)? else {
        return Ok(Vec::new());
    };
    let mut arguments = Vec::with_capacity(facts.argument_names.len());
    for name in &facts.argument_names {
        let name = name.bind(py);
        if let Some(value) = lookup(&locals, name)? {
            arguments.push((name.to_cow()?.into_owned(), capture_value(&value, limits, 0)));
        }
    }
    Ok(arguments)
}

/// The variables visible at a line step: every local of a function; for module and class bodies,
/// the names the body uses.
pub fn capture_locals(
    py: Python<'_>,
    code: &Bound<'_, PyAny>,
    facts: &CodeFacts,
    limits: &ValueLimits,
) -> PyResult<Vec<(String, Captured)>> {
    let Some(locals) = monitored_frame_locals(py, code)? else {
        return Ok(Vec::new());
    };
    let mut variables = Vec::new();
    if let Some(names) = &facts.namespace_names {
        for name in names {
            let name = name.bind(py);
            if let Some(value) = lookup(&locals, name)? {
                variables.push((name.to_cow()?.into_owned(), capture_value(&value, limits, 0)));
            }
        }
    } else if let Ok(dict) = locals.cast::<PyDict>() {
        for (name, value) in dict.iter() {
            variables.push((variable_name(&name)?, capture_value(&value, limits, 0)));
        }
    } else {
        // Python 3.13 hands out a write-through `FrameLocalsProxy` instead of a dict snapshot.
        for item in locals.call_method0("items")?.try_iter()? {
            let (name, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            variables.push((variable_name(&name)?, capture_value(&value, limits, 0)));
        }
    }
    Ok(variables)
}

fn lookup<'py>(locals: &Bound<'py, PyAny>, name: &Bound<'py, PyString>) -> PyResult<Option<Bound<'py, PyAny>>> {
    if let Ok(dict) = locals.cast::<PyDict>() {
        return dict.get_item(name);
    }
    match locals.get_item(name) {
        Ok(value) => Ok(Some(value)),
        Err(err) if err.is_instance_of::<pyo3::exceptions::PyKeyError>(locals.py()) => Ok(None),
        Err(err) => Err(err),
    }
}

fn variable_name(name: &Bound<'_, PyAny>) -> PyResult<String> {
    match name.cast::<PyString>() {
        Ok(text) => Ok(text.to_cow()?.into_owned()),
        Err(_) => Ok(name.str()?.to_cow()?.into_owned()),
    }
}
