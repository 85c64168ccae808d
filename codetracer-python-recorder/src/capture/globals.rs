//! The module globals a function uses, read at each of its steps. A module's dict rarely changes once
//! the module is imported, so the names looked up and the objects they were bound to are remembered
//! per code object, and used again while a dict watcher (`PyDict_AddWatcher`, CPython 3.12+) has seen
//! no change to any watched dict since. Only which object each name is bound to is remembered: the
//! objects themselves are still compared in full (a global list can be mutated in place), exactly as
//! when they were looked up.
//!
//! One counter, bumped by every event of every watched dict and whenever watching starts or stops,
//! tells a remembered lookup from a stale one: a dict freed and another made at its address, a name
//! rebound, deleted or added, the watcher cleared while recording stopped.

use std::cell::RefCell;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::Mutex;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use super::code::CodeFacts;
use crate::encode::FxMap;

/// The dict watcher id while recording, or -1 (none: every step looks its globals up).
static WATCHER: AtomicI32 = AtomicI32::new(-1);
/// Bumped by every event of a watched dict and when watching starts or stops.
static EPOCH: AtomicU64 = AtomicU64::new(1);
/// The dicts this recorder watches, by address (sorted), so stopping can unwatch them: a watcher id
/// freed with dicts still marked would hand those dicts' events to whoever takes the id next.
static WATCHED: Mutex<Vec<usize>> = Mutex::new(Vec::new());

// `PyDict_WatchEvent` in CPython's `Include/cpython/dictobject.h` (3.12 and 3.13): the last one.
const DICT_EVENT_DEALLOCATED: c_int = 5;

type DictWatchCallback =
    unsafe extern "C" fn(c_int, *mut ffi::PyObject, *mut ffi::PyObject, *mut ffi::PyObject) -> c_int;

extern "C" {
    // pyo3-ffi 0.30 declares `PyDict_Watch` and `PyDict_ClearWatcher` but not this one.
    fn PyDict_AddWatcher(callback: Option<DictWatchCallback>) -> c_int;
}

/// Runs inside CPython's dict operations, before the change: only counts (never raises, runs no
/// Python code).
unsafe extern "C" fn on_dict_event(
    event: c_int,
    dict: *mut ffi::PyObject,
    _key: *mut ffi::PyObject,
    _new_value: *mut ffi::PyObject,
) -> c_int {
    EPOCH.fetch_add(1, Ordering::AcqRel);
    if event == DICT_EVENT_DEALLOCATED {
        let mut watched = WATCHED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Ok(position) = watched.binary_search(&(dict as usize)) {
            watched.remove(position);
        }
    }
    0
}

/// Registers the dict watcher for a recording. Without a free watcher id (CPython has eight), steps
/// look their globals up every time, as they would without this module.
pub fn start_watching(py: Python<'_>) {
    stop_watching(py);
    // SAFETY: called with the GIL held; the callback is a plain function that lives as long as the process.
    let watcher = unsafe { PyDict_AddWatcher(Some(on_dict_event)) };
    if watcher < 0 {
        // SAFETY: the GIL is held; discards the "no more dict watcher IDs available" error.
        unsafe { ffi::PyErr_Clear() };
        return;
    }
    EPOCH.fetch_add(1, Ordering::AcqRel);
    WATCHER.store(watcher, Ordering::Release);
}

/// Unwatches every dict still alive and frees the watcher id; remembered lookups are stale from here.
/// (`_py`: the GIL is held, which the dict watcher calls require.)
pub fn stop_watching(_py: Python<'_>) {
    let watcher = WATCHER.swap(-1, Ordering::AcqRel);
    EPOCH.fetch_add(1, Ordering::AcqRel);
    if watcher < 0 {
        return;
    }
    let dicts = std::mem::take(&mut *WATCHED.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
    // SAFETY: the GIL is held; every address in `WATCHED` is a live dict (a freed one removed itself in
    // `on_dict_event`), and the watcher id is ours.
    unsafe {
        for dict in dicts {
            ffi::PyDict_Unwatch(watcher, dict as *mut ffi::PyObject);
        }
        if ffi::PyDict_ClearWatcher(watcher) < 0 {
            ffi::PyErr_Clear();
        }
    }
}

/// The counter value a lookup made now is valid under, after making sure `dict` is watched; `None`
/// when the lookup cannot be remembered (no watcher, or a dict subclass, whose lookups are not the
/// dict's own).
fn watch(dict: &Bound<'_, PyDict>) -> Option<u64> {
    let watcher = WATCHER.load(Ordering::Acquire);
    if watcher < 0 || !dict.is_exact_instance_of::<PyDict>() {
        return None;
    }
    // Read before the lookups: a change during them leaves the remembered lookup stale, not wrong.
    let epoch = EPOCH.load(Ordering::Acquire);
    let address = dict.as_ptr() as usize;
    let mut watched = WATCHED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Err(position) = watched.binary_search(&address) {
        // SAFETY: the GIL is held, `dict` is an exact dict and the watcher id is ours.
        if unsafe { ffi::PyDict_Watch(watcher, dict.as_ptr()) } < 0 {
            // SAFETY: as above; the error is dropped with the remembering.
            unsafe { ffi::PyErr_Clear() };
            return None;
        }
        watched.insert(position, address);
    }
    Some(epoch)
}

/// What a code object's globals lookup found: the names bound (by position in
/// [`CodeFacts::global_names`]) and the objects, in the dict `globals` as it was at `epoch`.
pub struct SeenGlobals {
    globals: usize,
    epoch: u64,
    /// Borrowed from the dict: valid while it has had no event since `epoch`.
    found: Vec<(usize, *mut ffi::PyObject)>,
}

/// Remembered lookups per code object address (the session keeps recorded code objects alive).
pub type SeenByCode = RefCell<FxMap<usize, SeenGlobals>>;

/// Code objects remembered per thread before starting over.
const CODE_LIMIT: usize = 4096;

/// Visits the module globals the function `code_key` refers to, leaving out modules, classes and
/// functions (the program's structure rather than its state, which would repeat at every step).
pub fn visit_used_globals(
    globals: &Bound<'_, PyDict>,
    facts: &CodeFacts,
    code_key: usize,
    seen: &SeenByCode,
    mut visit: impl FnMut(&str, &Bound<'_, PyAny>),
) -> PyResult<()> {
    let py = globals.py();
    let mut first_unvisited = 0;
    {
        // Visiting runs no recorder callback on this thread (they do not nest), so nothing else
        // borrows `seen` meanwhile.
        let table = seen.borrow();
        let current = table
            .get(&code_key)
            .filter(|known| known.globals == globals.as_ptr() as usize && known.epoch == EPOCH.load(Ordering::Acquire));
        if let Some(known) = current {
            for &(index, value) in &known.found {
                // Visiting can let other Python code run (the filters' callable, another thread
                // meanwhile): a change since makes the rest of the remembered lookup stale.
                if EPOCH.load(Ordering::Acquire) != known.epoch {
                    break;
                }
                // SAFETY: the dict has not changed since `value` was found in it, so it still holds it;
                // the owned reference keeps it alive through the visit.
                let value = unsafe { Bound::from_borrowed_ptr(py, value) };
                visit(&facts.global_names[index].bind(py).to_cow()?, &value);
                first_unvisited = index + 1;
            }
            if EPOCH.load(Ordering::Acquire) == known.epoch {
                return Ok(());
            }
        }
    }
    let epoch = if first_unvisited == 0 { watch(globals) } else { None };
    let mut found = Vec::new();
    for (index, name) in facts.global_names.iter().enumerate().skip(first_unvisited) {
        let name: &Bound<'_, PyString> = name.bind(py);
        let Some(value) = globals.get_item(name)? else {
            continue;
        };
        if is_program_structure(&value) {
            continue;
        }
        found.push((index, value.as_ptr()));
        visit(&name.to_cow()?, &value);
    }
    if let Some(epoch) = epoch {
        let mut seen = seen.borrow_mut();
        if seen.len() >= CODE_LIMIT {
            seen.clear();
        }
        seen.insert(code_key, SeenGlobals { globals: globals.as_ptr() as usize, epoch, found });
    }
    Ok(())
}

fn is_program_structure(value: &Bound<'_, PyAny>) -> bool {
    let object = value.as_ptr();
    // SAFETY: type checks on a live object.
    unsafe {
        ffi::PyModule_Check(object) != 0
            || ffi::PyType_Check(object) != 0
            || ffi::PyFunction_Check(object) != 0
            || ffi::PyCFunction_Check(object) != 0
    }
}
