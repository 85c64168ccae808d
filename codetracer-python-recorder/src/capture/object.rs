//! Values that are neither numbers, text nor containers, read without running the program's code: no
//! `__repr__`, no `__getattr__`, no properties. Instances of classes defined in Python become their
//! fields (`__slots__` and `__dict__`); objects of built-in types a short description.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule, PyString, PyType};

use super::value::{capture_dict_fields, capture_value, take_node, truncate, type_name, Captured};
use crate::config::ValueLimits;

/// Built-in types whose `repr` is implemented in C and shows no other object's `repr`.
const SELF_CONTAINED_REPR: [&str; 13] = [
    "function",
    "builtin_function_or_method",
    "method_descriptor",
    "wrapper_descriptor",
    "complex",
    "range",
    "code",
    "ellipsis",
    "NotImplementedType",
    "datetime.date",
    "datetime.datetime",
    "datetime.timedelta",
    "decimal.Decimal",
];

fn is_heap_type(kind: &Bound<'_, PyType>) -> bool {
    // SAFETY: reads the flags of a live type object.
    let flags = unsafe { ffi::PyType_GetFlags(kind.as_type_ptr()) };
    flags & ffi::Py_TPFLAGS_HEAPTYPE != 0
}

/// An instance of a class defined in Python, as its fields; `None` for anything else.
pub(super) fn capture_object(
    value: &Bound<'_, PyAny>,
    limits: &ValueLimits,
    depth: usize,
) -> PyResult<Option<Captured>> {
    if value.is_instance_of::<PyType>() || !is_heap_type(&value.get_type()) {
        return Ok(None);
    }
    let type_name = type_name(value)?;
    if depth >= limits.max_depth.min(limits.max_object_depth) || !take_node() {
        return Ok(Some(Captured::Repr { text: format!("<{type_name} object>"), type_name: "object".to_string() }));
    }
    let mut fields = Vec::new();
    let mut omitted = slot_fields(value, limits, depth, &mut fields)?;
    if let Some(dict) = instance_dict(value) {
        omitted += capture_dict_fields(&dict, limits, depth, &mut fields);
    }
    if fields.is_empty() && omitted == 0 {
        // No attributes yet (a `self` entering `__init__`): a struct type with no fields would take the
        // class's name, which the format gives one field list for good.
        return Ok(Some(Captured::Repr { type_name: "object".to_string(), text: format!("<{type_name} object>") }));
    }
    Ok(Some(Captured::Object { type_name, fields, omitted }))
}

/// The instance `__dict__`, through the generic lookup that no class can override.
fn instance_dict<'py>(value: &Bound<'py, PyAny>) -> Option<Bound<'py, PyDict>> {
    // SAFETY: the GIL is held; the result is a new reference or NULL with an exception set.
    let dict = unsafe { ffi::PyObject_GenericGetDict(value.as_ptr(), std::ptr::null_mut()) };
    if dict.is_null() {
        // The type has no `__dict__` (only slots): not an error.
        let _ = PyErr::take(value.py());
        return None;
    }
    // SAFETY: `dict` is a new, non-null reference.
    let dict = unsafe { Bound::from_owned_ptr(value.py(), dict) };
    dict.cast_into::<PyDict>().ok()
}

/// Fields declared with `__slots__` anywhere in the class hierarchy, read through their member
/// descriptors (C code) rather than attribute lookup. Returns how many were left out by the limits.
fn slot_fields(
    value: &Bound<'_, PyAny>,
    limits: &ValueLimits,
    depth: usize,
    fields: &mut Vec<(String, Captured)>,
) -> PyResult<usize> {
    let kind = value.get_type();
    let mro = kind.mro();
    let mut omitted = 0;
    for class in mro.iter() {
        let class = class.cast_into::<PyType>()?;
        if !is_heap_type(&class) {
            continue;
        }
        let namespace = class.getattr(pyo3::intern!(value.py(), "__dict__"))?;
        let Ok(slots) = namespace.get_item("__slots__") else {
            continue;
        };
        let names: Vec<Bound<'_, PyAny>> = if slots.is_instance_of::<PyString>() {
            vec![slots]
        } else {
            slots.try_iter()?.collect::<PyResult<_>>()?
        };
        for name in names {
            let Ok(name) = name.cast_into::<PyString>() else {
                continue;
            };
            let name = name.to_cow()?.into_owned();
            if name == "__dict__" || name == "__weakref__" {
                continue;
            }
            let Ok(descriptor) = namespace.get_item(mangled(&class, &name)?) else {
                continue;
            };
            if descriptor.get_type().name()?.to_cow()? != "member_descriptor" {
                continue;
            }
            if fields.len() >= limits.max_items {
                omitted += 1;
                continue;
            }
            // An unset slot raises AttributeError: it has no value to show.
            if let Ok(item) = descriptor.call_method1("__get__", (value, &class)) {
                fields.push((name, capture_value(&item, limits, depth + 1)));
            }
        }
    }
    Ok(omitted)
}

/// Python stores a slot named `__x` of class `C` as `_C__x`.
fn mangled(class: &Bound<'_, PyType>, name: &str) -> PyResult<String> {
    if name.starts_with("__") && !name.ends_with("__") {
        let class_name = class.name()?.to_cow()?.into_owned();
        return Ok(format!("_{}{name}", class_name.trim_start_matches('_')));
    }
    Ok(name.to_string())
}

/// Classes, modules, functions and other built-in objects, by a description that runs no Python code.
pub(super) fn capture_other(value: &Bound<'_, PyAny>, limits: &ValueLimits) -> PyResult<Captured> {
    let type_name = type_name(value)?;
    let text = if let Ok(class) = value.cast::<PyType>() {
        let qualname = class.qualname()?.to_cow()?.into_owned();
        let module = class.module()?.to_cow()?.into_owned();
        if module == "builtins" {
            format!("<class '{qualname}'>")
        } else {
            format!("<class '{module}.{qualname}'>")
        }
    } else if let Ok(module) = value.cast::<PyModule>() {
        format!("<module '{}'>", module.name()?.to_cow()?)
    } else if type_name == "method" {
        let function = value.getattr(pyo3::intern!(value.py(), "__func__"))?;
        let receiver = value.getattr(pyo3::intern!(value.py(), "__self__"))?;
        let qualname = function.getattr(pyo3::intern!(value.py(), "__qualname__"))?;
        let qualname = qualname.cast::<PyString>().map(|name| name.to_string()).unwrap_or_default();
        format!("<bound method {qualname} of {} object>", super::value::type_name(&receiver)?)
    } else if SELF_CONTAINED_REPR.contains(&type_name.as_str()) {
        value.repr()?.to_cow()?.into_owned()
    } else {
        format!("<{type_name} object>")
    };
    Ok(Captured::Repr { type_name, text: truncate(text, limits.max_text) })
}
