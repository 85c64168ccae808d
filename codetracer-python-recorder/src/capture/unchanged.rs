//! Whether a variable still holds what was captured of it at the previous step, decided without
//! capturing it again: the recorder writes every variable at every step (a viewer shows the values
//! recorded after a step), and most of them have not changed since the last one.
//!
//! [`is_unchanged`] walks the live value alongside the earlier [`Captured`] tree and answers true only
//! when [`capture_value`](super::capture_value) would now return exactly that tree: the same decisions
//! in the same order (type checks, depth and item limits, the per-variable value budget), every leaf
//! compared by value. It keeps no reference to the program's objects between steps (a freed object's
//! address reused by another proves nothing, since every value is compared) and runs none of the
//! program's code. Anything it does not follow (sets, deques, arrays, bytes, big ints, exceptions,
//! subclasses of builtins, `call_repr`, descriptions of other objects, errors) answers false, so the
//! value is captured again.

use std::cell::RefCell;
use std::rc::Rc;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use super::object::{instance_dict, type_facts, TypeFacts};
use super::value::Captured;
use crate::config::ValueLimits;

/// Whether capturing `value` now would give exactly `earlier`.
pub fn is_unchanged(value: &Bound<'_, PyAny>, earlier: &Captured, limits: &ValueLimits, types: &mut TypeCache) -> bool {
    Walk { limits, nodes_left: limits.max_nodes, types }.same(value, earlier, 0)
}

/// The classes the walks met lately, with their facts: the walks meet the same few classes at nearly
/// every object and step, where asking the per-thread cache each time was a large part of a walk.
#[derive(Default)]
pub struct TypeCache {
    /// Keyed by the type's address; the facts hold the type, so the address is not reused meanwhile.
    entries: Vec<(usize, Rc<TypeFacts>)>,
    /// Index of the entry found last.
    last: usize,
}

/// Classes kept: when one more is met, the list starts over (a program's hot classes come back first).
const STEP_TYPES: usize = 16;

thread_local! {
    static KEPT: RefCell<TypeCache> = RefCell::new(TypeCache::default());
}

impl TypeCache {
    /// The classes this thread's walks met, for the walks of one capture (put back with [`Self::put_back`]).
    pub fn take() -> TypeCache {
        KEPT.with(|kept| std::mem::take(&mut *kept.borrow_mut()))
    }

    pub fn put_back(self) {
        KEPT.with(|kept| *kept.borrow_mut() = self);
    }

    fn facts(&mut self, value: &Bound<'_, PyAny>) -> Option<Rc<TypeFacts>> {
        // SAFETY: reads the type of a live object.
        let key = unsafe { pyo3::ffi::Py_TYPE(value.as_ptr()) } as usize;
        // A walk asks about one object twice in a row (is it a container, is it expanded) and meets
        // the same class in runs: the class asked last is tried before the others.
        if let Some((known, facts)) = self.entries.get(self.last) {
            if *known == key {
                return Some(Rc::clone(facts));
            }
        }
        if let Some(index) = self.entries.iter().position(|(known, _)| *known == key) {
            self.last = index;
            return Some(Rc::clone(&self.entries[index].1));
        }
        let facts = type_facts(value).ok()?;
        if self.entries.len() >= STEP_TYPES {
            self.entries.clear();
        }
        self.last = self.entries.len();
        self.entries.push((key, Rc::clone(&facts)));
        Some(facts)
    }
}

/// The capture's state along the walk: the same budget `capture_value` spends.
struct Walk<'a> {
    limits: &'a ValueLimits,
    nodes_left: usize,
    types: &'a mut TypeCache,
}

impl Walk<'_> {
    fn take_node(&mut self) -> bool {
        match self.nodes_left {
            0 => false,
            n => {
                self.nodes_left = n - 1;
                true
            }
        }
    }

    fn take_items(&mut self, wanted: usize) -> usize {
        let granted = wanted.min(self.nodes_left);
        self.nodes_left -= granted;
        granted
    }

    fn same(&mut self, value: &Bound<'_, PyAny>, earlier: &Captured, depth: usize) -> bool {
        match earlier {
            Captured::None => value.is_none(),
            Captured::Bool(flag) => value.cast_exact::<PyBool>().is_ok_and(|live| live.is_true() == *flag),
            Captured::Int(number) => {
                value.is_exact_instance_of::<PyInt>() && value.extract::<i64>().is_ok_and(|live| live == *number)
            }
            Captured::Float(number) => {
                value.cast_exact::<PyFloat>().is_ok_and(|live| live.value().to_bits() == number.to_bits())
            }
            Captured::Str(text) => value.cast_exact::<PyString>().is_ok_and(|live| {
                // A string over the limit was cut and marked; capture those again.
                live.len().is_ok_and(|length| length <= self.limits.max_text)
                    && live.to_str().is_ok_and(|live| live == text)
            }),
            Captured::Sequence { type_name, items, omitted } => {
                type_name == "list"
                    && value.cast_exact::<PyList>().is_ok_and(|list| self.same_list(list, items, *omitted, depth))
            }
            Captured::Tuple { type_name, items, omitted } => {
                type_name == "tuple"
                    && value.cast_exact::<PyTuple>().is_ok_and(|tuple| self.same_tuple(tuple, items, *omitted, depth))
            }
            Captured::Dict { type_name, entries, omitted } => {
                type_name == "dict"
                    && value.cast_exact::<PyDict>().is_ok_and(|dict| self.same_dict(dict, entries, *omitted, depth))
            }
            Captured::Object { type_name, fields, omitted } => self.object(value).is_some_and(|facts| {
                facts.name == *type_name
                    && self.object_expanded(depth)
                    && self.same_fields(value, &facts, fields, *omitted, depth)
            }),
            Captured::Repr { type_name, text } => self.same_marker(value, type_name, text, depth),
            Captured::BigInt { .. } | Captured::Error(_) => false,
        }
    }

    /// A container that was expanded: it must still be expanded, to the same length, item for item.
    fn expanded(&mut self, depth: usize, length: usize, shown: usize, omitted: usize) -> bool {
        if depth >= self.limits.max_depth || !self.take_node() {
            return false;
        }
        let granted = self.take_items(length.min(self.limits.max_items));
        granted == shown && length - granted == omitted
    }

    fn same_list(&mut self, list: &Bound<'_, PyList>, items: &[Captured], omitted: usize, depth: usize) -> bool {
        self.expanded(depth, list.len(), items.len(), omitted)
            && items
                .iter()
                .enumerate()
                .all(|(index, earlier)| list.get_item(index).is_ok_and(|item| self.same(&item, earlier, depth + 1)))
    }

    fn same_tuple(&mut self, tuple: &Bound<'_, PyTuple>, items: &[Captured], omitted: usize, depth: usize) -> bool {
        self.expanded(depth, tuple.len(), items.len(), omitted)
            && items
                .iter()
                .enumerate()
                .all(|(index, earlier)| tuple.get_item(index).is_ok_and(|item| self.same(&item, earlier, depth + 1)))
    }

    fn same_dict(
        &mut self,
        dict: &Bound<'_, PyDict>,
        entries: &[(Captured, Captured)],
        omitted: usize,
        depth: usize,
    ) -> bool {
        if !self.expanded(depth, dict.len(), entries.len(), omitted) {
            return false;
        }
        let mut walked = DictWalk::new(dict);
        entries.iter().all(|(key, item)| {
            walked.next().is_some_and(|(live_key, live_item)| {
                self.same(&live_key, key, depth + 1) && self.same(&live_item, item, depth + 1)
            })
        })
    }

    /// The facts of `value`'s class when capture would record it as an object with fields.
    fn object(&mut self, value: &Bound<'_, PyAny>) -> Option<Rc<TypeFacts>> {
        if self.limits.call_repr || value.is_instance_of::<pyo3::exceptions::PyBaseException>() {
            return None;
        }
        self.types.facts(value).filter(|facts| facts.expandable)
    }

    /// Whether capture expands an object at `depth` (taking a value from the budget) rather than
    /// showing its marker.
    fn object_expanded(&mut self, depth: usize) -> bool {
        depth < self.limits.max_depth.min(self.limits.max_object_depth) && self.take_node()
    }

    /// An expanded object's fields (none: capture shows its marker then): the same decisions as
    /// `capture_object`, slot fields first, then the instance `__dict__` in its order.
    fn same_fields(
        &mut self,
        value: &Bound<'_, PyAny>,
        facts: &TypeFacts,
        fields: &[(String, Captured)],
        omitted: usize,
        depth: usize,
    ) -> bool {
        let py = value.py();
        let mut matched = 0;
        let mut live_omitted = 0;
        for (name, class, descriptor) in &facts.slots {
            if matched >= self.limits.max_items {
                live_omitted += 1;
                continue;
            }
            let Ok(item) = descriptor.bind(py).call_method1("__get__", (value, class.bind(py))) else {
                continue;
            };
            match fields.get(matched) {
                Some((earlier_name, earlier)) if earlier_name == name && self.same(&item, earlier, depth + 1) => {
                    matched += 1
                }
                _ => return false,
            }
        }
        if let Some(dict) = instance_dict(value) {
            let room = self.limits.max_items.saturating_sub(matched);
            let mut kept = 0;
            let mut walked = DictWalk::new(&dict);
            for _ in 0..room {
                let Some((name, item)) = walked.next() else {
                    break;
                };
                let Ok(name) = name.cast::<PyString>() else {
                    continue;
                };
                let Ok(name) = name.to_str() else {
                    continue;
                };
                match fields.get(matched) {
                    Some((earlier_name, earlier)) if earlier_name == name && self.same(&item, earlier, depth + 1) => {
                        matched += 1;
                        kept += 1;
                    }
                    _ => return false,
                }
            }
            live_omitted += dict.len().saturating_sub(kept);
        }
        matched == fields.len() && live_omitted == omitted
    }

    /// A value shown by a short marker: a container or object past the depth or value limits, or an
    /// object with no attributes.
    fn same_marker(&mut self, value: &Bound<'_, PyAny>, type_name: &str, text: &str, depth: usize) -> bool {
        if value.is_none()
            || value.is_exact_instance_of::<PyBool>()
            || value.is_exact_instance_of::<PyInt>()
            || value.is_exact_instance_of::<PyFloat>()
            || value.is_exact_instance_of::<PyString>()
        {
            return false;
        }
        if super::value::is_container_by(value, || self.types.facts(value)) {
            if depth < self.limits.max_depth && self.take_node() {
                return false;
            }
            return type_name == text
                && text
                    .strip_prefix('<')
                    .and_then(|rest| rest.strip_suffix('>'))
                    .is_some_and(|name| super::value::type_name(value).ok().is_some_and(|live| live == name));
        }
        let Some(facts) = self.object(value) else {
            return false;
        };
        // An enum member is captured as its text whenever that can be read, as here.
        if let Some(live) =
            facts.enum_name.as_deref().and_then(|class_name| super::object::enum_text(value, class_name))
        {
            return type_name == facts.name && live == text;
        }
        if type_name != "object" || text != facts.object_marker {
            return false;
        }
        // Past the limits, or expanded but with no attributes at all.
        !self.object_expanded(depth) || self.same_fields(value, &facts, &[], 0, depth)
    }
}

/// A dict's entries in order, as `PyDict_Next` gives them: nothing in the walk runs Python code, so
/// the dict cannot change under it.
struct DictWalk<'a, 'py> {
    dict: &'a Bound<'py, PyDict>,
    position: pyo3::ffi::Py_ssize_t,
}

impl<'a, 'py> DictWalk<'a, 'py> {
    fn new(dict: &'a Bound<'py, PyDict>) -> Self {
        DictWalk { dict, position: 0 }
    }
}

impl<'a, 'py> Iterator for DictWalk<'a, 'py> {
    type Item = (Borrowed<'a, 'py, PyAny>, Borrowed<'a, 'py, PyAny>);

    fn next(&mut self) -> Option<Self::Item> {
        let mut key: *mut pyo3::ffi::PyObject = std::ptr::null_mut();
        let mut item: *mut pyo3::ffi::PyObject = std::ptr::null_mut();
        // SAFETY: the GIL is held and the walk runs no Python code, so the dict, which `'a` keeps alive,
        // keeps its key and value alive while they are compared.
        unsafe {
            if pyo3::ffi::PyDict_Next(self.dict.as_ptr(), &mut self.position, &mut key, &mut item) == 0 {
                return None;
            }
            Some((Borrowed::from_ptr(self.dict.py(), key), Borrowed::from_ptr(self.dict.py(), item)))
        }
    }
}
