//! Trace filters: whether a code object is recorded, and which of its values are redacted or dropped.
//!
//! The filter files (TOML) are read and matched by the Python facade, which hands the recorder one
//! resolver callable. It is asked once per code object, on the code object's first event; its answer is
//! cached with the code object, so a filter costs nothing per step beyond a name lookup when the code
//! object has redacted names.

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::capture::{Captured, CodeFacts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueAction {
    /// The value is replaced by a `<redacted>` marker; the name stays visible.
    Redact,
    /// The variable is left out of the trace.
    Drop,
}

impl ValueAction {
    fn parse(text: &str) -> Option<ValueAction> {
        match text {
            "redact" => Some(ValueAction::Redact),
            "drop" => Some(ValueAction::Drop),
            _ => None,
        }
    }
}

/// Where a value comes from, as the filter files' value selectors name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    Argument,
    Local,
    Global,
}

/// The value actions of one code object; empty for most.
#[derive(Debug, Default)]
pub struct ValuePolicy {
    actions: HashMap<(ValueKind, String), ValueAction>,
    returns: Option<ValueAction>,
}

impl ValuePolicy {
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty() && self.returns.is_none()
    }

    pub fn action(&self, kind: ValueKind, name: &str) -> Option<ValueAction> {
        if self.actions.is_empty() {
            return None;
        }
        self.actions.get(&(kind, name.to_string())).copied()
    }

    pub fn returns(&self) -> Option<ValueAction> {
        self.returns
    }
}

/// The marker a redacted value is recorded as.
pub fn redacted() -> Captured {
    Captured::Repr { type_name: "<redacted>".to_string(), text: "<redacted>".to_string() }
}

/// The resolver's answer for one code object: `None` when the filters skip it.
pub fn resolve(
    resolver: &Bound<'_, PyAny>,
    facts: &CodeFacts,
    module_name: Option<&str>,
    names: &[(ValueKind, Vec<String>)],
) -> PyResult<Option<ValuePolicy>> {
    let py = resolver.py();
    let offered = PyDict::new(py);
    for (kind, kind_names) in names {
        offered.set_item(kind_key(*kind), PyList::new(py, kind_names)?)?;
    }
    let answer = resolver.call1((&facts.file_name, module_name, &facts.qualname, offered))?;
    if answer.is_none() {
        return Ok(None);
    }
    let answer = answer.cast_into::<PyDict>()?;
    let mut policy = ValuePolicy::default();
    for kind in [ValueKind::Argument, ValueKind::Local, ValueKind::Global] {
        let Some(actions) = answer.get_item(kind_key(kind))? else {
            continue;
        };
        for (name, action) in actions.cast_into::<PyDict>()?.iter() {
            let name = name.cast_into::<PyString>()?.to_cow()?.into_owned();
            if let Some(action) = ValueAction::parse(&action.extract::<String>()?) {
                policy.actions.insert((kind, name), action);
            }
        }
    }
    if let Some(action) = answer.get_item("ret")? {
        if !action.is_none() {
            policy.returns = ValueAction::parse(&action.extract::<String>()?);
        }
    }
    Ok(Some(policy))
}

fn kind_key(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Argument => "arg",
        ValueKind::Local => "local",
        ValueKind::Global => "global",
    }
}
