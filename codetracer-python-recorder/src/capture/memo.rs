//! What was recorded recently, per thread, so a variable whose value has not changed is neither
//! captured nor encoded again: its earlier encoded value is written once more.
//!
//! Values are remembered by the address of the object a variable held (and the `attr:` patterns
//! applied to it), so the same object seen
//! under another name or in another function (`self` in each method, a global in every function)
//! is found too; [`super::is_unchanged`] then compares it in full. Nothing here refers to a Python
//! object: no value is kept alive by the memo, and an address reused after its object was freed
//! only costs a comparison that fails. Variable names are remembered per code object and position,
//! with the id the trace gave them.
//!
//! Encoded values and variable ids belong to one recording, so each carries the encoder's
//! generation; in a later recording they are encoded again from the captured value.

use codetracer_trace_types::VariableId;
use pyo3::{Py, PyAny};
use std::cell::{Cell, RefCell};

use super::frame::StepValue;
use super::value::Captured;
use crate::encode::{EncodedValue, FxMap};

/// Where a remembered value is found: the address of the object, and the serial of the `attr:`
/// patterns it was captured under (what is remembered is the value after those patterns applied).
pub type ValueKey = (usize, u64);

/// The key of a value that is never remembered (a redacted variable).
pub const NOT_REMEMBERED: ValueKey = (0, 0);

/// A value as last captured, with its encoding once it was written.
pub struct Remembered {
    pub value: Captured,
    pub encoded: Option<EncodedValue>,
}

/// The name of the variable at one position of a code object's steps, with its id in the recording
/// of the given generation.
pub struct NameSlot {
    pub name: String,
    pub id: Option<(u64, VariableId)>,
}

#[derive(Default)]
pub struct Memo {
    pub(crate) values: FxMap<ValueKey, Remembered>,
    pub(crate) names: FxMap<usize, Vec<NameSlot>>,
    /// Each function's module globals lookup, while its module's dict is unchanged.
    pub(crate) globals: super::globals::SeenByCode,
    /// The list the last step's variables were written from, empty, for the next step to fill (one
    /// allocation less per step).
    pub(crate) spare_step: Cell<Vec<StepValue>>,
    /// The list a step's locals were copied into, always left empty (so it holds no object between
    /// steps), for the next step.
    pub(crate) spare_pairs: Cell<Vec<(Py<PyAny>, Py<PyAny>)>>,
}

/// Values remembered per thread; emptied when it grows past this many (a program that keeps
/// creating new objects), which keeps it small and its lookups cheap.
const VALUE_LIMIT: usize = 8192;
const CODE_LIMIT: usize = 4096;

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Reads the memo (while a step is captured).
pub fn with_memo<R>(read: impl FnOnce(&Memo) -> R) -> R {
    MEMO.with(|memo| read(&memo.borrow()))
}

/// Updates the memo (while a step is written).
pub fn with_memo_mut<R>(update: impl FnOnce(&mut Memo) -> R) -> R {
    MEMO.with(|memo| update(&mut memo.borrow_mut()))
}

impl Memo {
    /// Remembers the values a step captured. Done after the step is written, so what the step's
    /// capture relied on is still there while it is written.
    pub fn remember(&mut self, values: Vec<(ValueKey, Remembered)>) {
        if self.values.len() + values.len() > VALUE_LIMIT {
            self.values.clear();
        }
        if self.names.len() > CODE_LIMIT {
            self.names.clear();
        }
        self.values.extend(values);
    }
}
