//! The binary events file: CodeTracer's header, then CBOR events in seekable zstd frames, then the
//! seek table, as the format crate's writer makes it (and its reader reads it).
//!
//! Written here rather than by the crate's writer so that a full disk or the size limit still leaves
//! a finished file: each frame holds whole events and is written in one piece, so the file's complete
//! part is always known; when a frame does not fit, the file is cut back to the frames before it, and
//! ends with a frame of closing events for those and the seek table (see [`super::ledger`]).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

use codetracer_trace_format_cbor_zstd::HEADERV1;
use codetracer_trace_types::{FunctionId, TraceLowLevelEvent, ValueRecord, VariableId};
use zeekstd::seek_table::Format;
use zeekstd::{EncodeOptions, FrameSizePolicy, RawEncoder, SeekTable};

use super::background::{Background, Output};
use super::ledger::Shape;

/// Uncompressed bytes of events per frame: the format crate's writer's frame size (zeekstd's default).
const FRAME_BYTES: usize = 2 << 20;

fn compression_error(err: zeekstd::Error) -> io::Error {
    io::Error::other(format!("zstd compression failed: {err}"))
}

/// The events file as the recording sees it: events are collected here and handed, a frame at a time,
/// to the writer thread ([`FrameOutput`]), which compresses and writes them.
pub struct FrameFile {
    /// CBOR of the events not yet handed over: whole events only.
    pending: Vec<u8>,
    output: Background<FrameOutput, Shape>,
    /// Length of the file's complete part, as of the last frame the thread answered for.
    committed: u64,
}

impl FrameFile {
    pub fn create(path: &Path) -> io::Result<FrameFile> {
        let output = FrameOutput::create(path)?;
        let committed = output.committed;
        Ok(FrameFile {
            pending: Vec::with_capacity(FRAME_BYTES + FRAME_BYTES / 4),
            output: Background::spawn(output, Shape::default())?,
            committed,
        })
    }

    pub fn committed(&self) -> u64 {
        self.committed
    }

    /// The most the file's complete part can reach once the frame in flight is written: a frame
    /// compresses to at most zstd's bound over its size.
    pub fn committed_at_most(&self) -> u64 {
        let in_flight = self.output.in_flight().unwrap_or(0) as u64;
        self.committed + in_flight + in_flight / 128 + 1024
    }

    /// Whether enough events are pending for a frame.
    pub fn frame_due(&self) -> bool {
        self.pending.len() >= FRAME_BYTES
    }

    pub fn add_event(&mut self, event: &TraceLowLevelEvent) -> io::Result<()> {
        cbor_event(&mut self.pending, event)
    }

    /// Appends events already in CBOR.
    pub fn add_encoded(&mut self, events: &[u8]) {
        self.pending.extend_from_slice(events);
    }

    /// Appends a `Value` event around `value`, the CBOR [`cbor_value`] made.
    pub fn add_value_event(&mut self, variable_id: VariableId, value: &[u8]) {
        value_event(&mut self.pending, variable_id, value);
    }

    /// Hands the pending events, whose end has shape `shape`, to the writer thread as one frame. Returns
    /// the outcome of the frame before it: when that one found the disk full, the file was cut back to
    /// the frames before it, and the thread drops the frames after it.
    pub fn write_frame(&mut self, shape: &Shape) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let earlier = self.output.submit(&mut self.pending, shape.clone());
        self.take_outcome(earlier)
    }

    /// Waits until the frame in flight is written, and returns its outcome.
    pub fn settle(&mut self) -> io::Result<()> {
        let outcome = self.output.wait();
        self.take_outcome(outcome)
    }

    /// Stops the writer thread until the next frame (before a fork).
    pub fn pause(&mut self) -> io::Result<()> {
        self.output.pause()
    }

    fn take_outcome(&mut self, outcome: Option<io::Result<u64>>) -> io::Result<()> {
        match outcome {
            Some(Ok(committed)) => {
                self.committed = committed;
                Ok(())
            }
            Some(Err(err)) => Err(err),
            None => Ok(()),
        }
    }

    /// Waits for the writer thread's last frame and ends the thread. Returns the events file's own
    /// side, the pending events (the last frame's, not written yet), the error that made the thread drop
    /// frames, if one did, and the shape of the frames written.
    pub fn finish(self) -> io::Result<(FrameOutput, Vec<u8>, Option<io::Error>, Shape)> {
        let (output, last, written) = self.output.finish()?;
        let dropped = match last {
            Some(Err(err)) => Some(err),
            _ => output.dropped(),
        };
        Ok((output, self.pending, dropped, written))
    }
}

/// The events file's own side, owned by the writer thread: it compresses each frame and writes it.
pub struct FrameOutput {
    file: File,
    encoder: RawEncoder<'static>,
    /// The last frame compressed is `compressed[..compressed_len]`. The buffer keeps its length between
    /// frames, so it is zero-filled only when it grows, not once per frame.
    compressed: Vec<u8>,
    compressed_len: usize,
    /// Compressed and uncompressed size of each frame written.
    frames: Vec<(u32, u32)>,
    /// Length of the file's complete part: the header and the frames written.
    committed: u64,
    /// Set once a frame did not fit, to its error: the frames after it are dropped, so the file holds
    /// no gap.
    dropped: Option<io::Error>,
}

impl Output for FrameOutput {
    fn write(&mut self, events: &[u8]) -> io::Result<u64> {
        if self.dropped.is_none() {
            if let Err(err) = self.write_frame(events) {
                self.dropped = Some(io::Error::new(err.kind(), err.to_string()));
                return Err(err);
            }
        }
        Ok(self.committed)
    }
}

impl FrameOutput {
    fn create(path: &Path) -> io::Result<FrameOutput> {
        let mut file = File::create(path)?;
        file.write_all(HEADERV1)?;
        // Frames are ended here, at event boundaries, never by the encoder.
        let options = EncodeOptions::new().frame_size_policy(FrameSizePolicy::Uncompressed(u32::MAX));
        let encoder = options.into_raw_encoder().map_err(compression_error)?;
        Ok(FrameOutput {
            file,
            encoder,
            compressed: Vec::new(),
            compressed_len: 0,
            frames: Vec::new(),
            committed: HEADERV1.len() as u64,
            dropped: None,
        })
    }

    /// Compresses `events` into one frame and writes it. When the disk is full the file is cut back to
    /// the frames before it, the events are dropped, and the error is returned.
    fn write_frame(&mut self, events: &[u8]) -> io::Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        self.compress(events)?;
        let written = self.file.write_all(&self.compressed[..self.compressed_len]);
        let sizes = (self.compressed_len as u32, events.len() as u32);
        match written {
            Ok(()) => {
                self.committed += u64::from(sizes.0);
                self.frames.push(sizes);
                Ok(())
            }
            Err(err) => {
                self.cut_to_committed()?;
                Err(err)
            }
        }
    }

    fn compress(&mut self, input: &[u8]) -> io::Result<()> {
        // Traces compress well; the buffer doubles whenever a frame needs more.
        if self.compressed.is_empty() {
            self.compressed.resize(FRAME_BYTES / 8, 0);
        }
        let (mut read, mut out) = (0, 0);
        while read < input.len() {
            if out == self.compressed.len() {
                self.compressed.resize(self.compressed.len() * 2, 0);
            }
            let progress =
                self.encoder.compress(&input[read..], &mut self.compressed[out..]).map_err(compression_error)?;
            read += progress.in_progress();
            out += progress.out_progress();
        }
        loop {
            if out == self.compressed.len() {
                self.compressed.resize(self.compressed.len() * 2, 0);
            }
            let progress = self.encoder.end_frame(&mut self.compressed[out..]).map_err(compression_error)?;
            out += progress.out_progress();
            if progress.data_left() == 0 {
                break;
            }
        }
        self.compressed_len = out;
        // The encoder keeps its own seek table of every frame; this file's is `frames`.
        self.encoder.reset_seek_table();
        Ok(())
    }

    fn cut_to_committed(&mut self) -> io::Result<()> {
        self.file.set_len(self.committed)?;
        self.file.seek(SeekFrom::Start(self.committed))?;
        Ok(())
    }

    /// The error that made the frames after it dropped, if one did.
    fn dropped(&self) -> Option<io::Error> {
        self.dropped.as_ref().map(|err| io::Error::new(err.kind(), err.to_string()))
    }

    /// Writes `last` as a frame and then the seek table, all or nothing: when they do not fit, the file
    /// is cut back to the frames before and the error returned.
    pub fn end_with(&mut self, last: &[u8]) -> io::Result<()> {
        self.write_frame(last)?;
        let mut table = SeekTable::new();
        for (compressed, uncompressed) in &self.frames {
            table.log_frame(*compressed, *uncompressed).map_err(compression_error)?;
        }
        let mut bytes = Vec::new();
        io::copy(&mut table.into_format_serializer(Format::Foot), &mut bytes)?;
        let written = self.file.write_all(&bytes).and_then(|()| self.file.flush());
        if written.is_err() {
            if !last.is_empty() {
                let (compressed, _) = self.frames.pop().expect("the frame of `last` was written above");
                self.committed -= u64::from(compressed);
            }
            self.cut_to_committed()?;
        }
        written
    }

    /// Drops every frame, to make room for a trace of the opening and closing events only.
    pub fn restart(&mut self) -> io::Result<()> {
        self.frames.clear();
        self.committed = HEADERV1.len() as u64;
        self.cut_to_committed()
    }
}

/// Appends `event` as CBOR.
pub fn cbor_event(out: &mut Vec<u8>, event: &TraceLowLevelEvent) -> io::Result<()> {
    let taken = std::mem::take(out);
    *out = cbor4ii::serde::to_vec(taken, event).map_err(io::Error::other)?;
    Ok(())
}

/// `value` as CBOR, the form [`FrameFile::add_value_event`] takes.
pub fn cbor_value(value: &ValueRecord) -> io::Result<Vec<u8>> {
    // Room for a small value at once: growing from empty reallocated several times per value.
    cbor4ii::serde::to_vec(Vec::with_capacity(VALUE_BYTES), value).map_err(io::Error::other)
}

/// Bytes reserved for a value's CBOR: an int or a short string with its type id fits.
const VALUE_BYTES: usize = 64;

/// The CBOR of `TraceLowLevelEvent::Value(FullValueRecord { variable_id, value })` as serde and
/// cbor4ii write it: a one-entry map from the variant name to a two-entry map of the fields.
pub fn value_event(out: &mut Vec<u8>, variable_id: VariableId, value: &[u8]) {
    out.extend_from_slice(&[0xA1, 0x65]);
    out.extend_from_slice(b"Value");
    full_value(out, variable_id, value);
}

/// A `FullValueRecord`: a two-entry map of the variable id and the value.
fn full_value(out: &mut Vec<u8>, variable_id: VariableId, value: &[u8]) {
    out.extend_from_slice(&[0xA2, 0x6B]);
    out.extend_from_slice(b"variable_id");
    unsigned(out, variable_id.0 as u64);
    out.push(0x65);
    out.extend_from_slice(b"value");
    out.extend_from_slice(value);
}

/// The CBOR of `TraceLowLevelEvent::Call(CallRecord { function_id, args })`: the variant name to a
/// two-entry map of the function id and the array of arguments.
pub fn call_event<'a>(
    out: &mut Vec<u8>,
    function_id: FunctionId,
    args: impl ExactSizeIterator<Item = (VariableId, &'a [u8])>,
) {
    out.extend_from_slice(&[0xA1, 0x64]);
    out.extend_from_slice(b"Call");
    out.extend_from_slice(&[0xA2, 0x6B]);
    out.extend_from_slice(b"function_id");
    unsigned(out, function_id.0 as u64);
    out.push(0x64);
    out.extend_from_slice(b"args");
    head(out, ARRAY, args.len() as u64);
    for (variable_id, value) in args {
        full_value(out, variable_id, value);
    }
}

/// The CBOR of `TraceLowLevelEvent::Return(ReturnRecord { return_value })` around `value`.
pub fn return_event(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(&[0xA1, 0x66]);
    out.extend_from_slice(b"Return");
    out.extend_from_slice(&[0xA1, 0x6C]);
    out.extend_from_slice(b"return_value");
    out.extend_from_slice(value);
}

/// CBOR major types (the top three bits of an item's first byte).
const UNSIGNED: u8 = 0x00;
const ARRAY: u8 = 0x80;

/// A CBOR unsigned integer (major type 0) in its shortest form.
fn unsigned(out: &mut Vec<u8>, value: u64) {
    head(out, UNSIGNED, value);
}

/// An item's head: its major type and argument, the argument in its shortest form.
fn head(out: &mut Vec<u8>, major: u8, value: u64) {
    match value {
        0..=23 => out.push(major | value as u8),
        24..=0xFF => out.extend_from_slice(&[major | 0x18, value as u8]),
        0x100..=0xFFFF => {
            out.push(major | 0x19);
            out.extend_from_slice(&(value as u16).to_be_bytes());
        }
        0x1_0000..=0xFFFF_FFFF => {
            out.push(major | 0x1A);
            out.extend_from_slice(&(value as u32).to_be_bytes());
        }
        _ => {
            out.push(major | 0x1B);
            out.extend_from_slice(&value.to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use codetracer_trace_types::{FullValueRecord, TypeId};

    use super::*;

    #[test]
    fn value_events_are_written_as_cbor4ii_writes_them() {
        let values = [
            ValueRecord::Int { i: -5, type_id: TypeId(3) },
            ValueRecord::String { text: "é\n".into(), type_id: TypeId(300) },
            ValueRecord::Sequence {
                elements: vec![ValueRecord::None { type_id: TypeId(0) }],
                is_slice: false,
                type_id: TypeId(70_000),
            },
        ];
        for id in [0, 23, 24, 255, 256, 65_535, 65_536, u32::MAX as usize, u32::MAX as usize + 1, usize::MAX] {
            for value in &values {
                let mut ours = Vec::new();
                value_event(&mut ours, VariableId(id), &cbor_value(value).unwrap());
                let event =
                    TraceLowLevelEvent::Value(FullValueRecord { variable_id: VariableId(id), value: value.clone() });
                assert_eq!(ours, cbor4ii::serde::to_vec(Vec::new(), &event).unwrap(), "variable id {id}");
            }
        }
    }

    #[test]
    fn call_and_return_events_are_written_as_cbor4ii_writes_them() {
        let value = cbor_value(&ValueRecord::Int { i: 7, type_id: TypeId(1) }).unwrap();
        for (function_id, count) in [(0, 0), (1, 1), (23, 2), (24, 23), (300, 24), (70_000, 300)] {
            let args: Vec<(VariableId, &[u8])> = (0..count).map(|id| (VariableId(id * 97), value.as_slice())).collect();
            let mut ours = Vec::new();
            call_event(&mut ours, FunctionId(function_id), args.iter().copied());
            let records = args
                .iter()
                .map(|(variable_id, _)| FullValueRecord {
                    variable_id: *variable_id,
                    value: ValueRecord::Int { i: 7, type_id: TypeId(1) },
                })
                .collect();
            let event = TraceLowLevelEvent::Call(codetracer_trace_types::CallRecord {
                function_id: FunctionId(function_id),
                args: records,
            });
            assert_eq!(ours, cbor4ii::serde::to_vec(Vec::new(), &event).unwrap(), "{count} arguments");
            let mut returned = Vec::new();
            return_event(&mut returned, &value);
            let return_value = ValueRecord::Int { i: 7, type_id: TypeId(1) };
            let event = TraceLowLevelEvent::Return(codetracer_trace_types::ReturnRecord { return_value });
            assert_eq!(returned, cbor4ii::serde::to_vec(Vec::new(), &event).unwrap());
        }
    }
}
