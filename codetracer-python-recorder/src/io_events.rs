//! What the program writes and reads, as the trace events 0.3.0 writes, so a tool reading 0.3.0's traces
//! reads ours: one `Event` per line of output, its metadata the JSON object
//! `{"stream","thread","path_id","line","frame_id","flags"}` in that order.
//!
//! Output is cut into lines per thread and stream. A complete line is an event at once, right after the
//! step that wrote it; the rest of a line waits for more text, an explicit `flush()`, or the thread's next
//! step (and the end of the recording), so it still lands before that step. The flags say where a chunk
//! was cut, with 0.3.0's labels: `newline`, `flush`, `step_boundary`, `time_split` (here: a partial line
//! that grew past [`MAX_PENDING_BYTES`]), `input` (stdin, one event per read), and `mirror` for what the
//! fd capture (`proxies+fd`) read from the descriptors.

use std::fmt::Write as _;

use codetracer_trace_types::{EventLogKind, PathId, RecordEvent, TraceLowLevelEvent};
use codetracer_trace_writer::trace_writer::TraceWriter;
use pyo3::ffi;
use pyo3::prelude::*;

/// A partial line longer than this is written without waiting for its end, so a program printing
/// without newlines in code that runs no recorded line keeps the recorder's memory bounded.
pub const MAX_PENDING_BYTES: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
    Stdin,
}

impl Stream {
    pub fn parse(name: &str) -> Option<Stream> {
        match name {
            "stdout" => Some(Stream::Stdout),
            "stderr" => Some(Stream::Stderr),
            "stdin" => Some(Stream::Stdin),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
            Stream::Stdin => "stdin",
        }
    }

    fn kind(self) -> EventLogKind {
        match self {
            Stream::Stdout => EventLogKind::Write,
            Stream::Stderr => EventLogKind::WriteOther,
            Stream::Stdin => EventLogKind::Read,
        }
    }
}

/// The step output belongs to: the thread, and where its frame was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The thread's identifier, the one `ThreadStart`/`ThreadSwitch` events name.
    pub thread: u64,
    pub path_id: Option<PathId>,
    pub line: Option<i64>,
    /// `id()` of the frame, as 0.3.0 records it.
    pub frame_id: Option<u64>,
}

/// Why a chunk ends where it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    Newline,
    Flush,
    StepBoundary,
    TimeSplit,
    Input,
}

impl Cut {
    fn label(self) -> &'static str {
        match self {
            Cut::Newline => "newline",
            Cut::Flush => "flush",
            Cut::StepBoundary => "step_boundary",
            Cut::TimeSplit => "time_split",
            Cut::Input => "input",
        }
    }
}

/// Who wrote the text: `sys.stdout`/`sys.stderr` on a thread, or the file descriptors (`proxies+fd`),
/// which are not a thread's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Proxy(u64),
    Descriptor,
}

struct Pending {
    source: Source,
    stream: Stream,
    text: String,
    origin: Origin,
}

/// Partial lines waiting for their end. A handful at most (threads x 2 streams), so a list.
#[derive(Default)]
pub struct IoLines {
    pending: Vec<Pending>,
}

impl IoLines {
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    pub fn is_pending(&self, source: Source, stream: Stream) -> bool {
        self.pending.iter().any(|waiting| waiting.source == source && waiting.stream == stream)
    }

    /// Output: every complete line is an event now; the rest waits.
    pub fn output(&mut self, writer: &mut dyn TraceWriter, source: Source, stream: Stream, text: &str, origin: Origin) {
        let joined;
        let text = match self.take(source, stream) {
            Some(mut waiting) => {
                waiting.push_str(text);
                joined = waiting;
                joined.as_str()
            }
            None => text,
        };
        let (complete, rest) = match text.rfind('\n') {
            Some(end) => text.split_at(end + 1),
            None => ("", text),
        };
        let mirror = source == Source::Descriptor;
        for line in complete.split_inclusive('\n') {
            emit(writer, stream, line, &origin, Cut::Newline, mirror);
        }
        if rest.len() > MAX_PENDING_BYTES {
            emit(writer, stream, rest, &origin, Cut::TimeSplit, mirror);
        } else if !rest.is_empty() {
            self.pending.push(Pending { source, stream, text: rest.to_string(), origin });
        }
    }

    /// Input read by the program: one event per read.
    pub fn input(&mut self, writer: &mut dyn TraceWriter, text: &str, origin: Origin) {
        emit(writer, Stream::Stdin, text, &origin, Cut::Input, false);
    }

    /// Writes what waits from `source` on `stream`, cut for `cut`.
    pub fn flush(&mut self, writer: &mut dyn TraceWriter, source: Source, stream: Stream, cut: Cut) {
        if let Some(text) = self.take_pending(source, stream) {
            emit(writer, stream, &text.text, &text.origin, cut, source == Source::Descriptor);
        }
    }

    /// Before a step of `thread`: its partial lines, then the descriptors', stdout before stderr.
    pub fn before_step(&mut self, writer: &mut dyn TraceWriter, thread: u64) {
        for source in [Source::Proxy(thread), Source::Descriptor] {
            self.flush_source(writer, source);
        }
    }

    /// Everything `source` left unfinished, at a step boundary (its thread ends, or the recording).
    pub fn flush_source(&mut self, writer: &mut dyn TraceWriter, source: Source) {
        if self.pending.is_empty() {
            return;
        }
        for stream in [Stream::Stdout, Stream::Stderr] {
            self.flush(writer, source, stream, Cut::StepBoundary);
        }
    }

    fn take_pending(&mut self, source: Source, stream: Stream) -> Option<Pending> {
        let index = self.pending.iter().position(|waiting| waiting.source == source && waiting.stream == stream)?;
        Some(self.pending.swap_remove(index))
    }

    fn take(&mut self, source: Source, stream: Stream) -> Option<String> {
        self.take_pending(source, stream).map(|waiting| waiting.text)
    }
}

fn emit(writer: &mut dyn TraceWriter, stream: Stream, text: &str, origin: &Origin, cut: Cut, mirror: bool) {
    let event =
        RecordEvent { kind: stream.kind(), metadata: metadata(stream, origin, cut, mirror), content: text.to_string() };
    TraceWriter::add_event(writer, TraceLowLevelEvent::Event(event));
}

/// 0.3.0's metadata object, keys in its order. Every value is a number, `null`, or fixed ASCII, so
/// nothing needs escaping.
pub fn metadata(stream: Stream, origin: &Origin, cut: Cut, mirror: bool) -> String {
    fn number(out: &mut String, value: Option<impl std::fmt::Display>) {
        match value {
            Some(value) => {
                let _ = write!(out, "{value}");
            }
            None => out.push_str("null"),
        }
    }
    let mut out = String::with_capacity(128);
    let _ = write!(out, r#"{{"stream":"{}","thread":"ThreadId({})","path_id":"#, stream.name(), origin.thread);
    number(&mut out, origin.path_id.map(|id| id.0));
    out.push_str(r#","line":"#);
    number(&mut out, origin.line);
    out.push_str(r#","frame_id":"#);
    number(&mut out, origin.frame_id);
    let _ = write!(out, r#","flags":["{}""#, cut.label());
    if mirror {
        out.push_str(r#","mirror""#);
    }
    out.push_str("]}");
    out
}

/// How many frames are read first: the proxy's `write`, perhaps a few library frames, then usually the
/// program's frame that printed.
pub const NEAR_FRAMES: usize = 8;
/// How far the stack is searched when the near frames run no recorded code.
pub const MAX_FRAMES: usize = 256;

/// The innermost frames of the thread doing IO, innermost first, each with its code object's address
/// (the session's key for code). The session picks the first one running recorded code: the frame
/// whose step produced the IO (the proxies' own frames are never recorded). The references are
/// released where the stack is dropped, outside the recording's lock.
pub struct Stack<'py> {
    frames: Vec<(usize, Bound<'py, PyAny>)>,
}

impl<'py> Stack<'py> {
    /// The calling thread's innermost `limit` frames.
    pub fn read(py: Python<'py>, limit: usize) -> Stack<'py> {
        let mut frames = Vec::new();
        // SAFETY: the GIL is held (`py`). `PyEval_GetFrame` borrows, `PyFrame_GetBack` and
        // `PyFrame_GetCode` return new references; the frames' are owned by the `Bound`s, the code's is
        // released at once (the frame keeps its code alive).
        unsafe {
            let mut frame = ffi::PyEval_GetFrame();
            if !frame.is_null() {
                ffi::Py_INCREF(frame.cast());
            }
            while !frame.is_null() && frames.len() < limit {
                let owned = Bound::from_owned_ptr(py, frame.cast());
                let code = ffi::PyFrame_GetCode(frame);
                ffi::Py_XDECREF(code.cast());
                frame = ffi::PyFrame_GetBack(frame);
                frames.push((code as usize, owned));
            }
            if !frame.is_null() {
                ffi::Py_DECREF(frame.cast());
            }
        }
        Stack { frames }
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The code object addresses, innermost first.
    pub fn codes(&self) -> impl Iterator<Item = usize> + '_ {
        self.frames.iter().map(|(code, _)| *code)
    }

    /// `id()` of the `index`th frame and the line it runs. Pure C, no Python code runs: it may be called
    /// under the recording's lock.
    pub fn place(&self, index: usize) -> (u64, i64) {
        let frame = &self.frames[index].1;
        // SAFETY: a live frame object, owned by `self`; the GIL is held while a `Bound` exists.
        let line = unsafe { ffi::PyFrame_GetLineNumber(frame.as_ptr().cast()) };
        (frame.as_ptr() as u64, i64::from(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_has_0_3_0s_keys_in_its_order() {
        let origin = Origin { thread: 7, path_id: Some(PathId(2)), line: Some(14), frame_id: Some(140_000) };
        assert_eq!(
            metadata(Stream::Stdout, &origin, Cut::Newline, false),
            r#"{"stream":"stdout","thread":"ThreadId(7)","path_id":2,"line":14,"frame_id":140000,"flags":["newline"]}"#
        );
        assert_eq!(
            metadata(Stream::Stderr, &Origin { thread: 3, ..Origin::default() }, Cut::StepBoundary, true),
            r#"{"stream":"stderr","thread":"ThreadId(3)","path_id":null,"line":null,"frame_id":null,"flags":["step_boundary","mirror"]}"#
        );
    }
}
