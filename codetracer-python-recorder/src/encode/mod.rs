//! Captured values -> the trace format's typed value records.

use std::collections::HashMap;

use codetracer_trace_types::{TypeId, TypeKind, ValueRecord, NONE_TYPE_ID};
use codetracer_trace_writer::trace_writer::TraceWriter;

use crate::capture::Captured;

/// Turns [`Captured`] values into [`ValueRecord`]s, registering each type with the writer once.
#[derive(Default)]
pub struct Encoder {
    // The writer has its own map, but asking it allocates a type record per call; this one is
    // looked up by `&str`.
    type_ids: HashMap<String, TypeId>,
}

impl Encoder {
    pub fn encode(&mut self, writer: &mut dyn TraceWriter, value: &Captured) -> ValueRecord {
        match value {
            Captured::None => ValueRecord::None { type_id: NONE_TYPE_ID },
            Captured::Bool(b) => ValueRecord::Bool { b: *b, type_id: self.type_id(writer, TypeKind::Bool, "bool") },
            Captured::Int(i) => ValueRecord::Int { i: *i, type_id: self.type_id(writer, TypeKind::Int, "int") },
            Captured::BigInt { magnitude, negative } => ValueRecord::BigInt {
                b: magnitude.clone(),
                negative: *negative,
                type_id: self.type_id(writer, TypeKind::Int, "int"),
            },
            Captured::Float(f) => ValueRecord::Float { f: *f, type_id: self.type_id(writer, TypeKind::Float, "float") },
            Captured::Str(text) => {
                ValueRecord::String { text: text.clone(), type_id: self.type_id(writer, TypeKind::String, "str") }
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

    fn type_id(&mut self, writer: &mut dyn TraceWriter, kind: TypeKind, lang_type: &str) -> TypeId {
        if let Some(type_id) = self.type_ids.get(lang_type) {
            return *type_id;
        }
        let type_id = TraceWriter::ensure_type_id(writer, kind, lang_type);
        self.type_ids.insert(lang_type.to_string(), type_id);
        type_id
    }
}
