//! JSON for the events written at nearly every step (`Step`, `Value`, `Call`, `Return`), written straight into the
//! batch: the same bytes `serde_json` writes for them (a test checks every value kind), without
//! running every object key through serde's string escaper. Other events go through `serde_json`.

use codetracer_trace_types::{StepRecord, TraceLowLevelEvent, ValueRecord, VariableId};

/// Appends `event` as compact JSON, exactly as `serde_json::to_writer` would.
pub fn write_event(out: &mut Vec<u8>, event: &TraceLowLevelEvent) -> serde_json::Result<()> {
    match event {
        TraceLowLevelEvent::Step(step) => {
            write_step(out, step);
            Ok(())
        }
        TraceLowLevelEvent::Value(full) => {
            let mut value = Vec::new();
            write_value(&mut value, &full.value);
            write_value_event(out, full.variable_id, &value);
            Ok(())
        }
        TraceLowLevelEvent::Call(call) => {
            out.extend_from_slice(b"{\"Call\":{\"function_id\":");
            number(out, call.function_id.0);
            out.extend_from_slice(b",\"args\":[");
            for (index, arg) in call.args.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"variable_id\":");
                number(out, arg.variable_id.0);
                out.extend_from_slice(b",\"value\":");
                write_value_checked(out, &arg.value)?;
                out.push(b'}');
            }
            out.extend_from_slice(b"]}}");
            Ok(())
        }
        TraceLowLevelEvent::Return(returned) => {
            out.extend_from_slice(b"{\"Return\":{\"return_value\":");
            write_value_checked(out, &returned.return_value)?;
            out.extend_from_slice(b"}}");
            Ok(())
        }
        other => serde_json::to_writer(out, other),
    }
}

pub fn write_step(out: &mut Vec<u8>, step: &StepRecord) {
    out.extend_from_slice(b"{\"Step\":{\"path_id\":");
    number(out, step.path_id.0);
    out.extend_from_slice(b",\"line\":");
    number(out, step.line.0);
    out.extend_from_slice(b"}}");
}

/// A `Call` event around `args`, each a variable id and the JSON text [`write_value`] made.
pub fn write_call<'a>(
    out: &mut Vec<u8>,
    function_id: codetracer_trace_types::FunctionId,
    args: impl Iterator<Item = (VariableId, &'a [u8])>,
) {
    out.extend_from_slice(b"{\"Call\":{\"function_id\":");
    number(out, function_id.0);
    out.extend_from_slice(b",\"args\":[");
    for (index, (variable_id, value)) in args.enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"variable_id\":");
        number(out, variable_id.0);
        out.extend_from_slice(b",\"value\":");
        out.extend_from_slice(value);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}}");
}

/// A `Return` event around `value`, the JSON text [`write_value`] made.
pub fn write_return(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(b"{\"Return\":{\"return_value\":");
    out.extend_from_slice(value);
    out.extend_from_slice(b"}}");
}

/// A `Value` event around `value`, the JSON text [`write_value`] made.
pub fn write_value_event(out: &mut Vec<u8>, variable_id: VariableId, value: &[u8]) {
    out.extend_from_slice(b"{\"Value\":{\"variable_id\":");
    number(out, variable_id.0);
    out.extend_from_slice(b",\"value\":");
    out.extend_from_slice(value);
    out.extend_from_slice(b"}}");
}

fn number(out: &mut Vec<u8>, value: impl itoa::Integer) {
    // itoa writes the digits `Display` writes, without the formatting machinery.
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn text(out: &mut Vec<u8>, value: &str) -> serde_json::Result<()> {
    serde_json::to_writer(out, value)
}

fn type_id(out: &mut Vec<u8>, id: codetracer_trace_types::TypeId) {
    out.extend_from_slice(b",\"type_id\":");
    number(out, id.0);
    out.push(b'}');
}

fn elements(out: &mut Vec<u8>, values: &[ValueRecord]) -> serde_json::Result<()> {
    out.push(b'[');
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_value_checked(out, value)?;
    }
    out.push(b']');
    Ok(())
}

/// Appends `value` as compact JSON, exactly as `serde_json` would.
pub fn write_value(out: &mut Vec<u8>, value: &ValueRecord) {
    // Serialising a value into memory cannot fail: its strings are valid UTF-8 and its maps have
    // string keys.
    let _ = write_value_checked(out, value);
}

fn write_value_checked(out: &mut Vec<u8>, value: &ValueRecord) -> serde_json::Result<()> {
    match value {
        ValueRecord::Int { i, type_id: id } => {
            out.extend_from_slice(b"{\"kind\":\"Int\",\"i\":");
            number(out, *i);
            type_id(out, *id);
        }
        ValueRecord::Bool { b, type_id: id } => {
            out.extend_from_slice(if *b {
                b"{\"kind\":\"Bool\",\"b\":true"
            } else {
                b"{\"kind\":\"Bool\",\"b\":false"
            });
            type_id(out, *id);
        }
        ValueRecord::None { type_id: id } => {
            out.extend_from_slice(b"{\"kind\":\"None\"");
            type_id(out, *id);
        }
        ValueRecord::String { text: value, type_id: id } => {
            out.extend_from_slice(b"{\"kind\":\"String\",\"text\":");
            text(out, value)?;
            type_id(out, *id);
        }
        ValueRecord::Raw { r, type_id: id } => {
            out.extend_from_slice(b"{\"kind\":\"Raw\",\"r\":");
            text(out, r)?;
            type_id(out, *id);
        }
        ValueRecord::Error { msg, type_id: id } => {
            out.extend_from_slice(b"{\"kind\":\"Error\",\"msg\":");
            text(out, msg)?;
            type_id(out, *id);
        }
        ValueRecord::Sequence { elements: values, is_slice, type_id: id } => {
            out.extend_from_slice(b"{\"kind\":\"Sequence\",\"elements\":");
            elements(out, values)?;
            out.extend_from_slice(if *is_slice { b",\"is_slice\":true" } else { b",\"is_slice\":false" });
            type_id(out, *id);
        }
        ValueRecord::Tuple { elements: values, type_id: id } => {
            out.extend_from_slice(b"{\"kind\":\"Tuple\",\"elements\":");
            elements(out, values)?;
            type_id(out, *id);
        }
        ValueRecord::Struct { field_values, type_id: id } => {
            out.extend_from_slice(b"{\"kind\":\"Struct\",\"field_values\":");
            elements(out, field_values)?;
            type_id(out, *id);
        }
        // Floats (written through `Display` as strings), big ints (base64) and the kinds this
        // recorder does not produce: serde's own output.
        other => serde_json::to_writer(out, other)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use codetracer_trace_types::{
        CallRecord, FullValueRecord, FunctionId, Line, PathId, ReturnRecord, StepRecord, TypeId, VariableId,
    };

    use super::*;

    fn same_as_serde(event: TraceLowLevelEvent) {
        let mut ours = Vec::new();
        write_event(&mut ours, &event).unwrap();
        let theirs = serde_json::to_vec(&event).unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs).unwrap());
    }

    #[test]
    fn every_value_kind_is_written_as_serde_writes_it() {
        let t = TypeId(7);
        let leaves = vec![
            ValueRecord::Int { i: -9_223_372_036_854_775_808, type_id: t },
            ValueRecord::Int { i: 42, type_id: TypeId(usize::MAX) },
            ValueRecord::Bool { b: true, type_id: t },
            ValueRecord::Bool { b: false, type_id: t },
            ValueRecord::None { type_id: TypeId(0) },
            ValueRecord::Float { f: 0.1, type_id: t },
            ValueRecord::Float { f: f64::NAN, type_id: t },
            ValueRecord::String { text: "quote \" backslash \\ newline \n tab \t \u{1} é 😀".into(), type_id: t },
            ValueRecord::Raw { r: "<a.B object>".into(), type_id: t },
            ValueRecord::Error { msg: "cannot record value: \"x\"".into(), type_id: t },
            ValueRecord::BigInt { b: vec![1, 2, 255], negative: true, type_id: t },
            ValueRecord::Char { c: '\n', type_id: t },
            ValueRecord::Cell { place: codetracer_trace_types::Place(3) },
        ];
        let nested = vec![
            ValueRecord::Sequence { elements: leaves.clone(), is_slice: false, type_id: t },
            ValueRecord::Sequence { elements: Vec::new(), is_slice: true, type_id: t },
            ValueRecord::Tuple { elements: leaves.clone(), type_id: t },
            ValueRecord::Tuple { elements: Vec::new(), type_id: t },
            ValueRecord::Struct { field_values: leaves.clone(), type_id: t },
        ];
        let outer = ValueRecord::Struct {
            field_values: vec![ValueRecord::Sequence { elements: nested.clone(), is_slice: false, type_id: t }],
            type_id: TypeId(3),
        };
        let outer_copy = outer.clone();
        for value in leaves.into_iter().chain(nested).chain([outer]) {
            same_as_serde(TraceLowLevelEvent::Value(FullValueRecord { variable_id: VariableId(12), value }));
        }
        same_as_serde(TraceLowLevelEvent::Step(StepRecord { path_id: PathId(1), line: Line(-5) }));
        same_as_serde(TraceLowLevelEvent::Step(StepRecord { path_id: PathId(usize::MAX), line: Line(i64::MAX) }));
        same_as_serde(TraceLowLevelEvent::VariableName("x".into()));
        let arg = |id: usize, value: ValueRecord| FullValueRecord { variable_id: VariableId(id), value };
        let args = vec![arg(0, outer_copy.clone()), arg(usize::MAX, ValueRecord::Float { f: -0.0, type_id: t })];
        same_as_serde(TraceLowLevelEvent::Call(CallRecord { function_id: FunctionId(4), args }));
        same_as_serde(TraceLowLevelEvent::Call(CallRecord { function_id: FunctionId(0), args: Vec::new() }));
        same_as_serde(TraceLowLevelEvent::Return(ReturnRecord { return_value: outer_copy }));
    }

    #[test]
    fn call_and_return_events_from_encoded_values_are_written_as_serde_writes_them() {
        let values = [
            ValueRecord::Int { i: 3, type_id: TypeId(1) },
            ValueRecord::String { text: "a \"b\"".into(), type_id: TypeId(2) },
            ValueRecord::Struct { field_values: vec![ValueRecord::None { type_id: TypeId(0) }], type_id: TypeId(9) },
        ];
        for count in 0..=values.len() {
            let encoded: Vec<(VariableId, Vec<u8>)> = values[..count]
                .iter()
                .enumerate()
                .map(|(index, value)| {
                    let mut text = Vec::new();
                    write_value(&mut text, value);
                    (VariableId(index * 1000), text)
                })
                .collect();
            let mut ours = Vec::new();
            write_call(&mut ours, FunctionId(17), encoded.iter().map(|(id, text)| (*id, text.as_slice())));
            if let Some((_, text)) = encoded.last() {
                let mut returned = Vec::new();
                write_return(&mut returned, text);
                let return_value = values[count - 1].clone();
                let theirs = serde_json::to_vec(&TraceLowLevelEvent::Return(ReturnRecord { return_value })).unwrap();
                assert_eq!(String::from_utf8(returned).unwrap(), String::from_utf8(theirs).unwrap());
            }
            let args = values[..count]
                .iter()
                .enumerate()
                .map(|(index, value)| FullValueRecord { variable_id: VariableId(index * 1000), value: value.clone() })
                .collect();
            let theirs =
                serde_json::to_vec(&TraceLowLevelEvent::Call(CallRecord { function_id: FunctionId(17), args }))
                    .unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs).unwrap());
        }
    }
}
