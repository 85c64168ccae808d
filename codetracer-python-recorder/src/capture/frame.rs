use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use super::code::CodeFacts;
use super::globals::visit_used_globals;
use super::memo::{self, Memo, NameSlot, ValueKey, NOT_REMEMBERED};
use super::unchanged::{is_unchanged, TypeCache};
use super::value::{capture_value, Captured};
use crate::config::ValueLimits;
use crate::filter::{redacted, ValueAction, ValueKind, ValuePolicy};

/// The frame a monitoring callback is reporting on, as a new reference.
///
/// A callback implemented in C pushes no frame of its own, so the innermost Python frame is the
/// monitored one. Returns `None` when that frame does not run `code` (it should not happen, but
/// recording another frame's variables would be worse than recording none).
fn monitored_frame<'py>(py: Python<'py>, code: &Bound<'py, PyAny>) -> Option<Bound<'py, PyAny>> {
    // SAFETY: called with the GIL held; `PyEval_GetFrame` returns a borrowed frame, turned into an owned
    // reference at once, and the code object reference is released right after the comparison.
    unsafe {
        let frame = ffi::PyEval_GetFrame();
        if frame.is_null() {
            return None;
        }
        let frame_code = ffi::PyFrame_GetCode(frame);
        let same_code = frame_code.cast::<ffi::PyObject>() == code.as_ptr();
        ffi::Py_XDECREF(frame_code.cast());
        same_code.then(|| Bound::from_borrowed_ptr(py, frame.cast()))
    }
}

fn frame_locals<'py>(frame: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: `frame` is a live frame object; the result is a new reference or NULL with an exception.
    unsafe { Bound::from_owned_ptr_or_err(frame.py(), ffi::PyFrame_GetLocals(frame.as_ptr().cast())) }
}

fn frame_globals<'py>(frame: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: as above.
    unsafe { Bound::from_owned_ptr_or_err(frame.py(), ffi::PyFrame_GetGlobals(frame.as_ptr().cast())) }
}

/// `__name__` of the module whose code `code` is, read from the running frame's globals.
pub fn module_name(py: Python<'_>, code: &Bound<'_, PyAny>) -> Option<String> {
    let frame = monitored_frame(py, code)?;
    let globals = frame_globals(&frame).ok()?;
    let name = globals.cast::<PyDict>().ok()?.get_item("__name__").ok()??;
    name.cast::<PyString>().ok()?.to_cow().ok().map(|name| name.into_owned())
}

/// A parameter's value at function entry (`PY_START`), read as a step's variables are: `None` when it
/// is the value remembered under `key`.
#[derive(Debug)]
pub struct ArgumentValue {
    pub name: String,
    pub key: ValueKey,
    pub value: Option<Captured>,
}

/// Values of the parameters at function entry (`PY_START`). A parameter holding what was recorded
/// before (`self`, most often) is written from memory, as a step's variable is.
pub fn capture_arguments(
    py: Python<'_>,
    code: &Bound<'_, PyAny>,
    facts: &CodeFacts,
    limits: &ValueLimits,
    policy: &ValuePolicy,
) -> PyResult<Vec<ArgumentValue>> {
    let Some(frame) = monitored_frame(py, code) else {
        return Ok(Vec::new());
    };
    let locals = frame_locals(&frame)?;
    memo::with_memo(|memo| {
        let mut reader = ValueReader::new(memo, policy, limits);
        let mut arguments = Vec::with_capacity(facts.argument_names.len());
        for name in &facts.argument_names {
            let name = name.bind(py);
            if let Some(value) = lookup(&locals, name)? {
                let text = name.to_cow()?;
                if let Some((key, value)) = reader.read(ValueKind::Argument, &text, &value) {
                    arguments.push(ArgumentValue { name: text.into_owned(), key, value });
                }
            }
        }
        Ok(arguments)
    })
}

/// The exception thrown into a generator (`PY_THROW`), as the resumed call's one argument `exception`:
/// 0.3.0 recorded it so, and a viewer shows why the generator went on.
pub fn capture_thrown(exception: &Bound<'_, PyAny>, limits: &ValueLimits, policy: &ValuePolicy) -> Vec<ArgumentValue> {
    memo::with_memo(|memo| {
        let mut reader = ValueReader::new(memo, policy, limits);
        reader
            .read(ValueKind::Argument, THROWN_ARGUMENT, exception)
            .map(|(key, value)| ArgumentValue { name: THROWN_ARGUMENT.to_string(), key, value })
            .into_iter()
            .collect()
    })
}

const THROWN_ARGUMENT: &str = "exception";

/// The value a function returns or yields, read as a step's variables are: `None` when it is the value
/// remembered under `key`.
#[derive(Debug)]
pub struct ReturnValue {
    pub key: ValueKey,
    pub value: Option<Captured>,
}

impl ReturnValue {
    /// A value made by the recorder (an error, a redaction), never remembered.
    pub fn made(value: Captured) -> ReturnValue {
        ReturnValue { key: NOT_REMEMBERED, value: Some(value) }
    }
}

/// The value a function returns or yields (`PY_RETURN`, `PY_YIELD`).
pub fn capture_return(value: &Bound<'_, PyAny>, limits: &ValueLimits, policy: &ValuePolicy) -> ReturnValue {
    memo::with_memo(|memo| {
        let (key, value) = ValueReader::new(memo, policy, limits).read_value(value);
        ReturnValue { key, value }
    })
}

/// One variable at a step: its name, and its value unless it is the one remembered.
#[derive(Debug)]
pub struct StepValue {
    /// `None`: the name remembered at this position of the code's steps.
    pub name: Option<String>,
    /// The value's key in [`super::memo`].
    pub key: ValueKey,
    /// `None`: the same value as remembered under `key`.
    pub value: Option<Captured>,
}

/// The variables of one line step, in order.
#[derive(Debug)]
pub struct StepCapture {
    pub code_key: usize,
    pub values: Vec<StepValue>,
}

/// Reads values against what the memo remembers: a value found unchanged is not captured again.
struct ValueReader<'a> {
    memo: &'a Memo,
    policy: &'a ValuePolicy,
    limits: &'a ValueLimits,
    types: TypeCache,
}

impl<'a> ValueReader<'a> {
    fn new(memo: &'a Memo, policy: &'a ValuePolicy, limits: &'a ValueLimits) -> Self {
        ValueReader { memo, policy, limits, types: TypeCache::take() }
    }
}

impl Drop for ValueReader<'_> {
    fn drop(&mut self) {
        std::mem::take(&mut self.types).put_back();
    }
}

impl ValueReader<'_> {
    /// The value as recorded: captured, then the `attr:` patterns applied. The memo remembers this
    /// form, so a field the patterns redact or drop never compares equal to the live object and such
    /// an object is captured afresh at every step.
    fn capture(&self, value: &Bound<'_, PyAny>) -> Captured {
        let mut captured = capture_value(value, self.limits, 0);
        self.policy.apply_to_attributes(value.py(), &mut captured);
        captured
    }

    /// The memo key of a variable's value, and the value unless it is the one remembered under that
    /// key (redacted as the filters say); `None` when the filters drop the variable.
    fn read(&mut self, kind: ValueKind, name: &str, value: &Bound<'_, PyAny>) -> Option<(ValueKey, Option<Captured>)> {
        match self.policy.action(kind, name) {
            Some(ValueAction::Drop) => None,
            Some(ValueAction::Redact) => Some((NOT_REMEMBERED, Some(redacted()))),
            None => Some(self.read_value(value)),
        }
    }

    /// The memo key of `value`, and the value unless it is the one remembered under that key.
    fn read_value(&mut self, value: &Bound<'_, PyAny>) -> (ValueKey, Option<Captured>) {
        let key = (value.as_ptr() as usize, self.policy.attributes_serial());
        let remembered = self.memo.values.get(&key);
        if remembered.is_some_and(|known| is_unchanged(value, &known.value, self.limits, &mut self.types)) {
            // Debug builds (the test suites) check every answer against a real capture.
            debug_assert_eq!(
                remembered.map(|known| &known.value),
                Some(&self.capture(value)),
                "a value reported unchanged"
            );
            (key, None)
        } else {
            (key, Some(self.capture(value)))
        }
    }
}

/// A step's variables as they are read, with the names the memo remembers for this code.
struct StepBuilder<'a> {
    values: Vec<StepValue>,
    names: &'a [NameSlot],
    reader: ValueReader<'a>,
}

impl StepBuilder<'_> {
    /// Adds one variable, its value captured only when it is not the one remembered (redacted and
    /// dropped values as the filters say).
    fn push(&mut self, kind: ValueKind, name: &str, value: &Bound<'_, PyAny>) {
        if let Some((key, value)) = self.reader.read(kind, name, value) {
            let known_name = self.names.get(self.values.len()).is_some_and(|slot| slot.name == name);
            let name = if known_name { None } else { Some(name.to_string()) };
            self.values.push(StepValue { name, key, value });
        }
    }
}

/// A variable's name as text: the names of a frame are `str` (a `locals()` key may be anything).
fn name_text<'a>(name: &'a Bound<'_, PyAny>) -> PyResult<std::borrow::Cow<'a, str>> {
    match name.cast::<PyString>() {
        Ok(text) => text.to_cow(),
        Err(_) => Ok(std::borrow::Cow::Owned(name.str()?.to_cow()?.into_owned())),
    }
}

/// The variables visible at a line step: every local of a function and the globals it uses; for
/// module and class bodies, the names the body uses.
pub fn capture_locals(
    py: Python<'_>,
    code: &Bound<'_, PyAny>,
    facts: &CodeFacts,
    limits: &ValueLimits,
    policy: &ValuePolicy,
) -> PyResult<StepCapture> {
    let code_key = code.as_ptr() as usize;
    let Some(frame) = monitored_frame(py, code) else {
        return Ok(StepCapture { code_key, values: Vec::new() });
    };
    let locals = frame_locals(&frame)?;
    let values = memo::with_memo(|memo| -> PyResult<Vec<StepValue>> {
        let names: &[NameSlot] = memo.names.get(&code_key).map_or(&[], Vec::as_slice);
        let reader = ValueReader::new(memo, policy, limits);
        let mut values = memo.spare_step.take();
        values.reserve(names.len());
        let mut step = StepBuilder { values, names, reader };
        if let Some(names) = &facts.namespace_names {
            // A namespace that is not a dict (`exec(code, globals, mapping)`, a metaclass's `__prepare__`)
            // can only be read through its own `__getitem__`, the program's code: such a body's steps
            // are recorded without its variables.
            let Ok(namespace) = locals.cast::<PyDict>() else {
                return Ok(step.values);
            };
            for name in names {
                let name = name.bind(py);
                if let Some(value) = namespace.get_item(name)? {
                    step.push(ValueKind::Global, &name.to_cow()?, &value);
                }
            }
            return Ok(step.values);
        }
        if let Ok(dict) = locals.cast::<PyDict>() {
            // Copied before capturing: capturing can run Python code (`call_repr`) during which another
            // thread could change the dict (a debugger reading `frame.f_locals` refreshes it).
            let mut pairs = memo.spare_pairs.take();
            pairs.extend(dict.iter().map(|(name, value)| (name.unbind(), value.unbind())));
            for (name, value) in &pairs {
                step.push(ValueKind::Local, &name_text(name.bind(py))?, value.bind(py));
            }
            pairs.clear();
            memo.spare_pairs.set(pairs);
        } else {
            // Python 3.13 hands out a write-through `FrameLocalsProxy` instead of a dict snapshot.
            for item in locals.call_method0("items")?.try_iter()? {
                let (name, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
                step.push(ValueKind::Local, &name_text(&name)?, &value);
            }
        }
        if !facts.global_names.is_empty() {
            if let Ok(globals) = frame_globals(&frame)?.cast_into::<PyDict>() {
                let seen = &memo.globals;
                visit_used_globals(&globals, facts, code_key, seen, |name, value| {
                    step.push(ValueKind::Global, name, value)
                })?;
            }
        }
        Ok(step.values)
    })?;
    Ok(StepCapture { code_key, values })
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
