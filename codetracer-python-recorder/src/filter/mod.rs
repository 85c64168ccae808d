//! Trace filters: whether a code object is recorded, and which of its values are redacted or dropped.
//!
//! The filter files (TOML) are read and matched by the Python facade, which hands the recorder one
//! resolver callable. It is asked once per code object, on the code object's first event; its answer is
//! cached with the code object, so a filter costs nothing per step beyond a name lookup when the code
//! object has redacted names. `attr:` patterns apply to the fields of recorded objects; each field
//! name's answer is asked once and cached, shared by the code objects that have the same patterns.

pub mod glob;
pub mod stats;

use std::sync::{Arc, Mutex};

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
    /// By kind (the [`ValueKind`] as index), then name: looked up for every variable at every step,
    /// with the borrowed name.
    actions: [crate::encode::FxMap<String, ValueAction>; 3],
    returns: Option<ValueAction>,
    attributes: Option<Arc<AttributePolicy>>,
}

/// The answers by field name, looked up for every field of every recorded object: FxHash, where
/// SipHash's setup cost shows on such short keys.
type Answers = crate::encode::FxMap<String, Option<ValueAction>>;

/// The `attr:` patterns of a scope, behind the filters' callable, with its answers per field name.
#[derive(Debug)]
pub struct AttributePolicy {
    resolver: Py<PyAny>,
    answers: Mutex<Answers>,
    /// Unique for the life of the process (unlike the policy's address, which a later recording's
    /// policy may reuse): values the capture memo remembers are kept apart by it.
    serial: u64,
}

static NEXT_POLICY_SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Attribute policies by their resolver's address; the resolvers are kept alive, so an address is
/// never reused while the recording lasts. Emptied when a recording starts.
static ATTRIBUTE_POLICIES: Mutex<Vec<Arc<AttributePolicy>>> = Mutex::new(Vec::new());

/// Forgets the previous recording's attribute policies and counts.
pub fn reset() {
    stats::reset();
    ATTRIBUTE_POLICIES.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
}

fn attribute_policy(resolver: Bound<'_, PyAny>) -> Arc<AttributePolicy> {
    let mut known = ATTRIBUTE_POLICIES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(policy) = known.iter().find(|policy| policy.resolver.as_ptr() == resolver.as_ptr()) {
        return Arc::clone(policy);
    }
    let serial = NEXT_POLICY_SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let policy =
        Arc::new(AttributePolicy { resolver: resolver.unbind(), answers: Mutex::new(Answers::default()), serial });
    known.push(Arc::clone(&policy));
    policy
}

impl AttributePolicy {
    /// The filters' answer for a field name not seen before. A failing filter keeps the field.
    fn ask(&self, py: Python<'_>, name: &str) -> Option<ValueAction> {
        self.resolver
            .bind(py)
            .call1((name,))
            .ok()
            .and_then(|action| action.extract::<Option<String>>().ok().flatten())
            .and_then(|action| ValueAction::parse(&action))
    }

    /// Redacts or drops the fields of the objects inside `value`, at every depth. A field name never seen
    /// is asked without the lock (the filter is Python code); the value is changed once every name in it
    /// has an answer, so each field's action is applied, and counted, once.
    fn apply(&self, py: Python<'_>, value: &mut Captured) {
        loop {
            let missing = {
                let answers = self.answers.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                match first_unanswered(&answers, value) {
                    None => return rewrite(&answers, value),
                    Some(missing) => missing,
                }
            };
            let answer = self.ask(py, &missing);
            self.answers.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(missing, answer);
        }
    }
}

/// The first field name inside `value` that has no answer yet, looking only where [`rewrite`] looks.
fn first_unanswered(answers: &Answers, value: &Captured) -> Option<String> {
    match value {
        Captured::Object { fields, .. } => fields.iter().find_map(|(name, field)| match answers.get(name.as_str()) {
            None => Some(name.clone()),
            Some(None) => first_unanswered(answers, field),
            Some(Some(_)) => None,
        }),
        Captured::Sequence { items, .. } | Captured::Tuple { items, .. } => {
            items.iter().find_map(|item| first_unanswered(answers, item))
        }
        Captured::Dict { entries, .. } => entries.iter().find_map(|(_, item)| first_unanswered(answers, item)),
        _ => None,
    }
}

/// Applies the answers to `value`, every field name in it having one.
fn rewrite(answers: &Answers, value: &mut Captured) {
    match value {
        // A dropped field is left out without a trace, not counted among the omitted ones.
        Captured::Object { fields, .. } => fields.retain_mut(|(name, field)| match answers.get(name.as_str()) {
            Some(Some(action)) => {
                stats::count(*action, stats::Source::Attribute);
                if *action == ValueAction::Redact {
                    *field = redacted();
                }
                *action != ValueAction::Drop
            }
            _ => {
                rewrite(answers, field);
                true
            }
        }),
        Captured::Sequence { items, .. } | Captured::Tuple { items, .. } => {
            items.iter_mut().for_each(|item| rewrite(answers, item))
        }
        Captured::Dict { entries, .. } => entries.iter_mut().for_each(|(_, item)| rewrite(answers, item)),
        _ => {}
    }
}

impl ValuePolicy {
    pub fn is_empty(&self) -> bool {
        self.actions.iter().all(|actions| actions.is_empty()) && self.returns.is_none() && self.attributes.is_none()
    }

    /// Which `attr:` patterns apply (0: none). A value captured under one set of patterns is never
    /// taken for the same value under another: its fields may be redacted differently.
    pub fn attributes_serial(&self) -> u64 {
        self.attributes.as_ref().map_or(0, |attributes| attributes.serial)
    }

    /// Applies the `attr:` patterns to the fields of the objects in a captured value.
    pub fn apply_to_attributes(&self, py: Python<'_>, value: &mut Captured) {
        if let Some(attributes) = &self.attributes {
            attributes.apply(py, value);
        }
    }

    /// The action for a variable, counted in the recording's stats: asked once for each value written.
    pub fn action(&self, kind: ValueKind, name: &str) -> Option<ValueAction> {
        let action = self.actions[kind as usize].get(name).copied();
        if let Some(action) = action {
            stats::count(action, kind.into());
        }
        action
    }

    /// The action for the values the code returns, counted like [`ValuePolicy::action`].
    pub fn returns(&self) -> Option<ValueAction> {
        if let Some(action) = self.returns {
            stats::count(action, stats::Source::Return);
        }
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
    // A module or class body's names are its namespace (`f_locals`): 0.3.0 matched them with `local:`
    // selectors, this recorder with `global:` ones, so the resolver is told to apply both.
    let options = PyDict::new(py);
    options.set_item("namespace", facts.namespace_names.is_some())?;
    let answer = resolver.call((&facts.file_name, module_name, &facts.qualname, offered), Some(&options))?;
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
                policy.actions[kind as usize].insert(name, action);
            }
        }
    }
    if let Some(action) = answer.get_item("ret")? {
        if !action.is_none() {
            policy.returns = ValueAction::parse(&action.extract::<String>()?);
        }
    }
    if let Some(attributes) = answer.get_item("attr")? {
        if !attributes.is_none() {
            policy.attributes = Some(attribute_policy(attributes));
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
