//! A line step and its variables, a call and its arguments, a return and its value. A value the
//! capture found unchanged is written as the bytes encoded for it before (see
//! [`crate::capture::memo`]); the trace is the same as if it had been captured and encoded again.

use codetracer_trace_types::{FunctionId, PathId, VariableId};
use codetracer_trace_writer::trace_writer::TraceWriter;

use super::Encoder;
use crate::capture::memo::{self, NameSlot, Remembered};
use crate::capture::{ArgumentValue, Captured, ReturnValue, StepCapture};
use crate::errors::{Error, Result};
use crate::writer::{SinkValue, TraceSink};

/// A value encoded for one recording.
pub struct EncodedValue {
    generation: u64,
    value: SinkValue,
}

fn missing(what: &str, position: usize) -> Error {
    Error::RecordingFailed(format!("the {what} of variable {position} of an event was neither read nor remembered"))
}

/// Writes the `Step` event and one `Value` event per variable, then remembers the new values.
pub fn write_step(
    encoder: &mut Encoder,
    sink: &mut TraceSink,
    path_id: PathId,
    line: i64,
    step: StepCapture,
) -> Result<()> {
    sink.write_step(path_id, line)?;
    let generation = encoder.generation;
    memo::with_memo_mut(|memo| {
        // Remembered after the whole step is written: a value found unchanged is written as it was
        // remembered when the step was captured.
        let mut new_values = Vec::new();
        // The code's names are looked up once per step, not per variable.
        let slots = memo.names.entry(step.code_key).or_default();
        let mut values = step.values;
        for (position, variable) in values.drain(..).enumerate() {
            // Encoding comes before the variable's id: new types' events precede a new name's, as
            // they always did.
            match variable.value {
                Some(captured) => {
                    let encoded = encode(encoder, sink, &captured)?;
                    let id = variable_id(slots, position, variable.name, generation, sink)?;
                    sink.write_value(id, &encoded.value)?;
                    if variable.key != memo::NOT_REMEMBERED {
                        new_values.push((variable.key, Remembered { value: captured, encoded: Some(encoded) }));
                    }
                }
                None => {
                    let known = memo.values.get_mut(&variable.key).ok_or_else(|| missing("value", position))?;
                    let encoded = match known.encoded.take() {
                        Some(encoded) if encoded.generation == generation => encoded,
                        _ => encode(encoder, sink, &known.value)?,
                    };
                    let id = variable_id(slots, position, variable.name, generation, sink)?;
                    sink.write_value(id, &encoded.value)?;
                    known.encoded = Some(encoded);
                }
            }
        }
        memo.remember(new_values);
        memo.spare_step.set(values);
        Ok(())
    })
}

/// Writes a call (the format's `Value` and `Step` events before its `Call` event), each argument that
/// holds what was remembered written from memory, then remembers the new values.
pub fn write_call(
    encoder: &mut Encoder,
    sink: &mut TraceSink,
    function_id: FunctionId,
    first_line: (PathId, i64),
    arguments: Vec<ArgumentValue>,
) -> Result<()> {
    let generation = encoder.generation;
    memo::with_memo_mut(|memo| {
        let mut written = Vec::with_capacity(arguments.len());
        for (position, argument) in arguments.into_iter().enumerate() {
            // Encoding comes before the argument's id: new types' events precede a new name's.
            let encoded = match &argument.value {
                Some(captured) => encode(encoder, sink, captured)?,
                None => {
                    let known = memo.values.get_mut(&argument.key).ok_or_else(|| missing("value", position))?;
                    // The same object passed twice finds the encoding taken: encoded again, to the same bytes.
                    match known.encoded.take() {
                        Some(encoded) if encoded.generation == generation => encoded,
                        _ => encode(encoder, sink, &known.value)?,
                    }
                }
            };
            let id = TraceWriter::ensure_variable_id(sink.writer(), &argument.name);
            written.push((id, encoded, argument.key, argument.value));
        }
        let values: Vec<(VariableId, &SinkValue)> =
            written.iter().map(|(id, encoded, _, _)| (*id, &encoded.value)).collect();
        sink.write_call(function_id, first_line, &values)?;
        let mut new_values = Vec::new();
        for (_, encoded, key, value) in written {
            match value {
                Some(value) if key != memo::NOT_REMEMBERED => {
                    new_values.push((key, Remembered { value, encoded: Some(encoded) }))
                }
                Some(_) => {}
                None => {
                    if let Some(known) = memo.values.get_mut(&key) {
                        known.encoded = Some(encoded);
                    }
                }
            }
        }
        memo.remember(new_values);
        Ok(())
    })
}

/// Writes a return of `returned`, from memory when it is the value remembered, then remembers it.
pub fn write_return(encoder: &mut Encoder, sink: &mut TraceSink, returned: ReturnValue) -> Result<()> {
    let generation = encoder.generation;
    memo::with_memo_mut(|memo| match returned.value {
        Some(captured) => {
            let encoded = encode(encoder, sink, &captured)?;
            sink.write_return(&encoded.value)?;
            if returned.key != memo::NOT_REMEMBERED {
                memo.remember(vec![(returned.key, Remembered { value: captured, encoded: Some(encoded) })]);
            }
            Ok(())
        }
        None => {
            let known = memo.values.get_mut(&returned.key).ok_or_else(|| missing("value", 0))?;
            let encoded = match known.encoded.take() {
                Some(encoded) if encoded.generation == generation => encoded,
                _ => encode(encoder, sink, &known.value)?,
            };
            sink.write_return(&encoded.value)?;
            known.encoded = Some(encoded);
            Ok(())
        }
    })
}

fn encode(encoder: &mut Encoder, sink: &mut TraceSink, value: &Captured) -> Result<EncodedValue> {
    let record = encoder.encode(sink.writer(), value);
    Ok(EncodedValue { generation: encoder.generation, value: sink.encode_value(&record)? })
}

/// The id of the variable at `position` of the code's steps: `name` when it is new there, the
/// remembered name otherwise.
fn variable_id(
    slots: &mut Vec<NameSlot>,
    position: usize,
    name: Option<String>,
    generation: u64,
    sink: &mut TraceSink,
) -> Result<VariableId> {
    match name {
        Some(name) => {
            let id = TraceWriter::ensure_variable_id(sink.writer(), &name);
            let slot = NameSlot { name, id: Some((generation, id)) };
            match slots.get_mut(position) {
                Some(known) => *known = slot,
                None => slots.push(slot),
            }
            Ok(id)
        }
        None => {
            let slot = slots.get_mut(position).ok_or_else(|| missing("name", position))?;
            match slot.id {
                Some((known_generation, id)) if known_generation == generation => Ok(id),
                _ => {
                    let id = TraceWriter::ensure_variable_id(sink.writer(), &slot.name);
                    slot.id = Some((generation, id));
                    Ok(id)
                }
            }
        }
    }
}
