//! Values that are neither numbers, text nor containers, read without running the program's code: no
//! `__repr__`, no `__getattr__`, no properties. Instances of classes defined in Python become their
//! fields (`__slots__` and `__dict__`); objects of built-in types a short description.

use std::cell::RefCell;
use std::rc::Rc;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{
    IntoPyDict, PyByteArray, PyBytes, PyDict, PyFrozenSet, PyList, PyModule, PySet, PyString, PyTuple, PyType,
};

use super::value::{capture_dict_fields, capture_value, take_node, truncate, Captured};
use crate::config::ValueLimits;
use crate::encode::FxMap;

/// Built-in types whose `repr` is implemented in C and shows no other object's `repr` (a `datetime`'s
/// `tzinfo` is the exception, see [`datetime_text`]).
const SELF_CONTAINED_REPR: [&str; 17] = [
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
    "datetime.time",
    "datetime.timedelta",
    "datetime.timezone",
    "decimal.Decimal",
    "re.Pattern",
    "zoneinfo.ZoneInfo",
];

/// Types whose `repr` names their time zone by the `tzinfo`'s own `repr`.
const WITH_TZINFO: [&str; 2] = ["datetime.datetime", "datetime.time"];

pub(super) fn is_heap_type(kind: &Bound<'_, PyType>) -> bool {
    // SAFETY: reads the flags of a live type object.
    let flags = unsafe { ffi::PyType_GetFlags(kind.as_type_ptr()) };
    flags & ffi::Py_TPFLAGS_HEAPTYPE != 0
}

/// What capturing needs to know about a class, read once per class: its name and its `__slots__`
/// member descriptors. Looking them up for every object at every step (the name through two
/// attribute reads and a `format!`, the slots through a failing `__dict__["__slots__"]` per class of
/// the MRO) was a large part of the cost of recording object-heavy code.
pub(super) struct TypeFacts {
    /// Held so the type object, whose address is the cache key, cannot be freed and its address reused.
    _kind: Py<PyType>,
    /// Module-qualified name (`builtins` left out).
    pub(super) name: String,
    /// `<name object>`, the description of an instance not expanded.
    pub(super) object_marker: String,
    /// Whether capture records instances by their fields: a class defined in Python that is not a
    /// container, bytes or metaclass (whose instances capture reads otherwise).
    pub(super) expandable: bool,
    /// Slot names with their class and member descriptor, in MRO order.
    pub(super) slots: Vec<SlotDescriptor>,
    /// Whether capture reads instances as a container: a list, tuple, dict, set or frozenset (or a
    /// subclass of one), or one of the exact built-in types in [`LIST_LIKE_TYPES`], read as a
    /// sequence of items. Asked of the type once rather than by subtype checks (each a walk of the
    /// MRO) at every value.
    pub(super) container: bool,
    /// Whether capture shows instances by their `repr`: the exact built-in types in
    /// [`SELF_CONTAINED_REPR`].
    pub(super) self_contained_repr: bool,
    /// The class's `__name__` when it is an `enum.Enum`: its members are shown as Python shows them.
    pub(super) enum_name: Option<String>,
}

/// A slot's name, the class declaring it and its member descriptor.
type SlotDescriptor = (String, Py<PyType>, Py<PyAny>);

/// Built-in collections besides list, tuple, dict and set that capture shows item by item, as the
/// `repr` that earlier recorders called did: (module, name). Only these exact types qualify: their
/// length and iteration are C code, where a subclass's could be the program's.
const LIST_LIKE_TYPES: [(&str, &str); 2] = [("collections", "deque"), ("array", "array")];

/// Whether `kind` is one of [`LIST_LIKE_TYPES`] itself.
fn is_list_like(kind: &Bound<'_, PyType>, module: &str, qualname: &str) -> bool {
    LIST_LIKE_TYPES.contains(&(module, qualname)) && is_found_in_its_module(kind, module, qualname)
}

/// Whether instances of `kind`, named `name`, are shown by their `repr`. A type defined in C without
/// being a heap type cannot be a program's class; one that is (extension modules' types, more of them in
/// every CPython release) must be the one its module holds.
fn is_self_contained_repr(kind: &Bound<'_, PyType>, name: &str, module: &str, qualname: &str) -> bool {
    SELF_CONTAINED_REPR.contains(&name) && (!is_heap_type(kind) || is_found_in_its_module(kind, module, qualname))
}

/// The `__name__` of `kind` when it derives from the `enum.Enum` its loaded module holds (no class can
/// derive from it while the module is not loaded).
fn enum_name(kind: &Bound<'_, PyType>) -> PyResult<Option<String>> {
    let py = kind.py();
    if !is_heap_type(kind) {
        return Ok(None);
    }
    // SAFETY: the GIL is held; a new reference or NULL, as above.
    let module =
        unsafe { Bound::from_owned_ptr_or_opt(py, ffi::PyImport_GetModule(pyo3::intern!(py, "enum").as_ptr())) };
    let _ = PyErr::take(py);
    let Some(base) = module.and_then(|module| module.getattr("Enum").ok()) else {
        return Ok(None);
    };
    let Ok(base) = base.cast_into::<PyType>() else {
        return Ok(None);
    };
    if !kind.is_subclass(&base)? {
        return Ok(None);
    }
    Ok(Some(kind.name()?.to_cow()?.into_owned()))
}

/// An enum member as its `repr` would show it, `<Color.RED: 1>`, built from the member's `_name_` and
/// `_value_` (its `repr` is Python code); a value that is not a number, text or None by its type.
pub(super) fn enum_text(value: &Bound<'_, PyAny>, class_name: &str) -> Option<String> {
    let dict = instance_dict(value)?;
    let name = dict.get_item("_name_").ok()??;
    let member_value = dict.get_item("_value_").ok()??;
    let value_text = if member_value.is_none()
        || member_value.is_exact_instance_of::<PyString>()
        || member_value.is_exact_instance_of::<pyo3::types::PyInt>()
        || member_value.is_exact_instance_of::<pyo3::types::PyFloat>()
        || member_value.is_exact_instance_of::<pyo3::types::PyBool>()
    {
        member_value.repr().ok()?.to_cow().ok()?.into_owned()
    } else {
        type_facts(&member_value).ok()?.object_marker.clone()
    };
    if name.is_none() {
        return Some(format!("<{class_name}: {value_text}>"));
    }
    let name = name.cast_into::<PyString>().ok()?;
    Some(format!("<{class_name}.{}: {value_text}>", name.to_cow().ok()?))
}

/// Whether `kind` is the type its loaded module holds under its name: a class of the same name defined
/// elsewhere is not. Asked once per type.
fn is_found_in_its_module(kind: &Bound<'_, PyType>, module: &str, qualname: &str) -> bool {
    let py = kind.py();
    let module_name = PyString::new(py, module);
    // SAFETY: the GIL is held; `PyImport_GetModule` looks the module up in `sys.modules` without importing
    // it and returns a new reference, or NULL.
    let loaded = unsafe { Bound::from_owned_ptr_or_opt(py, ffi::PyImport_GetModule(module_name.as_ptr())) };
    let _ = PyErr::take(py);
    loaded.and_then(|loaded| loaded.getattr(qualname).ok()).is_some_and(|found| found.is(kind))
}

/// Types seen so far; emptied when it grows past this many (programs that create classes in a loop).
const TYPE_CACHE_LIMIT: usize = 4096;

thread_local! {
    static TYPE_FACTS: RefCell<FxMap<usize, Rc<TypeFacts>>> = RefCell::new(FxMap::default());
}

/// The cached facts about `value`'s type, read on first sight of the type.
pub(super) fn type_facts(value: &Bound<'_, PyAny>) -> PyResult<Rc<TypeFacts>> {
    let kind = value.get_type();
    let key = kind.as_ptr() as usize;
    if let Some(facts) = TYPE_FACTS.with(|cache| cache.borrow().get(&key).cloned()) {
        return Ok(facts);
    }
    let qualname = kind.qualname()?.to_cow()?.into_owned();
    let module = kind.module()?.to_cow()?.into_owned();
    let name = if module == "builtins" { qualname.clone() } else { format!("{module}.{qualname}") };
    let slots = if is_heap_type(&kind) { slot_descriptors(&kind)? } else { Vec::new() };
    let list_like = is_list_like(&kind, &module, &qualname);
    let self_contained_repr = is_self_contained_repr(&kind, &name, &module, &qualname);
    let expandable = is_heap_type(&kind) && !list_like && !self_contained_repr && !read_otherwise(&kind)?;
    let container = list_like
        || kind.is_subclass_of::<PyList>()?
        || kind.is_subclass_of::<PyTuple>()?
        || kind.is_subclass_of::<PyDict>()?
        || kind.is_subclass_of::<PySet>()?
        || kind.is_subclass_of::<PyFrozenSet>()?;
    let facts = Rc::new(TypeFacts {
        object_marker: format!("<{name} object>"),
        name,
        expandable,
        slots,
        container,
        self_contained_repr,
        enum_name: enum_name(&kind)?,
        _kind: kind.unbind(),
    });
    TYPE_FACTS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= TYPE_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(key, facts.clone());
    });
    Ok(facts)
}

/// Whether `capture_value` reads instances of `kind` as something else than an object with fields.
fn read_otherwise(kind: &Bound<'_, PyType>) -> PyResult<bool> {
    Ok(kind.is_subclass_of::<PyList>()?
        || kind.is_subclass_of::<PyTuple>()?
        || kind.is_subclass_of::<PyDict>()?
        || kind.is_subclass_of::<PySet>()?
        || kind.is_subclass_of::<PyFrozenSet>()?
        || kind.is_subclass_of::<PyBytes>()?
        || kind.is_subclass_of::<PyByteArray>()?
        || kind.is_subclass_of::<PyType>()?)
}

/// An instance of a class defined in Python, as its fields; `None` for anything else.
pub(super) fn capture_object(
    value: &Bound<'_, PyAny>,
    limits: &ValueLimits,
    depth: usize,
) -> PyResult<Option<Captured>> {
    let facts = type_facts(value)?;
    if !facts.expandable {
        return Ok(None);
    }
    // An enum member is short and says what it is at any depth, like a number.
    if let Some(text) = facts.enum_name.as_deref().and_then(|class_name| enum_text(value, class_name)) {
        return Ok(Some(Captured::Repr { type_name: facts.name.clone(), text }));
    }
    if depth >= limits.max_depth.min(limits.max_object_depth) || !take_node() {
        return Ok(Some(Captured::Repr { text: facts.object_marker.clone(), type_name: "object".to_string() }));
    }
    let mut fields = Vec::new();
    let mut omitted = slot_fields(value, &facts, limits, depth, &mut fields);
    if let Some(dict) = instance_dict(value) {
        omitted += capture_dict_fields(&dict, limits, depth, &mut fields);
    }
    if fields.is_empty() && omitted == 0 {
        // No attributes yet (a `self` entering `__init__`): a struct type with no fields would take the
        // class's name, which the format gives one field list for good.
        return Ok(Some(Captured::Repr { type_name: "object".to_string(), text: facts.object_marker.clone() }));
    }
    Ok(Some(Captured::Object { type_name: facts.name.clone(), fields, omitted }))
}

/// An exception as its `args` followed by its attributes, like an object's fields. `args` is read from
/// the exception's own storage: a class may make `args` a property, which is the program's code.
pub(super) fn capture_exception(value: &Bound<'_, PyAny>, limits: &ValueLimits, depth: usize) -> PyResult<Captured> {
    let facts = type_facts(value)?;
    if depth >= limits.max_depth.min(limits.max_object_depth) || !take_node() {
        return Ok(Captured::Repr { text: facts.object_marker.clone(), type_name: "object".to_string() });
    }
    let mut fields = Vec::new();
    // SAFETY: `value` is an exception instance, whose C struct begins with `PyBaseExceptionObject`; the
    // borrowed `args` becomes an owned reference at once.
    let args = unsafe { (*value.as_ptr().cast::<ffi::PyBaseExceptionObject>()).args };
    if !args.is_null() {
        let args = unsafe { Bound::from_borrowed_ptr(value.py(), args) };
        fields.push(("args".to_string(), capture_value(&args, limits, depth + 1)));
    }
    let mut omitted = slot_fields(value, &facts, limits, depth, &mut fields);
    if let Some(dict) = instance_dict(value) {
        omitted += capture_dict_fields(&dict, limits, depth, &mut fields);
    }
    Ok(Captured::Object { type_name: facts.name.clone(), fields, omitted })
}

/// An exception as `Type: message` (an unwound frame's error value), with the message CPython's own
/// `__str__` gives when that runs none of the program's code: the class does not define `__str__` and
/// `args` holds only text, numbers and None. Otherwise the type alone.
pub fn describe_exception(exception: &Bound<'_, PyAny>) -> String {
    let kind = exception.get_type();
    let type_name = kind.qualname().map(|name| name.to_string()).unwrap_or_else(|_| "exception".to_string());
    if !(has_builtin_str(&kind) && has_plain_args(exception)) {
        return type_name;
    }
    match exception.str() {
        Ok(text) if !text.is_empty().unwrap_or(true) => format!("{type_name}: {text}"),
        _ => type_name,
    }
}

/// Whether `str()` of an instance of `kind` runs C code: its `tp_str` is the one of the first type in its
/// MRO that is not a heap type (a class's `__str__`, anywhere above it, would have replaced it).
fn has_builtin_str(kind: &Bound<'_, PyType>) -> bool {
    let builtin =
        kind.mro().iter().filter_map(|class| class.cast_into::<PyType>().ok()).find(|class| !is_heap_type(class));
    // The slots hold CPython's functions, compared by address (the same function is one address there).
    // SAFETY: reading a slot of two live type objects.
    let str_slot = |class: &Bound<'_, PyType>| unsafe { (*class.as_type_ptr()).tp_str }.map(|slot| slot as usize);
    builtin.is_some_and(|builtin| str_slot(kind) == str_slot(&builtin))
}

fn has_plain_args(exception: &Bound<'_, PyAny>) -> bool {
    // SAFETY: `exception` is an exception instance, whose C struct begins with `PyBaseExceptionObject`.
    let args = unsafe { (*exception.as_ptr().cast::<ffi::PyBaseExceptionObject>()).args };
    if args.is_null() {
        return true;
    }
    // SAFETY: a live object owned by the exception; borrowed while it is read.
    let args = unsafe { Bound::from_borrowed_ptr(exception.py(), args) };
    args.cast::<PyTuple>().is_ok_and(|args| {
        args.iter().all(|item| {
            item.is_none()
                || item.is_exact_instance_of::<PyString>()
                || item.is_exact_instance_of::<pyo3::types::PyInt>()
                || item.is_exact_instance_of::<pyo3::types::PyFloat>()
                || item.is_exact_instance_of::<pyo3::types::PyBool>()
        })
    })
}

/// The instance `__dict__`, through the generic lookup that no class can override.
pub(super) fn instance_dict<'py>(value: &Bound<'py, PyAny>) -> Option<Bound<'py, PyDict>> {
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
    facts: &TypeFacts,
    limits: &ValueLimits,
    depth: usize,
    fields: &mut Vec<(String, Captured)>,
) -> usize {
    let mut omitted = 0;
    for (name, class, descriptor) in &facts.slots {
        if fields.len() >= limits.max_items {
            omitted += 1;
            continue;
        }
        // An unset slot raises AttributeError: it has no value to show.
        if let Ok(item) = descriptor.bind(value.py()).call_method1("__get__", (value, class.bind(value.py()))) {
            fields.push((name.clone(), capture_value(&item, limits, depth + 1)));
        }
    }
    omitted
}

/// The `__slots__` member descriptors of the heap classes in `kind`'s MRO, in order.
fn slot_descriptors(kind: &Bound<'_, PyType>) -> PyResult<Vec<SlotDescriptor>> {
    let mut descriptors = Vec::new();
    for class in kind.mro().iter() {
        let class = class.cast_into::<PyType>()?;
        if !is_heap_type(&class) {
            continue;
        }
        let namespace = class.getattr(pyo3::intern!(kind.py(), "__dict__"))?;
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
            descriptors.push((name, class.clone().unbind(), descriptor.unbind()));
        }
    }
    Ok(descriptors)
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
    let facts = type_facts(value)?;
    let type_name = facts.name.clone();
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
    } else if facts.self_contained_repr && WITH_TZINFO.contains(&type_name.as_str()) {
        datetime_text(value)?
    } else if facts.self_contained_repr {
        value.repr()?.to_cow()?.into_owned()
    } else {
        format!("<{type_name} object>")
    };
    Ok(Captured::Repr { type_name, text: truncate(text, limits.max_text) })
}

/// A `datetime` or `time` as its `repr`, unless its `tzinfo` is a class whose `repr` is the program's code
/// (pytz's, dateutil's): then the same value without it, and the time zone by its class.
fn datetime_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = value.py();
    let tzinfo = value.getattr(pyo3::intern!(py, "tzinfo"))?;
    if tzinfo.is_none() || type_facts(&tzinfo)?.self_contained_repr {
        return Ok(value.repr()?.to_cow()?.into_owned());
    }
    let naive =
        value.call_method(pyo3::intern!(py, "replace"), (), Some(&[("tzinfo", py.None())].into_py_dict(py)?))?;
    let text = naive.repr()?.to_cow()?.into_owned();
    Ok(format!("{}, tzinfo={})", text.trim_end_matches(')'), type_facts(&tzinfo)?.object_marker))
}
