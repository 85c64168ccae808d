use std::cell::Cell;

use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple,
};

use crate::config::ValueLimits;

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
    /// Anything else, by its (truncated) `repr`.
    Repr {
        type_name: String,
        text: String,
    },
    /// The value could not be read (its `__repr__` raised, it is too large, ...).
    Error(String),
}

thread_local! {
    static INTERRUPTED: Cell<bool> = const { Cell::new(false) };
}

/// Whether a Ctrl-C arrived inside Python code the recorder ran (a `__repr__`) since the last call.
/// The callback re-raises it once it is done, so the program sees it instead of the recorder.
pub fn take_interrupt() -> bool {
    INTERRUPTED.with(|flag| flag.replace(false))
}

pub fn capture_value(value: &Bound<'_, PyAny>, limits: &ValueLimits, depth: usize) -> Captured {
    match capture_checked(value, limits, depth) {
        Ok(captured) => captured,
        Err(err) if err.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(value.py()) => {
            INTERRUPTED.with(|flag| flag.set(true));
            Captured::Error("cannot record value: interrupted (Ctrl-C)".to_string())
        }
        Err(err) => Captured::Error(truncate(format!("cannot record value: {err}"), limits.max_text)),
    }
}

fn capture_checked(value: &Bound<'_, PyAny>, limits: &ValueLimits, depth: usize) -> PyResult<Captured> {
    if value.is_none() {
        return Ok(Captured::None);
    }
    // Exact type checks first: they are the common case, and subclasses (bool of int, IntEnum, str
    // enums) read better through their own repr.
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

    let is_container = value.is_instance_of::<PyList>()
        || value.is_instance_of::<PyTuple>()
        || value.is_instance_of::<PyDict>()
        || value.is_instance_of::<PySet>()
        || value.is_instance_of::<PyFrozenSet>();
    if is_container {
        let type_name = type_name(value)?;
        if depth >= limits.max_depth {
            return Ok(Captured::Repr { text: format!("<{type_name}>"), type_name });
        }
        return capture_container(value, type_name, limits, depth);
    }
    if value.is_instance_of::<PyBytes>() || value.is_instance_of::<PyByteArray>() {
        // `repr` is linear in the size; shorten first.
        let shortened = value.get_item(pyo3::types::PySlice::new(value.py(), 0, limits.max_text as isize, 1))?;
        let mut text = shortened.repr()?.to_cow()?.into_owned();
        if value.len()? > limits.max_text {
            text.push('…');
        }
        return Ok(Captured::Repr { type_name: type_name(value)?, text });
    }
    let text = value.repr()?.to_cow()?.into_owned();
    Ok(Captured::Repr { type_name: type_name(value)?, text: truncate(text, limits.max_text) })
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

fn capture_container(
    value: &Bound<'_, PyAny>,
    type_name: String,
    limits: &ValueLimits,
    depth: usize,
) -> PyResult<Captured> {
    let length = value.len()?;
    let omitted = length.saturating_sub(limits.max_items);
    if let Ok(dict) = value.cast::<PyDict>() {
        let entries = dict
            .iter()
            .take(limits.max_items)
            .map(|(key, item)| (capture_value(&key, limits, depth + 1), capture_value(&item, limits, depth + 1)))
            .collect();
        return Ok(Captured::Dict { type_name, entries, omitted });
    }
    let mut items = Vec::with_capacity(length.min(limits.max_items));
    for item in value.try_iter()?.take(limits.max_items) {
        items.push(capture_value(&item?, limits, depth + 1));
    }
    if value.is_instance_of::<PyTuple>() {
        Ok(Captured::Tuple { type_name, items, omitted })
    } else {
        Ok(Captured::Sequence { type_name, items, omitted })
    }
}

fn type_name(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let kind = value.get_type();
    let qualname = kind.qualname()?.to_cow()?.into_owned();
    let module = kind.module()?.to_cow()?.into_owned();
    Ok(if module == "builtins" { qualname } else { format!("{module}.{qualname}") })
}

fn truncate(mut text: String, max_chars: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        text.truncate(cut);
        text.push('…');
    }
    text
}
