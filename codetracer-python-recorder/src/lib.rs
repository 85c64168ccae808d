//! CodeTracer recorder for CPython 3.12+: `sys.monitoring` callbacks feed frame captures, which are
//! encoded into CodeTracer's trace records (the format's own type and writer crates) and streamed to
//! disk; `writer` writes the events files itself, in the format crates' encodings, so a full disk or the
//! size limit still leaves a readable, finished trace.

pub mod capture;
pub mod config;
pub mod diagnostics;
pub mod encode;
pub mod errors;
pub mod fd_capture;
pub mod filter;
pub mod io_events;
pub mod monitoring;
pub mod session;
pub mod summary;
pub mod writer;

mod python_api;

use pyo3::prelude::*;

/// The private native module behind the `codetracer_python_recorder` package.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    // Panics inside the recorder are caught and reported as recording errors; Rust's default hook
    // would also print a backtrace onto the program's stderr. It is shown when asked for.
    let verbose = std::env::var_os("CODETRACER_RECORDER_DEBUG").is_some_and(|value| !value.is_empty());
    if !verbose {
        std::panic::set_hook(Box::new(|_| {}));
    }
    python_api::register(module)
}
