//! What one recording is asked to do: where it writes, in which format, and which code it skips.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::errors::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Binary,
}

impl Format {
    pub fn parse(name: &str) -> Result<Format> {
        match name {
            "json" => Ok(Format::Json),
            "binary" => Ok(Format::Binary),
            other => Err(Error::UnknownFormat(other.to_string())),
        }
    }

    pub fn events_file_name(self) -> &'static str {
        match self {
            Format::Json => "trace.json",
            Format::Binary => "trace.bin",
        }
    }
}

/// Bounds applied to every captured value so one huge object cannot stall the program or bloat the trace.
#[derive(Debug, Clone, Copy)]
pub struct ValueLimits {
    /// Containers nested deeper than this are recorded as their `repr`-free type name.
    pub max_depth: usize,
    /// Items kept from each list, tuple, dict or set.
    pub max_items: usize,
    /// Characters kept from strings and from `repr` results.
    pub max_text: usize,
    /// Larger ints are recorded as an error naming their size; `repr` of them would be slow or refused.
    pub max_int_bits: u64,
    /// Objects of classes nested deeper than this are described (`<module.Class object>`) rather than
    /// expanded into their fields: object graphs are wide, and a step would otherwise repeat much of
    /// the program's heap.
    pub max_object_depth: usize,
    /// Values (containers, objects and scalars) kept of one variable in all, so a graph of objects
    /// cannot turn one variable into thousands of values; past it containers show as their type name.
    pub max_nodes: usize,
    /// Record objects of classes by calling their `repr()` (the program's own code) instead of reading
    /// their fields.
    pub call_repr: bool,
}

impl Default for ValueLimits {
    fn default() -> Self {
        ValueLimits {
            max_depth: 3,
            max_items: 32,
            max_text: 256,
            max_int_bits: 4096,
            max_object_depth: 1,
            max_nodes: 64,
            call_repr: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TraceConfig {
    pub trace_dir: PathBuf,
    pub format: Format,
    pub program: String,
    pub args: Vec<String>,
    /// Glob patterns (`*` and `?`) over code file names; matching code is not recorded.
    pub exclude: Vec<String>,
    /// Glob patterns that win over `exclude`.
    pub include: Vec<String>,
    /// Glob patterns of the standard library, skipped unless a `third_party` pattern also matches:
    /// an interpreter keeps `site-packages` inside its standard library directory.
    pub library: Vec<String>,
    /// Glob patterns of installed packages (`site-packages`), recorded like the program's own code.
    pub third_party: Vec<String>,
    pub limits: ValueLimits,
    /// The events file stops growing past this many bytes: the recording ends, marked truncated.
    /// 0 means no limit.
    pub max_trace_bytes: u64,
    /// Nothing is recorded until code in this file runs (absolute path).
    pub activation_path: Option<PathBuf>,
    /// The trace filters' resolver (see [`crate::filter`]), asked once per code object.
    pub resolver: Option<Arc<Py<PyAny>>>,
    /// Settings the facade applied (filters, IO capture, ...), stored in `trace_metadata.json`.
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// 2 GiB: far more than a viewer loads comfortably, far less than fills a disk.
pub const DEFAULT_MAX_TRACE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

impl TraceConfig {
    pub fn new(trace_dir: impl Into<PathBuf>, format: Format) -> Self {
        TraceConfig {
            trace_dir: trace_dir.into(),
            format,
            program: String::new(),
            args: Vec::new(),
            exclude: Vec::new(),
            include: Vec::new(),
            library: Vec::new(),
            third_party: Vec::new(),
            limits: ValueLimits::default(),
            max_trace_bytes: DEFAULT_MAX_TRACE_BYTES,
            activation_path: None,
            resolver: None,
            settings: serde_json::Map::new(),
        }
    }

    pub fn is_recorded(&self, file_name: &str) -> bool {
        let matches = |patterns: &[String]| patterns.iter().any(|pattern| glob_matches(pattern, file_name));
        if matches(&self.include) {
            return true;
        }
        if matches(&self.exclude) {
            return false;
        }
        !matches(&self.library) || matches(&self.third_party)
    }
}

/// `*` matches any run of characters (path separators included), `?` exactly one.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    // Position of the last `*` and the text position it was tried at, for backtracking.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_star_crosses_directories() {
        assert!(glob_matches("/usr/lib/python3.12/*", "/usr/lib/python3.12/json/decoder.py"));
        assert!(glob_matches("<frozen *>", "<frozen importlib._bootstrap>"));
        assert!(glob_matches("*/test_?.py", "/tmp/x/test_a.py"));
        assert!(!glob_matches("*/test_?.py", "/tmp/x/test_ab.py"));
        assert!(!glob_matches("/usr/lib/*", "/home/me/app.py"));
    }

    #[test]
    fn include_wins_over_exclude() {
        let mut config = TraceConfig::new("/tmp/t", Format::Json);
        config.exclude = vec!["/lib/*".into()];
        config.include = vec!["/lib/keep/*".into()];
        assert!(!config.is_recorded("/lib/a.py"));
        assert!(config.is_recorded("/lib/keep/a.py"));
        assert!(config.is_recorded("/app/a.py"));
    }

    #[test]
    fn site_packages_inside_the_standard_library_is_recorded() {
        // A pyenv or system interpreter keeps site-packages under its standard library directory.
        let mut config = TraceConfig::new("/tmp/t", Format::Json);
        config.library = vec!["/py/lib/python3.12/*".into()];
        config.third_party = vec!["/py/lib/python3.12/site-packages/*".into()];
        config.exclude = vec!["/py/lib/python3.12/site-packages/codetracer_python_recorder/*".into()];
        assert!(!config.is_recorded("/py/lib/python3.12/json/decoder.py"));
        assert!(config.is_recorded("/py/lib/python3.12/site-packages/sortedcontainers/sortedlist.py"));
        assert!(!config.is_recorded("/py/lib/python3.12/site-packages/codetracer_python_recorder/api.py"));
        assert!(config.is_recorded("/home/me/app.py"));
    }

    #[test]
    fn format_names() {
        assert_eq!(Format::parse("json").unwrap(), Format::Json);
        assert_eq!(Format::parse("binary").unwrap().events_file_name(), "trace.bin");
        assert!(Format::parse("xml").unwrap_err().to_string().contains("\"xml\""));
    }
}
