//! Glob selectors of trace filter files, matched by the `globset` crate that 0.3.0 used, so a 0.3.0
//! filter file selects the same modules and files here: `*` and `?` stay within one path segment
//! (literal separator), `**` spans segments, `[!x]` and `{a,b}` as globset defines them.

use globset::{GlobBuilder, GlobMatcher};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A compiled glob, handed to the Python side of the filter chain.
#[pyclass(frozen, module = "codetracer_python_recorder._native")]
pub struct Glob {
    matcher: GlobMatcher,
}

#[pymethods]
impl Glob {
    #[new]
    fn new(pattern: &str) -> PyResult<Self> {
        GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map(|glob| Glob { matcher: glob.compile_matcher() })
            .map_err(|err| PyValueError::new_err(err.kind().to_string()))
    }

    /// Whether the whole of `text` matches the pattern.
    fn matches(&self, text: &str) -> bool {
        self.matcher.is_match(text)
    }

    fn __repr__(&self) -> String {
        format!("Glob({:?})", self.matcher.glob().glob())
    }
}
