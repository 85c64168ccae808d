//! Reading the contents of built-in containers and byte strings through their C storage.
//!
//! The generic protocols (`len()`, `iter()`, slicing) dispatch to a subclass's `__len__`, `__iter__` or
//! `__getitem__`, which is the program's code: it could print, change state, or be slow. The built-in
//! type's own functions read what the object holds whatever its class says, so capture runs no code of
//! the program here.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyFrozenSet, PyList, PySet, PyTuple};

use crate::config::ValueLimits;

/// The number of items a container holds, as its built-in type stores it.
pub(super) fn container_len(value: &Bound<'_, PyAny>) -> PyResult<usize> {
    if let Ok(list) = value.cast::<PyList>() {
        return Ok(list.len());
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return Ok(tuple.len());
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        return Ok(dict.len());
    }
    if let Ok(set) = value.cast::<PySet>() {
        return Ok(set.len());
    }
    if let Ok(set) = value.cast::<PyFrozenSet>() {
        return Ok(set.len());
    }
    // `collections.deque` and `array.array`, only of their exact built-in type (`LIST_LIKE_TYPES`).
    value.len()
}

/// The first `limit` items of a list, tuple, set, frozenset, deque or array, taken before any of them
/// is captured.
pub(super) fn sequence_items<'py>(value: &Bound<'py, PyAny>, limit: usize) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if let Ok(list) = value.cast::<PyList>() {
        // Indexing the live list (not an iterator) so a concurrent change cannot fail the copy.
        return Ok((0..limit.min(list.len())).filter_map(|index| list.get_item(index).ok()).collect());
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return Ok(tuple.iter().take(limit).collect());
    }
    let iterator = if value.is_instance_of::<PySet>() || value.is_instance_of::<PyFrozenSet>() {
        set_iterator(value)?
    } else {
        // deque and array of their exact type: their iterators are C code.
        value.try_iter()?.into_any()
    };
    let mut items = Vec::with_capacity(limit);
    for item in iterator.try_iter()?.take(limit) {
        items.push(item?);
    }
    Ok(items)
}

/// The iterator of the built-in set type over `set` (a set, a frozenset or a subclass of either).
fn set_iterator<'py>(set: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: the GIL is held; `PySet_Type.tp_iter` is CPython's set iterator, which frozensets share and
    // which accepts any instance of either type; it returns a new reference or NULL with an exception.
    unsafe {
        let set_type = std::ptr::addr_of_mut!(ffi::PySet_Type);
        let iterate = (*set_type).tp_iter.expect("the built-in set type is iterable");
        Bound::from_owned_ptr_or_err(set.py(), iterate(set.as_ptr()))
    }
}

/// The `repr` of the first `max_text` bytes of a `bytes` or `bytearray` (or a subclass of either),
/// marked when cut; `None` for any other value.
pub(super) fn bytes_text(value: &Bound<'_, PyAny>, limits: &ValueLimits) -> PyResult<Option<String>> {
    let py = value.py();
    let (shown, cut) = if let Ok(bytes) = value.cast::<PyBytes>() {
        let data = bytes.as_bytes();
        let kept = &data[..data.len().min(limits.max_text)];
        (PyBytes::new(py, kept).into_any(), kept.len() < data.len())
    } else if let Ok(array) = value.cast::<PyByteArray>() {
        // SAFETY: the buffer is copied at once, before any Python code could resize it.
        let data = unsafe { array.as_bytes() };
        let kept = &data[..data.len().min(limits.max_text)];
        (PyByteArray::new(py, kept).into_any(), kept.len() < data.len())
    } else {
        return Ok(None);
    };
    // The copy is of the exact built-in type, so its `repr` is CPython's.
    let mut text = shown.repr()?.to_cow()?.into_owned();
    if cut {
        text.push('…');
    }
    Ok(Some(text))
}
