//! Which instance `__dict__`s changed since a moment, told by CPython's dict watchers
//! (`PyDict_AddWatcher`, 3.12+), so the unchanged-value walk need not compare an object's names and
//! plain values again when its dict has not been touched.
//!
//! CPython calls the watcher before every change to a watched dict (an item added, replaced or
//! removed, the dict cleared or filled from another, the dict freed), on whichever thread makes it,
//! with the GIL held. Each event stamps the dict with the next tick; a dict that is freed is forgotten,
//! so another dict later at its address is new to us. A walk that compared a dict in full and found it
//! matching takes the tick before comparing: the dict is unchanged since then exactly while its stamp
//! is older than that tick.
//!
//! Only on CPython 3.12. In 3.13 an object's attributes live in inline values that its materialised
//! `__dict__` shares, and 3.13.0 writes an attribute there without telling the dict's watchers
//! (python/cpython#125608, fixed after 3.13.0 was released). A process has at most 8 dict watchers;
//! when none is free, on other versions and without a GIL, nothing is watched and every walk compares
//! in full.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::Mutex;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::encode::FnvMap;

/// `PyDict_WatchEvent`: the events in the order `PY_FOREACH_DICT_EVENT` declares them (the same in
/// 3.12 and 3.13). Only `DEALLOCATED` is told apart: every other event is a change.
const EVENT_DEALLOCATED: c_int = 5;

type WatchCallback = unsafe extern "C" fn(
    event: c_int,
    dict: *mut ffi::PyObject,
    key: *mut ffi::PyObject,
    value: *mut ffi::PyObject,
) -> c_int;

// pyo3's FFI leaves the dict watcher functions out; they are in CPython's API since 3.12
// (Include/cpython/dictobject.h).
extern "C" {
    fn PyDict_AddWatcher(callback: WatchCallback) -> c_int;
    fn PyDict_Watch(watcher_id: c_int, dict: *mut ffi::PyObject) -> c_int;
    fn PyDict_Unwatch(watcher_id: c_int, dict: *mut ffi::PyObject) -> c_int;
}

const NOT_TRIED: i32 = -2;
const UNAVAILABLE: i32 = -1;

/// The watcher's id once registered, [`UNAVAILABLE`] when it cannot be.
static WATCHER: AtomicI32 = AtomicI32::new(NOT_TRIED);

/// Ticks order changes against verifications; starts above 0 so a stamp of 0 is never current.
static TICK: AtomicU64 = AtomicU64::new(1);

/// No verification stamped at or before this tick holds: raised when an event could not be noted
/// against its dict (the table was in use on this very thread), and when the table is emptied.
static FLOOR: AtomicU64 = AtomicU64::new(0);

/// Watched dicts by address, with the tick of their last change (or of when watching began).
static WATCHED: Mutex<Option<FnvMap<usize, u64>>> = Mutex::new(None);

/// Dicts watched at once; past this, every one is unwatched and watching starts over, so a program
/// that keeps making objects does not make every dict change call the watcher.
const WATCH_LIMIT: usize = 4096;

/// Runs for every change to a watched dict: must be cheap, never raise, never run Python code.
unsafe extern "C" fn on_dict_event(
    event: c_int,
    dict: *mut ffi::PyObject,
    _key: *mut ffi::PyObject,
    _value: *mut ffi::PyObject,
) -> c_int {
    let tick = TICK.fetch_add(1, Ordering::Relaxed);
    match WATCHED.try_lock() {
        Ok(mut watched) => {
            if let Some(watched) = watched.as_mut() {
                if event == EVENT_DEALLOCATED {
                    watched.remove(&(dict as usize));
                } else if let Some(changed) = watched.get_mut(&(dict as usize)) {
                    *changed = tick;
                }
            }
        }
        // Not knowable which verifications this change breaks: all of them.
        Err(_) => {
            FLOOR.fetch_max(tick, Ordering::Relaxed);
        }
    }
    0
}

fn watcher_id(py: Python<'_>) -> Option<c_int> {
    let id = match WATCHER.load(Ordering::Relaxed) {
        NOT_TRIED => {
            let id = register(py);
            WATCHER.store(id, Ordering::Relaxed);
            id
        }
        id => id,
    };
    (id >= 0).then_some(id)
}

fn register(py: Python<'_>) -> i32 {
    // 3.12's GIL orders events against walks (3.12 has no free-threaded build).
    if py.version_info() < (3, 12) || py.version_info() >= (3, 13) {
        return UNAVAILABLE;
    }
    // SAFETY: the GIL is held; the callback is a function of this module, which is never unloaded.
    let id = unsafe { PyDict_AddWatcher(on_dict_event) };
    if id < 0 {
        // All watcher ids taken: the walk compares in full.
        let _ = PyErr::take(py);
        return UNAVAILABLE;
    }
    id
}

/// Watches `dict` (from now on, if it was not already) and returns the tick a comparison of it that
/// starts now is stamped with; `None` when dicts cannot be watched.
pub(super) fn watch(dict: &Bound<'_, PyDict>) -> Option<u64> {
    let id = watcher_id(dict.py())?;
    let address = dict.as_ptr() as usize;
    let mut evicted = Vec::new();
    {
        let mut watched = WATCHED.lock().ok()?;
        let watched = watched.get_or_insert_with(FnvMap::default);
        if !watched.contains_key(&address) {
            if watched.len() >= WATCH_LIMIT {
                evicted.extend(watched.drain().map(|(address, _)| address));
                FLOOR.fetch_max(TICK.load(Ordering::Relaxed), Ordering::Relaxed);
            }
            // SAFETY: the GIL is held and `dict` is a live dict.
            if unsafe { PyDict_Watch(id, dict.as_ptr()) } < 0 {
                let _ = PyErr::take(dict.py());
                return None;
            }
            watched.insert(address, TICK.fetch_add(1, Ordering::Relaxed));
        }
    }
    for address in evicted {
        // SAFETY: a dict in the table is alive (a freed one leaves it in its DEALLOCATED event), and
        // unwatching runs no Python code.
        if unsafe { PyDict_Unwatch(id, address as *mut ffi::PyObject) } < 0 {
            let _ = PyErr::take(dict.py());
        }
    }
    Some(TICK.fetch_add(1, Ordering::Relaxed))
}

/// Whether the dict at `address` is watched and has not changed since a comparison stamped `since`.
pub(super) fn unchanged_since(address: usize, since: u64) -> bool {
    if since <= FLOOR.load(Ordering::Relaxed) {
        return false;
    }
    WATCHED.lock().ok().is_some_and(|watched| {
        watched.as_ref().and_then(|watched| watched.get(&address)).is_some_and(|&changed| changed < since)
    })
}
