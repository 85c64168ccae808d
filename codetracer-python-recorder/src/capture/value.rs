use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple};

use super::builtin::{bytes_text, container_len, sequence_items};
use super::object::{capture_exception, capture_object, capture_other};
use crate::config::ValueLimits;
use crate::errors::panic_message;

/// A Python value copied into Rust, already cut down to the configured limits.
#[derive(Debug, Clone, PartialEq)]
pub enum Captured {
    None,
    Bool(bool),
    Int(i64),
    /// Magnitude as big-endian bytes, for ints that do not fit in 64 bits.
    BigInt {
        magnitude: Vec<u8>,
        negative: bool,
    },
    Float(f64),
    Str(String),
    /// A list, set or other homogeneous collection; `omitted` counts the items cut by the limits.
    Sequence {
        type_name: String,
        items: Vec<Captured>,
        omitted: usize,
    },
    Tuple {
        type_name: String,
        items: Vec<Captured>,
        omitted: usize,
    },
    Dict {
        type_name: String,
        entries: Vec<(Captured, Captured)>,
        omitted: usize,
    },
    /// An instance of a class defined in Python: its attributes from `__dict__` and `__slots__`, read
    /// without running any of the program's code.
    Object {
        type_name: String,
        fields: Vec<(String, Captured)>,
        omitted: usize,
    },
    /// Anything else, by a short description (or its truncated `repr` when `call_repr` is on).
    Repr {
        type_name: String,
        text: String,
    },
    /// The value could not be read (its `__repr__` raised, it is too large, ...).
    Error(String),
}

thread_local! {
    static INTERRUPTED: Cell<bool> = const { Cell::new(false) };
    /// Values still allowed for the variable being captured (`ValueLimits::max_nodes`).
    static NODES_LEFT: Cell<usize> = const { Cell::new(0) };
}

/// How many items a container may still show within the current variable's budget; taken from it.
fn take_items(wanted: usize) -> usize {
    NODES_LEFT.with(|left| {
        let granted = wanted.min(left.get());
        left.set(left.get() - granted);
        granted
    })
}

/// Takes one value from the current variable's budget; false when it is spent.
pub(super) fn take_node() -> bool {
    NODES_LEFT.with(|left| match left.get() {
        0 => false,
        n => {
            left.set(n - 1);
            true
        }
    })
}

/// Whether a Ctrl-C arrived inside Python code the recorder ran (a `__repr__`) since the last call.
/// The callback re-raises it once it is done, so the program sees it instead of the recorder.
pub fn take_interrupt() -> bool {
    INTERRUPTED.with(|flag| flag.replace(false))
}

/// Copies one value. Never fails: a value that cannot be read (an exception, even a panic while reading
/// it) becomes [`Captured::Error`] and the rest of the step is still recorded.
pub fn capture_value(value: &Bound<'_, PyAny>, limits: &ValueLimits, depth: usize) -> Captured {
    if depth == 0 {
        NODES_LEFT.with(|left| left.set(limits.max_nodes));
    }
    match catch_unwind(AssertUnwindSafe(|| capture_checked(value, limits, depth))) {
        Ok(Ok(captured)) => captured,
        Ok(Err(err)) if err.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(value.py()) => {
            INTERRUPTED.with(|flag| flag.set(true));
            Captured::Error("cannot record value: interrupted (Ctrl-C)".to_string())
        }
        Ok(Err(err)) => Captured::Error(truncate(format!("cannot record value: {err}"), limits.max_text)),
        Err(payload) => Captured::Error(format!("cannot record value: {}", panic_message(payload.as_ref()))),
    }
}

fn capture_checked(value: &Bound<'_, PyAny>, limits: &ValueLimits, depth: usize) -> PyResult<Captured> {
    if value.is_none() {
        return Ok(Captured::None);
    }
    // Exact type checks first: they are the common case, and subclasses (bool of int, IntEnum, str
    // enums) are instances of classes, recorded with their fields.
    if let Ok(flag) = value.cast_exact::<PyBool>() {
        return Ok(Captured::Bool(flag.is_true()));
    }
    if value.is_exact_instance_of::<PyInt>() {
        return capture_int(value, limits);
    }
    if let Ok(number) = value.cast_exact::<PyFloat>() {
        return Ok(Captured::Float(number.value()));
    }
    if let Ok(text) = value.cast_exact::<PyString>() {
        return capture_str(text, limits);
    }

    if is_container(value) {
        let type_name = type_name(value)?;
        if depth >= limits.max_depth || !take_node() {
            // Its own type name for the marker, apart from the container type of the same name.
            let text = format!("<{type_name}>");
            return Ok(Captured::Repr { type_name: text.clone(), text });
        }
        return capture_container(value, type_name, limits, depth);
    }
    if let Some(text) = bytes_text(value, limits)? {
        return Ok(Captured::Repr { type_name: type_name(value)?, text });
    }
    if limits.call_repr {
        let text = value.repr()?.to_cow()?.into_owned();
        return Ok(Captured::Repr { type_name: type_name(value)?, text: truncate(text, limits.max_text) });
    }
    if value.is_instance_of::<PyBaseException>() {
        return capture_exception(value, limits, depth);
    }
    if let Some(object) = capture_object(value, limits, depth)? {
        return Ok(object);
    }
    capture_other(value, limits)
}

fn capture_int(value: &Bound<'_, PyAny>, limits: &ValueLimits) -> PyResult<Captured> {
    if let Ok(small) = value.extract::<i64>() {
        return Ok(Captured::Int(small));
    }
    let bits: u64 = value.call_method0("bit_length")?.extract()?;
    if bits > limits.max_int_bits {
        return Ok(Captured::Error(format!(
            "int of {bits} bits, larger than the {} bits recorded",
            limits.max_int_bits
        )));
    }
    let negative = value.lt(0)?;
    let magnitude = value.call_method0("__abs__")?;
    let byte_count = bits.div_ceil(8);
    let bytes = magnitude.call_method1("to_bytes", (byte_count, "big"))?;
    Ok(Captured::BigInt { magnitude: bytes.cast::<PyBytes>()?.as_bytes().to_vec(), negative })
}

fn capture_str(text: &Bound<'_, PyString>, limits: &ValueLimits) -> PyResult<Captured> {
    // Slicing in Python first avoids converting a huge string to UTF-8 just to drop most of it.
    let too_long = text.len()? > limits.max_text;
    let kept = if too_long {
        text.get_item(pyo3::types::PySlice::new(text.py(), 0, limits.max_text as isize, 1))?.cast_into::<PyString>()?
    } else {
        text.clone()
    };
    let mut owned = kept.to_string_lossy().into_owned();
    if too_long {
        owned.push('…');
    }
    Ok(Captured::Str(owned))
}

/// The first `limit` items of a dict, as new references, taken without running Python code.
///
/// Reading the items first and capturing them afterwards matters: capturing can run Python code (a
/// `__repr__` with `call_repr`) that lets another thread change the dict's size, which makes an
/// iterator over the live dict fail.
fn dict_items<'py>(dict: &Bound<'py, PyDict>, limit: usize) -> Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let py = dict.py();
    let mut items = Vec::with_capacity(limit.min(dict.len()));
    let mut position: pyo3::ffi::Py_ssize_t = 0;
    let mut key: *mut pyo3::ffi::PyObject = std::ptr::null_mut();
    let mut item: *mut pyo3::ffi::PyObject = std::ptr::null_mut();
    while items.len() < limit {
        // SAFETY: the GIL is held and nothing in this loop runs Python code, so the dict cannot change
        // while it is walked; the borrowed key and value become owned references before the next call.
        let more = unsafe { pyo3::ffi::PyDict_Next(dict.as_ptr(), &mut position, &mut key, &mut item) };
        if more == 0 {
            break;
        }
        // SAFETY: `PyDict_Next` returned borrowed, non-null references.
        unsafe { items.push((Bound::from_borrowed_ptr(py, key), Bound::from_borrowed_ptr(py, item))) };
    }
    items
}

fn capture_container(
    value: &Bound<'_, PyAny>,
    type_name: String,
    limits: &ValueLimits,
    depth: usize,
) -> PyResult<Captured> {
    let length = container_len(value)?;
    let shown = take_items(length.min(limits.max_items));
    let omitted = length - shown;
    if let Ok(dict) = value.cast::<PyDict>() {
        let entries = dict_items(dict, shown)
            .iter()
            .map(|(key, item)| (capture_value(key, limits, depth + 1), capture_value(item, limits, depth + 1)))
            .collect();
        return Ok(Captured::Dict { type_name, entries, omitted });
    }
    let items = sequence_items(value, shown)?.iter().map(|item| capture_value(item, limits, depth + 1)).collect();
    if value.is_instance_of::<PyTuple>() {
        Ok(Captured::Tuple { type_name, items, omitted })
    } else {
        Ok(Captured::Sequence { type_name, items, omitted })
    }
}

/// Module-qualified type name (`builtins` left out), read from the type without running Python code.
pub(super) fn type_name(value: &Bound<'_, PyAny>) -> PyResult<String> {
    // The common containers without asking the type object for its name and module.
    if value.is_exact_instance_of::<PyList>() {
        return Ok("list".to_string());
    }
    if value.is_exact_instance_of::<PyTuple>() {
        return Ok("tuple".to_string());
    }
    if value.is_exact_instance_of::<PyDict>() {
        return Ok("dict".to_string());
    }
    Ok(super::object::type_facts(value)?.name.clone())
}

pub(super) fn truncate(mut text: String, max_chars: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// Reads `items` into a list of captured values (used for object fields).
pub(super) fn capture_dict_fields(
    dict: &Bound<'_, PyDict>,
    limits: &ValueLimits,
    depth: usize,
    fields: &mut Vec<(String, Captured)>,
) -> usize {
    let room = limits.max_items.saturating_sub(fields.len());
    let items = dict_items(dict, room);
    let mut kept = 0;
    for (name, item) in &items {
        let Ok(name) = name.cast::<PyString>() else {
            continue;
        };
        let Ok(name) = name.to_cow() else {
            continue;
        };
        fields.push((name.into_owned(), capture_value(item, limits, depth + 1)));
        kept += 1;
    }
    dict.len().saturating_sub(kept)
}

/// Whether capture records `value` as a container (list, tuple, dict, set, or a subclass of one; a
/// `collections.deque` or an `array.array`).
pub(super) fn is_container(value: &Bound<'_, PyAny>) -> bool {
    is_container_by(value, || super::object::type_facts(value).ok())
}

/// [`is_container`] with the facts of `value`'s type from `facts` (`None` when they cannot be read):
/// list, tuple and dict are told by their type flags, anything else by its type's facts.
pub(super) fn is_container_by(
    value: &Bound<'_, PyAny>,
    facts: impl FnOnce() -> Option<Rc<super::object::TypeFacts>>,
) -> bool {
    value.is_instance_of::<PyList>()
        || value.is_instance_of::<PyTuple>()
        || value.is_instance_of::<PyDict>()
        || match facts() {
            Some(facts) => facts.container,
            None => value.is_instance_of::<PySet>() || value.is_instance_of::<PyFrozenSet>(),
        }
}
