//! With every dict watcher id taken before recording starts, the unchanged-value walk compares every
//! object in full: the values recorded are the same. (Its own test binary: the recorder asks for its
//! watcher once per process.)

mod attribute_routes;
mod support;

use pyo3::prelude::*;

#[test]
fn every_route_shows_when_no_dict_watcher_is_free() {
    Python::attach(|py| {
        // CPython's test module adds watchers that print nothing; at most 8 exist per interpreter.
        let testcapi = py.import("_testcapi").unwrap();
        let mut taken = 0;
        while testcapi.call_method1("add_dict_watcher", (0,)).is_ok() {
            taken += 1;
        }
        assert!(taken <= 8, "{taken} dict watchers added");
    });
    attribute_routes::check_every_route();
}
