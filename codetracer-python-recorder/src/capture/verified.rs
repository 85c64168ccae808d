//! Instance dicts the unchanged-value walk found matching a remembered object's fields, so that while
//! the dict stays unchanged ([`super::watch`]) the walk skips comparing its names and plain values.
//!
//! What a comparison proved depends on the remembered tree it compared against, so an entry names the
//! object node (the address of its remembered fields) and the tree's serial in the memo: a tree is never
//! changed while it is remembered, and a serial is never given twice, so an entry of a tree that was
//! dropped (whose node's address may be reused) never matches again. It also names what else the
//! comparison depended on: the position of the dict's first field among the object's fields (after its
//! slots) and the limits that cut the fields and strings.

use std::cell::RefCell;
use std::rc::Rc;

use crate::config::ValueLimits;
use crate::encode::FnvMap;

/// One dict found matching one remembered object node.
pub(super) struct Verified {
    tree: u64,
    since: u64,
    first_field: usize,
    max_items: usize,
    max_text: usize,
    /// The fields that are not plain values (containers, objects, markers), which the walk still
    /// compares live: their index among the dict's fields and the dict position to read them from.
    pub(super) nested: Rc<[(usize, isize)]>,
}

/// Where a verification holds: the dict's address and its remembered fields' address.
type Key = (usize, usize);

/// A comparison of one dict against one remembered object node.
#[derive(Clone, Copy)]
pub(super) struct Site {
    /// The dict's address.
    pub(super) dict: usize,
    /// The address of the node's first dict field.
    pub(super) fields: usize,
    /// The remembered tree's serial.
    pub(super) tree: u64,
    /// How many of the node's fields come before the dict's (its slots).
    pub(super) first_field: usize,
}

/// The verifications of the current thread's walks.
#[derive(Default)]
pub(super) struct Verifications {
    entries: FnvMap<Key, Verified>,
}

/// Entries kept per thread; emptied past this, like the memo.
const ENTRY_LIMIT: usize = 8192;

thread_local! {
    static VERIFIED: RefCell<Verifications> = RefCell::new(Verifications::default());
}

impl Verifications {
    /// The current thread's verifications, for the walks of one capture (put back with [`Self::put_back`]).
    pub(super) fn take() -> Verifications {
        VERIFIED.with(|verified| std::mem::take(&mut *verified.borrow_mut()))
    }

    pub(super) fn put_back(self) {
        VERIFIED.with(|verified| *verified.borrow_mut() = self);
    }

    /// The verification made at `site`, when it holds under `limits` and the dict has not changed
    /// since; its nested fields.
    pub(super) fn holding(&self, site: Site, limits: &ValueLimits) -> Option<Rc<[(usize, isize)]>> {
        let verified = self.entries.get(&(site.dict, site.fields))?;
        let holds = verified.tree == site.tree
            && verified.first_field == site.first_field
            && verified.max_items == limits.max_items
            && verified.max_text == limits.max_text
            && super::watch::unchanged_since(site.dict, verified.since);
        holds.then(|| Rc::clone(&verified.nested))
    }

    /// Notes that the dict matched at `site` under `limits`, in a comparison that began at tick `since`.
    pub(super) fn note(&mut self, site: Site, limits: &ValueLimits, since: u64, nested: Vec<(usize, isize)>) {
        if self.entries.len() >= ENTRY_LIMIT {
            self.entries.clear();
        }
        let verified = Verified {
            tree: site.tree,
            since,
            first_field: site.first_field,
            max_items: limits.max_items,
            max_text: limits.max_text,
            nested: nested.into(),
        };
        self.entries.insert((site.dict, site.fields), verified);
    }
}
