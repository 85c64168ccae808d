//! The trace files on disk: the event stream (through the format crate's writers), `trace_paths.json`
//! and `trace_metadata.json`.

mod background;
mod binary;
mod json;
mod json_file;
mod ledger;
mod metadata;

use std::fs::File;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use codetracer_trace_types::{
    FunctionId, Line, PathId, StepRecord, TraceLowLevelEvent, ValueRecord, VariableId, TOP_LEVEL_FUNCTION_ID,
};
use codetracer_trace_writer::non_streaming_trace_writer::NonStreamingTraceWriter;
use codetracer_trace_writer::trace_writer::TraceWriter;

use crate::config::{Format, TraceConfig};
use crate::errors::{Error, Result};
use background::Background;
use ledger::{Ledger, Shape};

pub use ledger::STILL_RUNNING;
pub use metadata::{RECORDER_NAME, UNKNOWN_EXIT_LABEL};

/// Buffered JSON events are written out once this many have accumulated, or once their bytes reach
/// `JSON_BATCH_BYTES`, which keeps memory flat on long recordings.
const JSON_BATCH: usize = 4096;
/// A quarter of a MiB per write: large enough for few system calls, small enough that a full disk,
/// which cuts the file back to the last whole batch, loses little and leaves room for the closing events.
const JSON_BATCH_BYTES: usize = 256 << 10;

enum EventStream {
    /// The crate's JSON writer keeps every event in memory until the end; we drain its public event
    /// buffer in batches and serialise each event with the crate's own serde definitions, producing
    /// the same JSON array the crate would.
    ///
    /// Step and value events, the bulk of a trace, skip the writer's buffer: they are appended to
    /// `batch` as JSON at once (after the writer's buffered events, to keep the order).
    ///
    /// The batches are written by the writer thread (see [`json_file`]), which cuts a batch that fails
    /// half-way (the disk is full) back to the last whole event. `submitted`: the bytes handed to it,
    /// the file's length unless the disk filled up. `started`: whether an event was put in the array
    /// yet (the next one needs a separator).
    Json {
        writer: Box<NonStreamingTraceWriter>,
        out: Background<json_file::JsonFile, Shape>,
        submitted: u64,
        batch: Vec<u8>,
        started: bool,
    },
    /// The same in binary: the crate's writer keeps ids and buffers the less frequent events, step and
    /// value events go straight into the pending frame, all in order (see [`binary`]).
    Binary { writer: Box<NonStreamingTraceWriter>, frames: binary::FrameFile },
}

/// Whether a write failed because there is no room left for the file.
pub fn is_out_of_space(err: &std::io::Error) -> bool {
    matches!(err.kind(), ErrorKind::StorageFull | ErrorKind::FileTooLarge)
}

/// A value encoded for this sink's format, ready for [`TraceSink::write_value`]: its JSON text or
/// its CBOR.
pub enum SinkValue {
    Json(Vec<u8>),
    Cbor(Vec<u8>),
}

impl SinkValue {
    fn bytes(&self) -> &[u8] {
        match self {
            SinkValue::Json(bytes) | SinkValue::Cbor(bytes) => bytes,
        }
    }
}

pub struct TraceSink {
    stream: EventStream,
    events_path: PathBuf,
    metadata_path: PathBuf,
    workdir: PathBuf,
    format: Format,
    program: String,
    args: Vec<String>,
    max_bytes: u64,
    /// Why recording stopped early, once the size limit or a full disk stopped it.
    truncation: Option<String>,
    /// A call's events (with the events the writer had buffered before them), encoded but held back until
    /// the next event is written, where the format crate's writer would hold them: batches and frames then
    /// end where they always did. `held_events` counts them.
    held: Vec<u8>,
    held_events: usize,
    /// What the events handed over so far leave open, to end the trace balanced after a full disk.
    ledger: Ledger,
    /// Settings of the recording that go into `trace_metadata.json` (filters, IO capture, ...).
    pub settings: Map<String, Value>,
}

fn write_error(path: &Path, err: impl std::fmt::Display) -> Error {
    Error::Write { path: path.to_path_buf(), message: err.to_string() }
}

impl TraceSink {
    pub fn create(config: &TraceConfig) -> Result<TraceSink> {
        let dir = &config.trace_dir;
        // Read here so a vanished working directory is an error, not a panic inside the format crate.
        let workdir = std::env::current_dir()
            .map_err(|err| write_error(dir, format!("cannot read the working directory: {err}")))?;
        std::fs::create_dir_all(dir).map_err(|err| write_error(dir, err))?;
        let events_path = dir.join(config.format.events_file_name());
        let metadata_path = dir.join("trace_metadata.json");
        let paths_path = dir.join("trace_paths.json");

        let mut stream = match config.format {
            Format::Json => {
                let out = File::create(&events_path)
                    .and_then(json_file::JsonFile::create)
                    .and_then(|file| Background::spawn(file, Shape::default()))
                    .map_err(|err| write_error(&events_path, err))?;
                let writer = Box::new(NonStreamingTraceWriter::new(&config.program, &config.args));
                EventStream::Json {
                    writer,
                    out,
                    submitted: json_file::JSON_OPENING.len() as u64,
                    batch: Vec::with_capacity(JSON_BATCH_BYTES),
                    started: false,
                }
            }
            Format::Binary => {
                let frames = binary::FrameFile::create(&events_path).map_err(|err| write_error(&events_path, err))?;
                let writer = Box::new(NonStreamingTraceWriter::new(&config.program, &config.args));
                EventStream::Binary { writer, frames }
            }
        };
        let writer = stream.writer();
        TraceWriter::begin_writing_trace_paths(writer, &paths_path).map_err(|err| write_error(&paths_path, err))?;
        TraceWriter::start(writer, Path::new(&config.program), Line(1));
        let ledger = Ledger::new(stream.buffered());

        let mut settings = config.settings.clone();
        settings.insert("max_trace_bytes".into(), json!(config.max_trace_bytes));
        Ok(TraceSink {
            stream,
            events_path,
            metadata_path,
            workdir,
            format: config.format,
            program: config.program.clone(),
            args: config.args.clone(),
            max_bytes: config.max_trace_bytes,
            truncation: None,
            held: Vec::new(),
            held_events: 0,
            ledger,
            settings,
        })
    }

    /// Why the trace stopped early, if it did.
    pub fn truncation(&self) -> Option<&str> {
        self.truncation.as_deref()
    }

    pub fn writer(&mut self) -> &mut dyn TraceWriter {
        self.stream.writer()
    }

    /// A line step of the code at `path_id`.
    pub fn write_step(&mut self, path_id: PathId, line: i64) -> Result<()> {
        let step = StepRecord { path_id, line: Line(line) };
        match &mut self.stream {
            EventStream::Json { .. } => {
                let batch = self.next_json_event()?;
                json::write_step(batch, &step);
                Ok(())
            }
            EventStream::Binary { .. } => {
                self.append_buffered()?;
                let EventStream::Binary { frames, .. } = &mut self.stream else {
                    unreachable!("matched above");
                };
                frames.add_event(&TraceLowLevelEvent::Step(step)).map_err(|err| write_error(&self.events_path, err))
            }
        }
    }

    /// `record` encoded for this sink's format.
    pub fn encode_value(&self, record: &ValueRecord) -> Result<SinkValue> {
        match &self.stream {
            EventStream::Json { .. } => {
                let mut text = Vec::new();
                json::write_value(&mut text, record);
                Ok(SinkValue::Json(text))
            }
            EventStream::Binary { .. } => {
                binary::cbor_value(record).map(SinkValue::Cbor).map_err(|err| write_error(&self.events_path, err))
            }
        }
    }

    /// A `Value` event: `variable_id` holds `value` (made by [`TraceSink::encode_value`], possibly
    /// for an earlier step).
    pub fn write_value(&mut self, variable_id: VariableId, value: &SinkValue) -> Result<()> {
        match value {
            SinkValue::Json(text) => json::write_value_event(self.next_json_event()?, variable_id, text),
            SinkValue::Cbor(value) => {
                self.append_buffered()?;
                if let EventStream::Binary { frames, .. } = &mut self.stream {
                    frames.add_value_event(variable_id, value);
                }
            }
        }
        Ok(())
    }

    /// A call with its arguments' values (made by [`TraceSink::encode_value`]), as the format crate's
    /// `register_call` writes it: each argument as a `Value` event and a step at the function's first
    /// line before the `Call` event, except for `<toplevel>`. `first_line`: where the function was
    /// registered, the place of that step.
    pub fn write_call(
        &mut self,
        function_id: FunctionId,
        first_line: (PathId, i64),
        args: &[(VariableId, &SinkValue)],
    ) -> Result<()> {
        let step = (function_id != TOP_LEVEL_FUNCTION_ID)
            .then_some(StepRecord { path_id: first_line.0, line: Line(first_line.1) });
        let values = if step.is_some() { args } else { &[] };
        let call_args = args.iter().map(|(variable_id, value)| (*variable_id, value.bytes()));
        let mut held = std::mem::take(&mut self.held);
        let mut outcome = self.hold_buffered(&mut held);
        match &mut self.stream {
            EventStream::Json { started, .. } => {
                for (variable_id, value) in values {
                    separate(&mut held, started);
                    json::write_value_event(&mut held, *variable_id, value.bytes());
                }
                if let Some(step) = &step {
                    separate(&mut held, started);
                    json::write_step(&mut held, step);
                }
                separate(&mut held, started);
                json::write_call(&mut held, function_id, call_args);
            }
            EventStream::Binary { .. } => {
                for (variable_id, value) in values {
                    binary::value_event(&mut held, *variable_id, value.bytes());
                }
                if let Some(step) = step {
                    outcome = outcome.and(
                        binary::cbor_event(&mut held, &TraceLowLevelEvent::Step(step))
                            .map_err(|err| write_error(&self.events_path, err)),
                    );
                }
                binary::call_event(&mut held, function_id, call_args);
            }
        }
        self.held_events += values.len() + usize::from(step.is_some()) + 1;
        self.ledger.now.see_call();
        self.held = held;
        outcome
    }

    /// A `Return` event of `value` (made by [`TraceSink::encode_value`]), held back as a call's events are.
    pub fn write_return(&mut self, value: &SinkValue) -> Result<()> {
        let mut held = std::mem::take(&mut self.held);
        let outcome = self.hold_buffered(&mut held);
        match &mut self.stream {
            EventStream::Json { started, .. } => {
                separate(&mut held, started);
                json::write_return(&mut held, value.bytes());
            }
            EventStream::Binary { .. } => binary::return_event(&mut held, value.bytes()),
        }
        self.held_events += 1;
        self.ledger.now.see_return();
        self.held = held;
        outcome
    }

    /// Moves the events the crate's writer buffered onto `held`, encoded.
    fn hold_buffered(&mut self, held: &mut Vec<u8>) -> Result<()> {
        match &mut self.stream {
            EventStream::Json { writer, started, .. } => {
                for event in writer.events.drain(..) {
                    separate(held, started);
                    json::write_event(held, &event).map_err(|err| write_error(&self.events_path, err))?;
                    self.ledger.see(&event);
                    self.held_events += 1;
                }
            }
            EventStream::Binary { writer, .. } => {
                for event in writer.events.drain(..) {
                    binary::cbor_event(held, &event).map_err(|err| write_error(&self.events_path, err))?;
                    self.ledger.see(&event);
                    self.held_events += 1;
                }
            }
        }
        Ok(())
    }

    /// The JSON batch, ready for one more event: the writer's buffered events moved into it first,
    /// and the separator written.
    fn next_json_event(&mut self) -> Result<&mut Vec<u8>> {
        self.append_buffered()?;
        let EventStream::Json { batch, started, .. } = &mut self.stream else {
            unreachable!("JSON events are only written to a JSON trace");
        };
        if *started {
            batch.extend_from_slice(b",\n");
        }
        *started = true;
        Ok(batch)
    }

    /// Serialises the events buffered in the crate's writer onto the JSON batch or the pending frame,
    /// in order.
    fn append_buffered(&mut self) -> Result<()> {
        if self.held_events > 0 {
            match &mut self.stream {
                EventStream::Json { batch, .. } => batch.extend_from_slice(&self.held),
                EventStream::Binary { frames, .. } => frames.add_encoded(&self.held),
            }
            self.held.clear();
            self.held_events = 0;
        }
        match &mut self.stream {
            EventStream::Json { writer, batch, started, .. } => {
                for event in writer.events.drain(..) {
                    if *started {
                        batch.extend_from_slice(b",\n");
                    }
                    *started = true;
                    json::write_event(batch, &event).map_err(|err| write_error(&self.events_path, err))?;
                    self.ledger.see(&event);
                }
            }
            EventStream::Binary { writer, frames } => {
                for event in writer.events.drain(..) {
                    frames.add_event(&event).map_err(|err| write_error(&self.events_path, err))?;
                    self.ledger.see(&event);
                }
            }
        }
        Ok(())
    }

    /// Hands the pending binary events to the writer thread as a frame; a full disk marks the trace
    /// truncated (found one frame late, when the thread answers for it).
    fn write_frame(&mut self) -> Result<()> {
        self.append_buffered()?;
        let EventStream::Binary { frames, .. } = &mut self.stream else {
            return Ok(());
        };
        let outcome = frames.write_frame(&self.ledger.now);
        self.take_write_outcome(outcome)
    }

    /// The outcome of a write the writer thread did: a full disk marks the trace truncated.
    fn take_write_outcome(&mut self, outcome: std::io::Result<()>) -> Result<()> {
        match outcome {
            Ok(()) => Ok(()),
            Err(err) if is_out_of_space(&err) => {
                self.truncation.get_or_insert_with(|| format!("no room left for the events file ({err})"));
                Ok(())
            }
            Err(err) => Err(write_error(&self.events_path, err)),
        }
    }

    /// Moves buffered events to disk when enough have piled up, and checks the size limit.
    pub fn flush_if_due(&mut self) -> Result<()> {
        let size = match &mut self.stream {
            EventStream::Json { writer, batch, .. }
                if writer.events.len() + self.held_events >= JSON_BATCH || batch.len() >= JSON_BATCH_BYTES =>
            {
                self.drain_json()?;
                self.written_bytes()
            }
            EventStream::Binary { writer, .. } if writer.events.len() + self.held_events >= JSON_BATCH => {
                // Frames of the full size compress best: buffered events only join the pending frame.
                self.append_buffered()?;
                return Ok(());
            }
            EventStream::Binary { frames, .. } if frames.frame_due() => {
                self.write_frame()?;
                if let EventStream::Binary { frames, .. } = &mut self.stream {
                    // The limit is checked after every frame, as if it were written at once: the thread is
                    // waited for only when the frame in flight could reach the limit.
                    if self.max_bytes > 0 && frames.committed_at_most() >= self.max_bytes {
                        let outcome = frames.settle();
                        self.take_write_outcome(outcome)?;
                    }
                }
                self.written_bytes()
            }
            EventStream::Binary { .. } => return Ok(()),
            EventStream::Json { .. } => return Ok(()),
        };
        if self.max_bytes > 0 && size >= self.max_bytes && self.truncation.is_none() {
            self.truncation =
                Some(format!("the events file reached the size limit of {} bytes (--max-trace-bytes)", self.max_bytes));
        }
        Ok(())
    }

    fn written_bytes(&self) -> u64 {
        match &self.stream {
            EventStream::Json { submitted, .. } => *submitted,
            EventStream::Binary { frames, .. } => frames.committed(),
        }
    }

    /// Writes every buffered event now, and waits until the writer thread has written them.
    pub fn flush(&mut self) -> Result<()> {
        self.drain_json()?;
        self.write_frame()?;
        let outcome = match &mut self.stream {
            EventStream::Json { out, .. } => out.wait().map_or(Ok(()), |outcome| outcome.map(drop)),
            EventStream::Binary { frames, .. } => frames.settle(),
        };
        self.take_write_outcome(outcome)
    }

    /// Stops the writer thread, after the buffer it holds, until the next buffer is handed over: the
    /// process then forks with the program's threads only.
    pub fn pause_writes(&mut self) -> Result<()> {
        let paused = match &mut self.stream {
            EventStream::Json { out, .. } => out.pause(),
            EventStream::Binary { frames, .. } => frames.pause(),
        };
        paused.map_err(|err| write_error(&self.events_path, err))
    }

    /// Hands the buffered JSON events to the writer thread as one batch. A batch that found the disk
    /// full (the one before, answered for now) marks the trace truncated instead of failing.
    fn drain_json(&mut self) -> Result<()> {
        if !matches!(self.stream, EventStream::Json { .. }) {
            return Ok(());
        }
        self.append_buffered()?;
        let EventStream::Json { out, submitted, batch, .. } = &mut self.stream else {
            return Ok(());
        };
        if batch.is_empty() {
            return Ok(());
        }
        *submitted += batch.len() as u64;
        let outcome = out.submit(batch, self.ledger.now.clone()).map_or(Ok(()), |outcome| outcome.map(drop));
        self.take_write_outcome(outcome)
    }

    /// Completes every file, each one even when an earlier one failed, so a full disk still leaves
    /// the metadata saying what happened. Called exactly once, when the recording stops.
    ///
    /// When not even the recording's first and last events fit on the disk, no file is presented as a
    /// trace: the events file is removed, and the error says so.
    pub fn finish(mut self, exit_status: Option<i64>) -> Result<()> {
        let events_path = self.events_path.clone();
        // The recording's closing events, which `ledger` ends a cut trace with.
        let ending = self.stream.buffered().to_vec();
        let mut outcome = self.append_buffered();
        let ledger = &self.ledger;
        let (mut writer, ended, encode): (_, io::Result<(Box<dyn EventsFile>, _)>, Encode) = match self.stream {
            EventStream::Json { writer, out, batch, .. } => {
                let ended = out.finish().and_then(|(mut file, last, written)| {
                    let dropped = last.and_then(std::result::Result::err).or_else(|| file.dropped());
                    let cut = Cut { dropped, written: &written, ledger, ending: &ending };
                    let reason = cut.end(&mut file, &batch, json_events)?;
                    Ok((Box::new(file) as Box<dyn EventsFile>, reason))
                });
                (writer, ended, json_events)
            }
            EventStream::Binary { writer, frames } => {
                let ended = frames.finish().and_then(|(mut file, pending, dropped, written)| {
                    let cut = Cut { dropped, written: &written, ledger, ending: &ending };
                    let reason = cut.end(&mut file, &pending, binary_events)?;
                    Ok((Box::new(file) as Box<dyn EventsFile>, reason))
                });
                (writer, ended, binary_events)
            }
        };
        let mut file = match ended {
            Ok((file, reason)) => {
                if let Some(reason) = reason {
                    // The full disk found earlier is the same one, now said with what the file kept.
                    self.truncation = Some(match self.truncation.take() {
                        Some(earlier) if !reason.starts_with(&earlier) => format!("{earlier}; then {reason}"),
                        _ => reason,
                    });
                }
                Some(file)
            }
            Err(err) if is_out_of_space(&err) => {
                // A file that does not end is no trace.
                let _ = std::fs::remove_file(&events_path);
                return Err(write_error(&events_path, format!("{err}; no trace was written")));
            }
            Err(err) => {
                outcome = outcome.and(Err(write_error(&events_path, err)));
                None
            }
        };
        let description = Description {
            metadata_path: &self.metadata_path,
            workdir: &self.workdir,
            program: &self.program,
            args: &self.args,
            format: self.format,
        };
        let settings = std::mem::take(&mut self.settings);
        let mut described =
            description.write(writer.as_mut(), exit_status, settings.clone(), self.truncation.as_deref());
        if let (Err((path, err)), Some(file)) = (&described, &mut file) {
            if is_out_of_space(err) {
                // The events give up their room to the files that say what the trace is.
                let minimal = encode(&ledger.closing_events(&Shape::default(), &ending))
                    .and_then(|events| file.restart().and_then(|()| file.end_with(&events)));
                if minimal.is_ok() {
                    let name = path.file_name().unwrap_or_default().to_string_lossy();
                    self.truncation = Some(format!(
                        "no room left for {name} ({err}); the events file keeps only the recording's first and last events"
                    ));
                    described = description.write(writer.as_mut(), exit_status, settings, self.truncation.as_deref());
                }
            }
        }
        match described {
            Ok(()) => outcome,
            Err((path, err)) if is_out_of_space(&err) => {
                // Without its description the events file is no trace.
                for file in [&events_path, &description.paths_path(), &self.metadata_path] {
                    let _ = std::fs::remove_file(file);
                }
                Err(write_error(&path, format!("{err}; no trace was written")))
            }
            Err((path, err)) => outcome.and(Err(write_error(&path, err))),
        }
    }
}

/// The files that say what a trace is, beside its events file.
struct Description<'a> {
    metadata_path: &'a Path,
    workdir: &'a Path,
    program: &'a str,
    args: &'a [String],
    format: Format,
}

impl Description<'_> {
    fn paths_path(&self) -> PathBuf {
        self.metadata_path.with_file_name("trace_paths.json")
    }

    /// Writes `trace_paths.json` and `trace_metadata.json` (with `settings` and `truncation`); a file a
    /// failed write left behind is removed.
    fn write(
        &self,
        writer: &mut dyn TraceWriter,
        exit_status: Option<i64>,
        mut settings: Map<String, Value>,
        truncation: Option<&str>,
    ) -> std::result::Result<(), (PathBuf, io::Error)> {
        let paths_path = self.paths_path();
        TraceWriter::finish_writing_trace_paths(writer).map_err(|err| {
            let err = match err.downcast::<io::Error>() {
                Ok(err) => *err,
                Err(other) => io::Error::other(other.to_string()),
            };
            let _ = std::fs::remove_file(&paths_path);
            (paths_path.clone(), err)
        })?;
        let truncated = match truncation {
            Some(reason) => json!({ "reason": reason }),
            None => json!(false),
        };
        settings.insert("truncated".into(), truncated);
        metadata::write(self.metadata_path, self.workdir, self.program, self.args, self.format, exit_status, settings)
            .map_err(|err| {
                let _ = std::fs::remove_file(self.metadata_path);
                (self.metadata_path.to_path_buf(), err)
            })
    }
}

/// Encodes events for one format.
type Encode = fn(&[TraceLowLevelEvent]) -> io::Result<Vec<u8>>;

/// An events file as [`Cut::end`] ends it.
trait EventsFile {
    /// Writes `last` (encoded events) and the file's ending, all or nothing.
    fn end_with(&mut self, last: &[u8]) -> io::Result<()>;
    /// Drops every event written.
    fn restart(&mut self) -> io::Result<()>;
}

impl EventsFile for json_file::JsonFile {
    fn end_with(&mut self, last: &[u8]) -> io::Result<()> {
        json_file::JsonFile::end_with(self, last)
    }

    fn restart(&mut self) -> io::Result<()> {
        json_file::JsonFile::restart(self)
    }
}

impl EventsFile for binary::FrameOutput {
    fn end_with(&mut self, last: &[u8]) -> io::Result<()> {
        binary::FrameOutput::end_with(self, last)
    }

    fn restart(&mut self) -> io::Result<()> {
        binary::FrameOutput::restart(self)
    }
}

/// How an events file stands when the recording ends.
struct Cut<'a> {
    /// The error that made the writer drop buffers, if one did: the file then ends with the buffers of
    /// shape `written`.
    dropped: Option<io::Error>,
    written: &'a Shape,
    ledger: &'a Ledger,
    /// The recording's closing events.
    ending: &'a [TraceLowLevelEvent],
}

impl Cut<'_> {
    /// Ends `file` with `last`, the events not written yet, the recording's closing events among them.
    /// When they do not fit, or buffers before them were dropped, the file ends instead with closing
    /// events for what it holds; when even those do not fit, with only the recording's first and last
    /// events. Returns why events were dropped, if they were; a full disk is an error only when nothing
    /// fits.
    fn end(self, file: &mut impl EventsFile, last: &[u8], encode: Encode) -> io::Result<Option<String>> {
        let dropped = match self.dropped {
            Some(err) => err,
            None => match file.end_with(last) {
                Ok(()) => return Ok(None),
                Err(err) if is_out_of_space(&err) => err,
                Err(err) => return Err(err),
            },
        };
        let reason = format!("no room left for the events file ({dropped})");
        match file.end_with(&encode(&self.ledger.closing_events(self.written, self.ending))?) {
            Ok(()) => return Ok(Some(reason)),
            Err(err) if is_out_of_space(&err) => {}
            Err(err) => return Err(err),
        }
        file.restart()?;
        match file.end_with(&encode(&self.ledger.closing_events(&Shape::default(), self.ending))?) {
            Ok(()) => Ok(Some(format!("{reason}; only the recording's first and last events were kept"))),
            Err(err) if is_out_of_space(&err) => Err(io::Error::new(
                err.kind(),
                format!("no room left on the disk even for the recording's first and last events ({err})"),
            )),
            Err(err) => Err(err),
        }
    }
}

fn json_events(events: &[TraceLowLevelEvent]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for (index, event) in events.iter().enumerate() {
        if index > 0 {
            out.extend_from_slice(b",\n");
        }
        json::write_event(&mut out, event)?;
    }
    Ok(out)
}

fn binary_events(events: &[TraceLowLevelEvent]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for event in events {
        binary::cbor_event(&mut out, event)?;
    }
    Ok(out)
}

/// The separator before a JSON event that is not the array's first.
fn separate(out: &mut Vec<u8>, started: &mut bool) {
    if *started {
        out.extend_from_slice(b",\n");
    }
    *started = true;
}

impl EventStream {
    /// The events the crate's writer holds, not encoded yet.
    fn buffered(&self) -> &[TraceLowLevelEvent] {
        match self {
            EventStream::Json { writer, .. } | EventStream::Binary { writer, .. } => &writer.events,
        }
    }

    fn writer(&mut self) -> &mut dyn TraceWriter {
        match self {
            EventStream::Json { writer, .. } => writer.as_mut(),
            EventStream::Binary { writer, .. } => writer.as_mut(),
        }
    }
}
