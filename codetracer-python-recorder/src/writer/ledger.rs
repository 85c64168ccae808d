//! What the events written so far leave open (calls per thread, the current thread, the types declared),
//! so that a trace cut short by a full disk still ends balanced.
//!
//! A full disk drops whole buffers: the file keeps the buffers before the first one that did not fit, and
//! the events after it are lost, among them calls whose returns the recording's closing events hold, and
//! types those returns' values name. The closing events written after such a cut are therefore made from
//! the [`Shape`] of what is on disk, not from the recording's own state: one return per call open on
//! disk, the exit status last.

use codetracer_trace_types::{
    EventLogKind, ThreadId, TraceLowLevelEvent, TypeKind, TypeRecord, TypeSpecificInfo, ValueRecord,
};

/// The value of a call's return when the recording stopped before the call did.
pub const STILL_RUNNING: &str = "still running when the recording stopped";

/// What a prefix of the event stream leaves open.
#[derive(Clone, Default)]
pub struct Shape {
    /// Threads started and not exited, in the order they started, with their open calls.
    threads: Vec<(u64, usize)>,
    current: Option<u64>,
    /// Calls made before any thread was named: `<toplevel>`'s, which runs on the first thread started.
    unnamed_calls: usize,
    types: usize,
    /// Whether any event is in the prefix.
    started: bool,
}

impl Shape {
    pub fn see(&mut self, event: &TraceLowLevelEvent) {
        self.started = true;
        match event {
            TraceLowLevelEvent::Call(_) => self.see_call(),
            TraceLowLevelEvent::Return(_) => self.see_return(),
            TraceLowLevelEvent::Type(_) => self.types += 1,
            TraceLowLevelEvent::ThreadStart(ThreadId(thread)) => {
                let open = if self.threads.is_empty() { std::mem::take(&mut self.unnamed_calls) } else { 0 };
                self.threads.push((*thread, open));
                self.current = Some(*thread);
            }
            TraceLowLevelEvent::ThreadSwitch(ThreadId(thread)) => self.current = Some(*thread),
            TraceLowLevelEvent::ThreadExit(ThreadId(thread)) => {
                self.threads.retain(|(known, _)| known != thread);
                if self.current == Some(*thread) {
                    self.current = None;
                }
            }
            _ => {}
        }
    }

    pub fn see_call(&mut self) {
        self.started = true;
        match self.open_calls() {
            Some(open) => *open += 1,
            None => self.unnamed_calls += 1,
        }
    }

    pub fn see_return(&mut self) {
        self.started = true;
        match self.open_calls() {
            Some(open) => *open = open.saturating_sub(1),
            None => self.unnamed_calls = self.unnamed_calls.saturating_sub(1),
        }
    }

    fn open_calls(&mut self) -> Option<&mut usize> {
        let current = self.current?;
        self.threads.iter_mut().find(|(thread, _)| *thread == current).map(|(_, open)| open)
    }
}

/// The recording's side of the bookkeeping: the shape of every event handed to the sink so far, the
/// types declared (to declare again those a cut lost) and the events that opened the trace.
pub struct Ledger {
    pub now: Shape,
    types: Vec<TypeRecord>,
    opening: Vec<TraceLowLevelEvent>,
    starting_thread: Option<u64>,
}

impl Ledger {
    /// `opening`: the events the format crate's `start` wrote, `<toplevel>`'s call among them.
    pub fn new(opening: &[TraceLowLevelEvent]) -> Ledger {
        Ledger { now: Shape::default(), types: Vec::new(), opening: opening.to_vec(), starting_thread: None }
    }

    pub fn see(&mut self, event: &TraceLowLevelEvent) {
        match event {
            TraceLowLevelEvent::Type(record) => self.types.push(record.clone()),
            TraceLowLevelEvent::ThreadStart(ThreadId(thread)) => {
                self.starting_thread.get_or_insert(*thread);
            }
            _ => {}
        }
        self.now.see(event);
    }

    /// The events that end a trace whose file holds a prefix of shape `on_disk`: the types it lacks, a
    /// return for each call open in it (the exit status last, taken from `ending`, the recording's own
    /// closing events), the other threads' exits, and the error event `ending` has for an uncaught
    /// exception. When nothing is on disk, the trace's opening events come first.
    pub fn closing_events(&self, on_disk: &Shape, ending: &[TraceLowLevelEvent]) -> Vec<TraceLowLevelEvent> {
        let mut shape = on_disk.clone();
        let mut out = Vec::new();
        let mut emit = |event: TraceLowLevelEvent, shape: &mut Shape| {
            shape.see(&event);
            out.push(event);
        };
        if !shape.started {
            for event in &self.opening {
                emit(event.clone(), &mut shape);
            }
            if let Some(thread) = self.starting_thread {
                emit(TraceLowLevelEvent::ThreadStart(ThreadId(thread)), &mut shape);
            }
        }
        // Type ids are positions in the trace's list of types: declaring the lost ones again, in order,
        // keeps every id the closing values use meaning the same type.
        for record in &self.types[shape.types.min(self.types.len())..] {
            emit(TraceLowLevelEvent::Type(record.clone()), &mut shape);
        }
        let still_running =
            ValueRecord::Error { msg: STILL_RUNNING.to_string(), type_id: self.error_type(&mut emit, &mut shape) };
        let exit_value = ending.iter().rev().find_map(|event| match event {
            TraceLowLevelEvent::Return(record) => Some(record.return_value.clone()),
            _ => None,
        });
        let starting = self.starting_thread.or_else(|| shape.threads.first().map(|(thread, _)| *thread));
        let threads = shape.threads.clone();
        for (thread, open) in threads.iter().filter(|(thread, _)| Some(*thread) != starting) {
            if shape.current != Some(*thread) {
                emit(TraceLowLevelEvent::ThreadSwitch(ThreadId(*thread)), &mut shape);
            }
            for _ in 0..*open {
                emit(returning(still_running.clone()), &mut shape);
            }
            emit(TraceLowLevelEvent::ThreadExit(ThreadId(*thread)), &mut shape);
        }
        let open = match starting {
            Some(thread) => {
                if shape.current != Some(thread) {
                    emit(TraceLowLevelEvent::ThreadSwitch(ThreadId(thread)), &mut shape);
                }
                threads.iter().find(|(known, _)| *known == thread).map_or(0, |(_, open)| *open)
            }
            None => shape.unnamed_calls,
        };
        for event in ending {
            if matches!(event, TraceLowLevelEvent::Event(record) if record.kind == EventLogKind::Error) {
                emit(event.clone(), &mut shape);
            }
        }
        for remaining in (0..open).rev() {
            let value = match (&exit_value, remaining) {
                (Some(value), 0) => value.clone(),
                _ => still_running.clone(),
            };
            emit(returning(value), &mut shape);
        }
        out
    }

    /// The id of the type of error values, declared now if the trace has none.
    fn error_type(
        &self,
        emit: &mut impl FnMut(TraceLowLevelEvent, &mut Shape),
        shape: &mut Shape,
    ) -> codetracer_trace_types::TypeId {
        if let Some(index) = self.types.iter().position(|record| record.kind == TypeKind::Error) {
            return codetracer_trace_types::TypeId(index);
        }
        let id = codetracer_trace_types::TypeId(shape.types);
        let record =
            TypeRecord { kind: TypeKind::Error, lang_type: "<error>".into(), specific_info: TypeSpecificInfo::None };
        emit(TraceLowLevelEvent::Type(record), shape);
        id
    }
}

fn returning(return_value: ValueRecord) -> TraceLowLevelEvent {
    TraceLowLevelEvent::Return(codetracer_trace_types::ReturnRecord { return_value })
}

#[cfg(test)]
mod tests {
    use codetracer_trace_types::{CallRecord, FunctionId, RecordEvent, TypeId};

    use super::*;

    fn call() -> TraceLowLevelEvent {
        TraceLowLevelEvent::Call(CallRecord { function_id: FunctionId(0), args: vec![] })
    }

    fn type_of(kind: TypeKind, name: &str) -> TraceLowLevelEvent {
        TraceLowLevelEvent::Type(TypeRecord { kind, lang_type: name.into(), specific_info: TypeSpecificInfo::None })
    }

    fn shown(events: &[TraceLowLevelEvent]) -> Vec<String> {
        events
            .iter()
            .map(|event| match event {
                TraceLowLevelEvent::Return(record) => match &record.return_value {
                    ValueRecord::Int { i, type_id } => format!("return {i} (type {})", type_id.0),
                    ValueRecord::Error { type_id, .. } => format!("return still running (type {})", type_id.0),
                    other => format!("return {other:?}"),
                },
                TraceLowLevelEvent::Type(record) => format!("type {}", record.lang_type),
                TraceLowLevelEvent::ThreadStart(thread) => format!("start {}", thread.0),
                TraceLowLevelEvent::ThreadSwitch(thread) => format!("switch {}", thread.0),
                TraceLowLevelEvent::ThreadExit(thread) => format!("exit {}", thread.0),
                TraceLowLevelEvent::Call(_) => "call".into(),
                TraceLowLevelEvent::Event(record) => format!("event {}", record.content),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_cut_trace_ends_with_a_return_for_each_call_open_on_disk_and_the_exit_status_last() {
        let mut ledger = Ledger::new(&[call(), type_of(TypeKind::None, "None")]);
        let recorded = [
            call(),
            type_of(TypeKind::None, "None"),
            TraceLowLevelEvent::ThreadStart(ThreadId(1)),
            call(),
            TraceLowLevelEvent::ThreadStart(ThreadId(2)),
            call(),
            call(),
        ];
        for event in &recorded {
            ledger.see(event);
        }
        // The file ends here; the recording went on: the second thread returned from both calls and exited,
        // the first called deeper, and new types were declared.
        let on_disk = ledger.now.clone();
        let later = [
            TraceLowLevelEvent::Return(codetracer_trace_types::ReturnRecord {
                return_value: ValueRecord::None { type_id: TypeId(0) },
            }),
            type_of(TypeKind::Int, "int"),
            type_of(TypeKind::Error, "<error>"),
        ];
        for event in &later {
            ledger.see(event);
        }
        let error = RecordEvent { kind: EventLogKind::Error, metadata: String::new(), content: "boom".into() };
        let ending = [
            TraceLowLevelEvent::Event(error),
            TraceLowLevelEvent::Return(codetracer_trace_types::ReturnRecord {
                return_value: ValueRecord::Int { i: 3, type_id: TypeId(1) },
            }),
        ];
        assert_eq!(
            shown(&ledger.closing_events(&on_disk, &ending)),
            [
                "type int",
                "type <error>",
                "return still running (type 2)",
                "return still running (type 2)",
                "exit 2",
                "switch 1",
                "event boom",
                "return still running (type 2)",
                "return 3 (type 1)",
            ]
        );
    }

    #[test]
    fn a_trace_with_nothing_on_disk_ends_with_the_opening_events_and_the_exit_status() {
        let opening = [call(), type_of(TypeKind::None, "None")];
        let mut ledger = Ledger::new(&opening);
        for event in opening.iter().chain(&[TraceLowLevelEvent::ThreadStart(ThreadId(7)), call()]) {
            ledger.see(event);
        }
        let ending = [TraceLowLevelEvent::Return(codetracer_trace_types::ReturnRecord {
            return_value: ValueRecord::Int { i: 0, type_id: TypeId(0) },
        })];
        assert_eq!(
            shown(&ledger.closing_events(&Shape::default(), &ending)),
            ["call", "type None", "start 7", "type <error>", "return 0 (type 0)"]
        );
    }
}
