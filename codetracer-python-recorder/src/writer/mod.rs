//! The trace files on disk: the event stream (through the format crate's writers), `trace_paths.json`
//! and `trace_metadata.json`.

mod metadata;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use codetracer_trace_types::Line;
use codetracer_trace_writer::non_streaming_trace_writer::NonStreamingTraceWriter;
use codetracer_trace_writer::trace_writer::TraceWriter;
use codetracer_trace_writer::{create_trace_writer, TraceEventsFileFormat};

use crate::config::{Format, TraceConfig};
use crate::errors::{Error, Result};

pub use metadata::RECORDER_NAME;

/// Buffered JSON events are written out once this many have accumulated, which keeps memory flat on
/// long recordings.
const JSON_BATCH: usize = 4096;

enum EventStream {
    /// The crate's JSON writer keeps every event in memory until the end; we drain its public event
    /// buffer in batches and serialise each event with the crate's own serde definitions, producing
    /// the same JSON array the crate would.
    Json { writer: Box<NonStreamingTraceWriter>, out: BufWriter<File>, wrote_any: bool },
    /// The crate's CBOR + zstd writer already streams to disk.
    Binary { writer: Box<dyn TraceWriter + Send> },
}

pub struct TraceSink {
    stream: EventStream,
    events_path: PathBuf,
    metadata_path: PathBuf,
    workdir: PathBuf,
    format: Format,
    program: String,
    args: Vec<String>,
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
                let file = File::create(&events_path).map_err(|err| write_error(&events_path, err))?;
                let writer = Box::new(NonStreamingTraceWriter::new(&config.program, &config.args));
                EventStream::Json { writer, out: BufWriter::new(file), wrote_any: false }
            }
            Format::Binary => {
                let mut writer = create_trace_writer(&config.program, &config.args, TraceEventsFileFormat::Binary);
                writer.begin_writing_trace_events(&events_path).map_err(|err| write_error(&events_path, err))?;
                EventStream::Binary { writer }
            }
        };
        let writer = stream.writer();
        TraceWriter::begin_writing_trace_paths(writer, &paths_path).map_err(|err| write_error(&paths_path, err))?;
        TraceWriter::start(writer, Path::new(&config.program), Line(1));

        let mut sink = TraceSink {
            stream,
            events_path,
            metadata_path,
            workdir,
            format: config.format,
            program: config.program.clone(),
            args: config.args.clone(),
        };
        if let EventStream::Json { out, .. } = &mut sink.stream {
            out.write_all(b"[\n").map_err(|err| write_error(&sink.events_path, err))?;
        }
        Ok(sink)
    }

    pub fn writer(&mut self) -> &mut dyn TraceWriter {
        self.stream.writer()
    }

    /// Moves buffered events to disk when enough have piled up.
    pub fn flush_if_due(&mut self) -> Result<()> {
        match &self.stream {
            EventStream::Json { writer, .. } if writer.events.len() >= JSON_BATCH => self.drain_json(),
            _ => Ok(()),
        }
    }

    fn drain_json(&mut self) -> Result<()> {
        let EventStream::Json { writer, out, wrote_any } = &mut self.stream else {
            return Ok(());
        };
        for event in writer.events.drain(..) {
            if *wrote_any {
                out.write_all(b",\n").map_err(|err| write_error(&self.events_path, err))?;
            }
            serde_json::to_writer(&mut *out, &event).map_err(|err| write_error(&self.events_path, err))?;
            *wrote_any = true;
        }
        Ok(())
    }

    /// Completes every file. Called exactly once, when the recording stops.
    pub fn finish(mut self, exit_status: Option<i64>) -> Result<()> {
        self.drain_json()?;
        let events_path = self.events_path.clone();
        match &mut self.stream {
            EventStream::Json { out, .. } => {
                out.write_all(b"\n]\n").map_err(|err| write_error(&events_path, err))?;
                out.flush().map_err(|err| write_error(&events_path, err))?;
            }
            EventStream::Binary { writer } => {
                writer.finish_writing_trace_events().map_err(|err| write_error(&events_path, err))?;
            }
        }
        let paths_path = self.metadata_path.with_file_name("trace_paths.json");
        TraceWriter::finish_writing_trace_paths(self.stream.writer()).map_err(|err| write_error(&paths_path, err))?;
        metadata::write(&self.metadata_path, &self.workdir, &self.program, &self.args, self.format, exit_status)
    }
}

impl EventStream {
    fn writer(&mut self) -> &mut dyn TraceWriter {
        match self {
            EventStream::Json { writer, .. } => writer.as_mut(),
            EventStream::Binary { writer } => writer.as_mut(),
        }
    }
}
