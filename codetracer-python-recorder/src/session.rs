//! One recording: its configuration, the per-code-object cache, and the trace sink, behind one lock.
//!
//! Locking rule: the lock is only held for pure-Rust work. Python objects are read (and dropped)
//! outside it, because Python code can release the GIL and let another thread's callback run; that
//! callback would then block on the lock while holding the GIL the first thread needs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use codetracer_trace_types::{EventLogKind, FunctionId, Line, PathId, ThreadId, TraceLowLevelEvent};
use codetracer_trace_writer::trace_writer::TraceWriter;
use pyo3::prelude::*;

use codetracer_trace_types::ValueRecord;

use crate::capture::{module_name, ArgumentValue, Captured, CodeFacts, ReturnValue, StepCapture};
use crate::config::{TraceConfig, ValueLimits};
use crate::diagnostics::{self, Level};
use crate::encode::{Encoder, FxMap};
use crate::errors::{Error, Result};
use crate::fd_capture;
use crate::filter::{self, ValueKind, ValuePolicy};
use crate::io_events::{Cut, IoLines, Origin, Source, Stack, Stream};
use crate::monitoring;
use crate::writer::TraceSink;

/// A code object the recording follows, with the ids the trace knows it by.
pub struct RecordedCode {
    pub facts: CodeFacts,
    pub file_path: PathBuf,
    pub path_id: PathId,
    pub function_id: FunctionId,
    /// What the trace filters redact or drop among this code's values.
    pub policy: ValuePolicy,
}

/// What a callback should do with an event of a given code object.
pub enum Verdict {
    /// No recording is active (it stopped while this callback was running).
    Inactive,
    /// Filtered out: answer `DISABLE` so the event is not raised again for this location.
    Skip,
    /// Recorded code, but the activation path has not been entered yet: ignored for now.
    Dormant,
    Record(Arc<RecordedCode>, ValueLimits),
}

#[derive(Clone)]
enum CodeEntry {
    Skipped,
    Recorded(Arc<RecordedCode>),
}

struct Session {
    config: Arc<TraceConfig>,
    sink: TraceSink,
    encoder: Encoder,
    /// Keyed by code object address; `keep_alive` holds the objects so an address is never reused.
    codes: FxMap<usize, CodeEntry>,
    keep_alive: Vec<Py<PyAny>>,
    /// The format keys functions by name alone, so a second function with the same qualified name
    /// elsewhere gets its location appended.
    function_locations: HashMap<String, (PathId, i64)>,
    current_thread: u64,
    /// The thread that started the recording; the trace's `<toplevel>` call belongs to it.
    starting_thread: u64,
    known_threads: Vec<u64>,
    /// Recorded calls not yet returned, per thread: returns are only written for calls that were
    /// written, and the calls still open when recording stops are closed then, so the trace balances.
    open_calls: FxMap<u64, usize>,
    tool_id: u8,
    failure: Option<String>,
    /// Set once the trace reached its size limit or the disk filled up: nothing more is recorded.
    truncated: bool,
    /// False until the activation path is entered (always true without one).
    activated: bool,
    /// Line steps recorded so far.
    steps: u64,
    /// Output waiting for the end of its line.
    io: IoLines,
    /// The last step recorded, on any thread (without its frame): what output read from the descriptors
    /// belongs to.
    last_step: Origin,
}

/// What a finished recording reports back.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub steps: u64,
    pub truncated: Option<String>,
}

/// How a recording ends, for the closing events and the metadata.
#[derive(Debug, Default)]
pub struct Ending {
    /// The program's exit status, the value `<toplevel>` returns.
    pub exit_status: Option<i64>,
    /// An uncaught exception that ended the program, recorded as an error event.
    pub error: Option<String>,
}

static ACTIVE: Mutex<Option<Session>> = Mutex::new(None);
static RECORDINGS_STARTED: AtomicU64 = AtomicU64::new(0);

fn lock() -> MutexGuard<'static, Option<Session>> {
    // A panic while the lock was held is already reported as a recording failure; the data is still
    // consistent enough to finish the files.
    ACTIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

// `c_ulong` is 32 bits on Windows, so the conversion is not useless there.
#[allow(clippy::useless_conversion)]
fn current_thread_id() -> u64 {
    // SAFETY: a plain query of the calling thread's identifier, valid at any time.
    u64::from(unsafe { pyo3::ffi::PyThread_get_thread_ident() })
}

pub fn is_active() -> bool {
    lock().is_some()
}

pub fn start(py: Python<'_>, config: TraceConfig) -> Result<()> {
    if is_active() {
        return Err(Error::AlreadyTracing);
    }
    filter::reset();
    let mut sink = TraceSink::create(&config)?;
    let tool_id = monitoring::claim_tool_id(py)?;
    let thread = current_thread_id();
    // Names the thread the `<toplevel>` call (already written) runs on.
    TraceWriter::add_event(sink.writer(), TraceLowLevelEvent::ThreadStart(ThreadId(thread)));
    let mut slot = lock();
    // Checked again under the lock: another thread may have started a recording since `is_active` above.
    if slot.is_some() {
        drop(slot);
        monitoring::release(py, tool_id);
        return Err(Error::AlreadyTracing);
    }
    let earlier_recordings = RECORDINGS_STARTED.fetch_add(1, Ordering::Relaxed);
    let config_activated = config.activation_path.is_none();
    *slot = Some(Session {
        config: Arc::new(config),
        sink,
        encoder: Encoder::default(),
        codes: FxMap::default(),
        keep_alive: Vec::new(),
        function_locations: HashMap::new(),
        current_thread: thread,
        starting_thread: thread,
        known_threads: vec![thread],
        open_calls: FxMap::default(),
        tool_id,
        failure: None,
        truncated: false,
        activated: config_activated,
        steps: 0,
        io: IoLines::default(),
        last_step: Origin { thread, ..Origin::default() },
    });
    drop(slot);
    if let Err(err) = monitoring::install(py, tool_id, earlier_recordings > 0) {
        let session = lock().take();
        monitoring::release(py, tool_id);
        drop(session);
        return Err(err.into());
    }
    Ok(())
}

/// Stops the recording and completes the files. Stopping when nothing records does nothing.
///
/// The trace ends balanced: calls still running are returned, other threads exit, and `<toplevel>`
/// returns the exit status after an error event for an uncaught exception.
pub fn stop(py: Python<'_>, ending: Ending) -> Result<Summary> {
    let Some(mut session) = lock().take() else {
        return Ok(Summary::default());
    };
    monitoring::release(py, session.tool_id);
    session.write_ending(&ending);
    let summary = Summary { steps: session.steps, truncated: session.sink.truncation().map(str::to_string) };
    let Session { mut sink, failure, keep_alive, codes, .. } = session;
    filter::stats::write_into(&mut sink.settings);
    let finished = sink.finish(ending.exit_status);
    // Dropping Python references needs the GIL, which the caller holds.
    drop(codes);
    drop(keep_alive);
    finished?;
    match failure {
        Some(message) => Err(Error::RecordingFailed(message)),
        None => Ok(summary),
    }
}

/// Writes the events recorded so far to disk.
pub fn flush() -> Result<()> {
    match lock().as_mut() {
        Some(session) => session.sink.flush(),
        None => Ok(()),
    }
}

/// Before `fork()`: the trace writer's thread stops (its buffer written first), so the program forks
/// with its own threads only; the next buffer of events starts it again.
pub fn pause_writer_before_fork() -> Result<()> {
    match lock().as_mut() {
        Some(session) => session.sink.pause_writes(),
        None => Ok(()),
    }
}

/// In a child created by `fork()`, drops the inherited recording without touching its files: they
/// belong to the parent, which keeps writing them. Buffered events are leaked on purpose, since
/// flushing them would interleave the child's copy into the parent's trace.
pub fn abandon_after_fork(py: Python<'_>) {
    let Some(session) = lock().take() else {
        return;
    };
    monitoring::release(py, session.tool_id);
    let Session { sink, keep_alive, codes, .. } = session;
    std::mem::forget(sink);
    drop(codes);
    drop(keep_alive);
}

/// Remembers the first internal failure; the recording then skips everything until it is stopped,
/// where the failure is reported.
pub fn fail(message: String) {
    if let Some(session) = lock().as_mut() {
        if session.failure.is_none() {
            diagnostics::log(Level::Error, &format!("recording disabled after an internal error: {message}"));
            session.failure = Some(message);
        }
    }
}

pub fn classify(code: &Bound<'_, PyAny>) -> Result<Verdict> {
    let key = code.as_ptr() as usize;
    let config = {
        let mut guard = lock();
        let Some(session) = guard.as_mut() else {
            return Ok(Verdict::Inactive);
        };
        if session.failure.is_some() || session.truncated {
            return Ok(Verdict::Skip);
        }
        if let Some(entry) = session.codes.get(&key) {
            let entry = entry.clone();
            return Ok(session.verdict(&entry));
        }
        Arc::clone(&session.config)
    };

    // First event of this code object: read its facts and ask the filters without holding the lock.
    let facts = CodeFacts::read(code)?;
    let mut recorded = config.is_recorded(&facts.file_name);
    let mut policy = ValuePolicy::default();
    let is_module_code = facts.qualname == "<module>";
    let module =
        if recorded && (is_module_code || config.resolver.is_some()) { module_name(code.py(), code) } else { None };
    // Module code is named after its module, as 0.3.0 names it: `<__main__>`, `<pkg.mod>`.
    let function_name = module.as_ref().filter(|_| is_module_code).map(|module| format!("<{module}>"));
    if let (true, Some(resolver)) = (recorded, &config.resolver) {
        let names = [
            (ValueKind::Argument, facts.argument_names.iter().map(|name| name.to_string()).collect()),
            (ValueKind::Local, facts.local_names.clone()),
            (
                ValueKind::Global,
                facts
                    .namespace_names
                    .as_ref()
                    .unwrap_or(&facts.global_names)
                    .iter()
                    .map(|name| name.to_string())
                    .collect(),
            ),
        ];
        match filter::resolve(resolver.bind(code.py()), &facts, module.as_deref(), &names)? {
            Some(resolved) => policy = resolved,
            None => recorded = false,
        }
    }
    let file_path = absolute_path(&facts.file_name);
    let keep = code.clone().unbind();

    // `keep` and `facts` are declared before the guard, so on the early returns below they are dropped
    // after the lock is released.
    let mut guard = lock();
    let Some(session) = guard.as_mut() else {
        return Ok(Verdict::Inactive);
    };
    if let Some(entry) = session.codes.get(&key) {
        let entry = entry.clone();
        return Ok(session.verdict(&entry));
    }
    let entry = if recorded {
        CodeEntry::Recorded(Arc::new(session.register_code(facts, function_name, file_path, policy)))
    } else {
        filter::stats::count_skipped_scope();
        CodeEntry::Skipped
    };
    let result = session.verdict(&entry);
    session.codes.insert(key, entry);
    session.keep_alive.push(keep);
    Ok(result)
}

fn absolute_path(file_name: &str) -> PathBuf {
    let path = Path::new(file_name);
    if file_name.starts_with('<') || path.is_absolute() {
        return path.to_path_buf();
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Runs `record` against the active session, if there still is one.
fn with_session(record: impl FnOnce(&mut Session) -> Result<()>) -> Result<()> {
    let mut guard = lock();
    match guard.as_mut() {
        Some(session) if session.failure.is_none() && !session.truncated => {
            // The events are collected in memory and written by the sink, which turns a full disk into a
            // truncation itself (see `writer`).
            record(session)?;
            session.sink.flush_if_due()?;
            if let Some(reason) = session.sink.truncation() {
                session.truncated = true;
                diagnostics::log(Level::Warn, &format!("recording stopped, the trace is truncated: {reason}"));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

pub fn record_call(code: &RecordedCode, arguments: Vec<ArgumentValue>) -> Result<()> {
    with_session(|session| {
        session.enter_call();
        session.switch_thread();
        // The function was registered at this place (see `register_code`): the step the format puts before a call.
        let first_line = (code.path_id, code.facts.first_line);
        crate::encode::write_call(&mut session.encoder, &mut session.sink, code.function_id, first_line, arguments)
    })
}

pub fn record_step(code: &RecordedCode, line: i64, variables: StepCapture) -> Result<()> {
    with_session(|session| {
        session.switch_thread();
        if fd_capture::ACTIVE.load(Ordering::Relaxed) {
            // Output the previous line sent straight to fds 1 and 2 belongs before this step.
            session.write_output_events(fd_capture::drain_now());
        }
        if session.io.has_pending() {
            // This thread's unfinished lines end at its step boundary, as 0.3.0 cuts them.
            session.io.before_step(session.sink.writer(), session.current_thread);
        }
        // No frame id: reading it here could create the frame object under the lock (see the module
        // comment); 0.3.0's descriptor events have none either.
        session.last_step =
            Origin { thread: session.current_thread, path_id: Some(code.path_id), line: Some(line), frame_id: None };
        session.steps += 1;
        crate::encode::write_step(&mut session.encoder, &mut session.sink, code.path_id, line, variables)
    })
}

/// A thread the recording saw has ended (its thread state is being cleared): returns for the calls it
/// left open, then its `ThreadExit`, before any event another thread records after it.
pub fn record_thread_exit(thread: u64) {
    let _ = with_session(|session| {
        session.exit_thread(thread);
        Ok(())
    });
}

/// Output written or input read by the program through `sys.stdout`/`sys.stderr`/`sys.stdin`, as
/// events after the step that made it (see `io_events`). `stack` is the writing thread's, innermost
/// first: the first frame running recorded code is the one whose step this is. Returns false, recording
/// nothing, when `stack` is `partial` and none of its frames is recorded: the caller reads more of it.
pub fn record_io(stream: Stream, text: &str, stack: &Stack<'_>, partial: bool) -> Result<bool> {
    let mut complete = true;
    with_session(|session| {
        if !session.activated {
            return Ok(());
        }
        let origin = session.origin_in(stack);
        if partial && origin.path_id.is_none() {
            complete = false;
            return Ok(());
        }
        session.switch_thread();
        let writer = session.sink.writer();
        match stream {
            Stream::Stdin => session.io.input(writer, text, origin),
            _ => session.io.output(writer, Source::Proxy(origin.thread), stream, text, origin),
        }
        Ok(())
    })?;
    Ok(complete)
}

/// `flush()` on `sys.stdout`/`sys.stderr`: the thread's unfinished line on `stream` is an event now.
pub fn flush_io(stream: Stream) -> Result<()> {
    let source = Source::Proxy(current_thread_id());
    with_session(|session| {
        if session.io.is_pending(source, stream) {
            session.switch_thread();
            session.io.flush(session.sink.writer(), source, stream, Cut::Flush);
        }
        Ok(())
    })
}

/// Output that reached fds 1 or 2 while no line ran, read by the fd capture's own thread: `drain` runs
/// under the recording's lock, so nothing else is recorded between the write and its event. The thread
/// is not one of the program's, so there is no thread switch. Without a recording the pipe is still
/// drained, since the program's output must go on.
pub fn record_fd_output(drain: &mut dyn FnMut() -> Vec<fd_capture::Output>) {
    let mut drained = false;
    let written = with_session(|session| {
        drained = true;
        let outputs = drain();
        session.write_output_events(outputs);
        Ok(())
    });
    if !drained {
        drain();
    }
    if let Err(err) = written {
        fail(err.to_string());
    }
}

pub fn record_return(value: ReturnValue) -> Result<()> {
    with_session(|session| {
        if !session.leave_call() {
            return Ok(());
        }
        session.switch_thread();
        crate::encode::write_return(&mut session.encoder, &mut session.sink, value)
    })
}

impl Session {
    fn verdict(&mut self, entry: &CodeEntry) -> Verdict {
        match entry {
            CodeEntry::Skipped => Verdict::Skip,
            CodeEntry::Recorded(code) => {
                if !self.activated {
                    // Recording starts at the first event of code in the activation file.
                    if self.config.activation_path.as_deref() != Some(code.file_path.as_path()) {
                        return Verdict::Dormant;
                    }
                    self.activated = true;
                }
                Verdict::Record(Arc::clone(code), self.config.limits)
            }
        }
    }

    /// `function_name`: the name the trace gives the code, when it is not its qualified name.
    fn register_code(
        &mut self,
        facts: CodeFacts,
        function_name: Option<String>,
        file_path: PathBuf,
        policy: ValuePolicy,
    ) -> RecordedCode {
        let file_path = file_path.as_path();
        let writer = self.sink.writer();
        let path_id = TraceWriter::ensure_path_id(writer, file_path);
        let location = (path_id, facts.first_line);
        let function_name = function_name.unwrap_or_else(|| facts.qualname.clone());
        let name = match self.function_locations.get(&function_name) {
            Some(known) if *known != location => {
                format!("{} ({}:{})", function_name, file_path.display(), facts.first_line)
            }
            _ => function_name,
        };
        self.function_locations.entry(name.clone()).or_insert(location);
        let function_id = TraceWriter::ensure_function_id(writer, &name, file_path, Line(facts.first_line));
        RecordedCode { facts, file_path: file_path.to_path_buf(), path_id, function_id, policy }
    }

    /// What the fd capture read from the descriptors, as output of the last step recorded.
    fn write_output_events(&mut self, outputs: Vec<fd_capture::Output>) {
        if !self.activated {
            return;
        }
        for (_, name, content) in outputs {
            if let Some(stream) = Stream::parse(&name) {
                self.io.output(self.sink.writer(), Source::Descriptor, stream, &content, self.last_step);
            }
        }
    }

    /// Where IO made by code with this `stack` comes from: the innermost frame running recorded code.
    fn origin_in(&self, stack: &Stack<'_>) -> Origin {
        let mut origin = Origin { thread: current_thread_id(), ..Origin::default() };
        let recorded = stack.codes().enumerate().find_map(|(index, code)| match self.codes.get(&code) {
            Some(CodeEntry::Recorded(code)) => Some((code.path_id, index)),
            _ => None,
        });
        if let Some((path_id, index)) = recorded {
            let (frame_id, line) = stack.place(index);
            origin.path_id = Some(path_id);
            origin.line = Some(line);
            origin.frame_id = Some(frame_id);
        }
        origin
    }

    fn switch_thread(&mut self) {
        let thread = current_thread_id();
        if thread == self.current_thread {
            return;
        }
        self.current_thread = thread;
        let event = if self.known_threads.contains(&thread) {
            TraceLowLevelEvent::ThreadSwitch(ThreadId(thread))
        } else {
            self.known_threads.push(thread);
            TraceLowLevelEvent::ThreadStart(ThreadId(thread))
        };
        TraceWriter::add_event(self.sink.writer(), event);
    }

    fn enter_call(&mut self) {
        *self.open_calls.entry(current_thread_id()).or_insert(0) += 1;
    }

    /// Whether the frame being left had its call recorded.
    fn leave_call(&mut self) -> bool {
        match self.open_calls.get_mut(&current_thread_id()) {
            Some(calls) if *calls > 0 => {
                *calls -= 1;
                true
            }
            _ => false,
        }
    }

    fn exit_thread(&mut self, thread: u64) {
        if thread == self.starting_thread || !self.known_threads.contains(&thread) {
            return;
        }
        let writer = self.sink.writer();
        if thread != self.current_thread {
            TraceWriter::add_event(writer, TraceLowLevelEvent::ThreadSwitch(ThreadId(thread)));
        }
        self.io.flush_source(writer, Source::Proxy(thread));
        let still_running = Captured::Error("still running when its thread ended".into());
        for _ in 0..self.open_calls.remove(&thread).unwrap_or(0) {
            let record = self.encoder.encode(writer, &still_running);
            TraceWriter::register_return(writer, record);
        }
        TraceWriter::add_event(writer, TraceLowLevelEvent::ThreadExit(ThreadId(thread)));
        self.known_threads.retain(|known| *known != thread);
        // No thread is current: the next event names its thread, even one reusing this identifier.
        self.current_thread = 0;
    }

    /// The closing events: every call still open returns, every other thread exits, then the
    /// starting thread's `<toplevel>` returns the exit status.
    fn write_ending(&mut self, ending: &Ending) {
        let writer = self.sink.writer();
        let still_running = self.encoder.encode(writer, &Captured::Error(crate::writer::STILL_RUNNING.into()));
        let mut threads: Vec<u64> = self.known_threads.clone();
        // The starting thread last, so `<toplevel>` is the final return.
        threads.sort_by_key(|thread| *thread == self.starting_thread);
        for thread in threads {
            let open = self.open_calls.get(&thread).copied().unwrap_or(0);
            if thread != self.current_thread && (open > 0 || thread != self.starting_thread) {
                TraceWriter::add_event(writer, TraceLowLevelEvent::ThreadSwitch(ThreadId(thread)));
                self.current_thread = thread;
            }
            if thread != self.starting_thread {
                self.io.flush_source(writer, Source::Proxy(thread));
            }
            for _ in 0..open {
                TraceWriter::register_return(writer, still_running.clone());
            }
            if thread != self.starting_thread {
                TraceWriter::add_event(writer, TraceLowLevelEvent::ThreadExit(ThreadId(thread)));
            }
        }
        self.open_calls.clear();
        if self.current_thread != self.starting_thread {
            TraceWriter::add_event(writer, TraceLowLevelEvent::ThreadSwitch(ThreadId(self.starting_thread)));
            self.current_thread = self.starting_thread;
        }
        // Unfinished lines end with the recording, as at a step boundary.
        self.io.flush_source(writer, Source::Proxy(self.starting_thread));
        self.io.flush_source(writer, Source::Descriptor);
        if let Some(error) = &ending.error {
            TraceWriter::register_special_event(writer, EventLogKind::Error, error);
        }
        let exit_value = match ending.exit_status {
            Some(status) => ValueRecord::Int { i: status, type_id: self.encoder.int_type(writer) },
            // 0.3.0's placeholder for an exit status nobody gave (`stop()` through the API), the same
            // text as the metadata's `process_exit_status.label` then.
            None => self.encoder.encode(writer, &Captured::Str(crate::writer::UNKNOWN_EXIT_LABEL.to_string())),
        };
        TraceWriter::register_return(writer, exit_value);
    }
}
