//! Captured values -> the trace format's typed value records.

mod step;

pub use step::{write_call, write_return, write_step, EncodedValue};

use std::sync::atomic::{AtomicU64, Ordering};

use codetracer_trace_types::{
    FieldTypeRecord, TypeId, TypeKind, TypeRecord, TypeSpecificInfo, ValueRecord, NONE_TYPE_ID,
};
use codetracer_trace_writer::trace_writer::TraceWriter;

use crate::capture::Captured;

/// FxHash maps: the maps below (and the capture's memo) are keyed by addresses or short type names
/// looked up for nearly every value, where SipHash, then FNV-1a (a multiply per byte of an address key),
/// showed up in profiles. No untrusted input chooses these keys in bulk.
pub(crate) type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// Type ids of the types nearly every value has, so encoding them needs no map lookup.
#[derive(Default)]
struct Common {
    bool: Option<TypeId>,
    int: Option<TypeId>,
    float: Option<TypeId>,
    str: Option<TypeId>,
}

/// Encoders made so far in this process: each recording's encoder has its own number.
static GENERATIONS: AtomicU64 = AtomicU64::new(0);

/// Turns [`Captured`] values into [`ValueRecord`]s, registering each type with the writer once.
pub struct Encoder {
    /// Tells this recording's encoded events (whose type and variable ids are its own) from an
    /// earlier recording's in the per-thread memo.
    generation: u64,
    // The writer has its own map, but asking it allocates a type record per call; this one is
    // looked up by `&str`.
    type_ids: FxMap<String, TypeId>,
    common: Common,
    /// Struct types by class name, one per field layout: instances of one class can have different
    /// attributes, and the format gives each struct type one list of fields. Looked up by `&str` and
    /// compared field by field, so encoding an object allocates no key.
    struct_types: FxMap<String, Vec<(Vec<String>, TypeId)>>,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder {
            generation: GENERATIONS.fetch_add(1, Ordering::Relaxed) + 1,
            type_ids: FxMap::default(),
            common: Common::default(),
            struct_types: FxMap::default(),
        }
    }
}

/// The field name that stands for the fields left out by the limits.
const OMITTED_FIELDS: &str = "…";

impl Encoder {
    pub fn encode(&mut self, writer: &mut dyn TraceWriter, value: &Captured) -> ValueRecord {
        match value {
            Captured::None => ValueRecord::None { type_id: NONE_TYPE_ID },
            Captured::Bool(b) => {
                let type_id = common_type(&mut self.common.bool, writer, TypeKind::Bool, "bool");
                ValueRecord::Bool { b: *b, type_id }
            }
            Captured::Int(i) => {
                ValueRecord::Int { i: *i, type_id: common_type(&mut self.common.int, writer, TypeKind::Int, "int") }
            }
            Captured::BigInt { magnitude, negative } => ValueRecord::BigInt {
                b: magnitude.clone(),
                negative: *negative,
                type_id: self.type_id(writer, TypeKind::Int, "int"),
            },
            Captured::Float(f) => {
                let type_id = common_type(&mut self.common.float, writer, TypeKind::Float, "float");
                ValueRecord::Float { f: *f, type_id }
            }
            Captured::Str(text) => {
                let type_id = common_type(&mut self.common.str, writer, TypeKind::String, "str");
                ValueRecord::String { text: text.clone(), type_id }
            }
            Captured::Sequence { type_name, items, omitted } => {
                let elements = self.encode_items(writer, items, *omitted);
                let type_id = self.type_id(writer, TypeKind::Seq, type_name);
                ValueRecord::Sequence { elements, is_slice: false, type_id }
            }
            Captured::Tuple { type_name, items, omitted } => {
                let elements = self.encode_items(writer, items, *omitted);
                ValueRecord::Tuple { elements, type_id: self.type_id(writer, TypeKind::Tuple, type_name) }
            }
            Captured::Dict { type_name, entries, omitted } => {
                let pair_type = self.type_id(writer, TypeKind::Tuple, "tuple");
                let mut elements: Vec<ValueRecord> = entries
                    .iter()
                    .map(|(key, item)| ValueRecord::Tuple {
                        elements: vec![self.encode(writer, key), self.encode(writer, item)],
                        type_id: pair_type,
                    })
                    .collect();
                if *omitted > 0 {
                    elements.push(self.omission(writer, *omitted));
                }
                ValueRecord::Sequence {
                    elements,
                    is_slice: false,
                    type_id: self.type_id(writer, TypeKind::Seq, type_name),
                }
            }
            Captured::Object { type_name, fields, omitted } => {
                let mut field_values: Vec<ValueRecord> =
                    fields.iter().map(|(_, item)| self.encode(writer, item)).collect();
                if *omitted > 0 {
                    field_values.push(self.omission(writer, *omitted));
                }
                let type_id = self.struct_type_id(writer, type_name, fields, *omitted > 0);
                ValueRecord::Struct { field_values, type_id }
            }
            Captured::Repr { type_name, text } => {
                ValueRecord::Raw { r: text.clone(), type_id: self.type_id(writer, TypeKind::Raw, type_name) }
            }
            Captured::Error(msg) => {
                ValueRecord::Error { msg: msg.clone(), type_id: self.type_id(writer, TypeKind::Error, "<error>") }
            }
        }
    }

    fn encode_items(&mut self, writer: &mut dyn TraceWriter, items: &[Captured], omitted: usize) -> Vec<ValueRecord> {
        let mut elements: Vec<ValueRecord> = items.iter().map(|item| self.encode(writer, item)).collect();
        if omitted > 0 {
            elements.push(self.omission(writer, omitted));
        }
        elements
    }

    /// A trailing marker element, so a reader sees that a container was cut rather than short.
    fn omission(&mut self, writer: &mut dyn TraceWriter, omitted: usize) -> ValueRecord {
        ValueRecord::Raw {
            r: format!("… {omitted} more"),
            type_id: self.type_id(writer, TypeKind::NonExpanded, "<omitted>"),
        }
    }

    /// The type id of Python's `int`.
    pub fn int_type(&mut self, writer: &mut dyn TraceWriter) -> TypeId {
        common_type(&mut self.common.int, writer, TypeKind::Int, "int")
    }

    fn struct_type_id(
        &mut self,
        writer: &mut dyn TraceWriter,
        type_name: &str,
        fields: &[(String, Captured)],
        cut: bool,
    ) -> TypeId {
        let same_layout = |known: &[String]| {
            known.len() == fields.len() + usize::from(cut)
                && known.iter().zip(fields).all(|(known, (name, _))| known == name)
                && (!cut || known.last().map(String::as_str) == Some(OMITTED_FIELDS))
        };
        if let Some(layouts) = self.struct_types.get(type_name) {
            if let Some((_, type_id)) = layouts.iter().find(|(known, _)| same_layout(known)) {
                return *type_id;
            }
        }
        let mut names: Vec<String> = fields.iter().map(|(name, _)| name.clone()).collect();
        if cut {
            names.push(OMITTED_FIELDS.to_string());
        }
        let field_type = self.type_id(writer, TypeKind::Raw, "object");
        let layouts = self.struct_types.entry(type_name.to_string()).or_default();
        let lang_type =
            if layouts.is_empty() { type_name.to_string() } else { format!("{type_name} ({})", names.join(", ")) };
        let record = TypeRecord {
            kind: TypeKind::Struct,
            lang_type,
            specific_info: TypeSpecificInfo::Struct {
                fields: names.iter().map(|name| FieldTypeRecord { name: name.clone(), type_id: field_type }).collect(),
            },
        };
        let type_id = TraceWriter::ensure_raw_type_id(writer, record);
        layouts.push((names, type_id));
        type_id
    }

    fn type_id(&mut self, writer: &mut dyn TraceWriter, kind: TypeKind, lang_type: &str) -> TypeId {
        if let Some(type_id) = self.type_ids.get(lang_type) {
            return *type_id;
        }
        let type_id = TraceWriter::ensure_type_id(writer, kind, lang_type);
        self.type_ids.insert(lang_type.to_string(), type_id);
        type_id
    }
}

/// A common type's id, registered with the writer on first use (the writer keeps ids by name, so this
/// is the same id [`Encoder::type_id`] would give).
fn common_type(slot: &mut Option<TypeId>, writer: &mut dyn TraceWriter, kind: TypeKind, name: &str) -> TypeId {
    *slot.get_or_insert_with(|| TraceWriter::ensure_type_id(writer, kind, name))
}
