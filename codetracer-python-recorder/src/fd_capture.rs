//! `--io-capture proxies+fd`: output that reaches file descriptors 1 and 2 without passing through
//! `sys.stdout`/`sys.stderr` (`os.write(1, ...)`, C extensions, child processes that inherited them).
//!
//! The Python facade points fds 1 and 2 at pipes. Everything written to them, the proxies' text
//! included, flows through the pipes in the order it was written and is passed on unchanged to the
//! original destinations, so the program's output stays as it was. The proxies announce the bytes they
//! send (`expect`); what arrives unannounced is recorded as an output event. The pipes are drained
//! before every step is written, and a thread per pipe passes on what arrives while no Python line runs
//! (a child process writing, a wait). Both drain under the recording's lock, so a write always lands
//! before the next step: right after the step whose line produced it.
//! Only the reading ends are owned here; the facade creates the pipes and restores the descriptors.

use std::collections::VecDeque;

/// Announced bytes not seen yet are forgotten past this size (a stream whose bytes never reach the fd,
/// such as one with another encoding, must not grow without bound).
const MAX_EXPECTED_BYTES: usize = 1 << 20;

/// The bytes the proxies announced for one stream, in the order they were written.
#[derive(Default)]
pub struct Expected {
    writes: VecDeque<Vec<u8>>,
    /// How much of the first write has already been seen.
    seen: usize,
    total: usize,
}

impl Expected {
    pub fn push(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.total += bytes.len();
        self.writes.push_back(bytes.to_vec());
        while self.total > MAX_EXPECTED_BYTES {
            let Some(dropped) = self.writes.pop_front() else { break };
            self.total -= dropped.len() - self.seen;
            self.seen = 0;
        }
    }

    fn pending(&self) -> Option<&[u8]> {
        self.writes.front().map(|write| &write[self.seen..])
    }

    fn consume(&mut self, count: usize) {
        self.seen += count;
        self.total -= count;
        if self.writes.front().is_some_and(|write| self.seen == write.len()) {
            self.writes.pop_front();
            self.seen = 0;
        }
    }

    /// The bytes of `chunk` that no proxy announced. An announced write matches only where the chunk
    /// carries it (or the start of it, at the chunk's end), so a raw write that merely begins with
    /// the same byte is not mistaken for it.
    pub fn unannounced(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut raw = Vec::new();
        let mut at = 0;
        while at < chunk.len() {
            let Some(pending) = self.pending() else {
                raw.extend_from_slice(&chunk[at..]);
                break;
            };
            let length = pending.len().min(chunk.len() - at);
            if chunk[at..at + length] == pending[..length] {
                self.consume(length);
                at += length;
                continue;
            }
            let first = pending[0];
            let next =
                chunk[at + 1..].iter().position(|byte| *byte == first).map_or(chunk.len(), |offset| at + 1 + offset);
            raw.extend_from_slice(&chunk[at..next]);
            at = next;
        }
        raw
    }
}

/// Reads a pipe under the recording's lock and records what it returns (`session::record_fd_output`).
pub type Recorder = fn(&mut dyn FnMut() -> Vec<Output>);

/// An output event: its kind, the stream's name, the text.
pub type Output = (codetracer_trace_types::EventLogKind, String, String);

/// Text from raw bytes, keeping an incomplete UTF-8 sequence at the end for the next chunk.
pub fn decode(carry: &mut Vec<u8>, bytes: &[u8]) -> String {
    carry.extend_from_slice(bytes);
    let complete = match std::str::from_utf8(carry) {
        Ok(_) => carry.len(),
        Err(error) if error.error_len().is_none() => error.valid_up_to(),
        Err(_) => carry.len(),
    };
    let text = String::from_utf8_lossy(&carry[..complete]).into_owned();
    carry.drain(..complete);
    text
}

#[cfg(unix)]
mod pipes {
    use std::fs::File;
    use std::io::{ErrorKind, Read, Write};
    use std::mem::ManuallyDrop;
    use std::os::fd::{FromRawFd, RawFd};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex, MutexGuard};
    use std::thread::JoinHandle;
    use std::time::{Duration, Instant};

    use codetracer_trace_types::EventLogKind;

    use super::{decode, Expected, Output, Recorder};

    /// One captured descriptor: the pipe's reading end and where its bytes go on to.
    struct Stream {
        name: String,
        kind: EventLogKind,
        read_end: RawFd,
        forward_to: RawFd,
        state: Mutex<StreamState>,
    }

    #[derive(Default)]
    struct StreamState {
        expected: Expected,
        carry: Vec<u8>,
        closed: bool,
    }

    struct Capture {
        streams: Vec<Arc<Stream>>,
        readers: Vec<JoinHandle<()>>,
        stopping: Arc<AtomicBool>,
    }

    static CAPTURE: Mutex<Option<Capture>> = Mutex::new(None);
    /// Whether a capture runs, read on every step without taking a lock.
    pub static ACTIVE: AtomicBool = AtomicBool::new(false);

    fn capture() -> MutexGuard<'static, Option<Capture>> {
        CAPTURE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn borrowed(fd: RawFd) -> ManuallyDrop<File> {
        // SAFETY: the descriptor stays open while the capture runs; `ManuallyDrop` never closes it.
        ManuallyDrop::new(unsafe { File::from_raw_fd(fd) })
    }

    impl Stream {
        /// Reads what is in the pipe now, passes it on, and returns the unannounced text as events.
        fn drain(&self) -> Vec<Output> {
            let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if state.closed {
                return Vec::new();
            }
            let mut raw = Vec::new();
            let mut buffer = [0u8; 16 * 1024];
            loop {
                match borrowed(self.read_end).read(&mut buffer) {
                    Ok(0) => {
                        state.closed = true;
                        break;
                    }
                    Ok(count) => {
                        // The program's output goes on whatever happens to the recording.
                        let _ = borrowed(self.forward_to).write_all(&buffer[..count]);
                        let unannounced = state.expected.unannounced(&buffer[..count]);
                        raw.extend_from_slice(&unannounced);
                    }
                    Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
            let StreamState { carry, .. } = &mut *state;
            let text = decode(carry, &raw);
            if text.is_empty() {
                return Vec::new();
            }
            vec![(self.kind, self.name.clone(), text)]
        }
    }

    fn wait_readable(fd: RawFd, timeout: Duration) {
        let mut poll = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd; a failure or timeout just means another loop round.
        unsafe { libc::poll(&mut poll, 1, timeout.as_millis() as libc::c_int) };
    }

    fn read_in_background(stream: Arc<Stream>, stopping: Arc<AtomicBool>, record: Recorder) {
        let mut deadline: Option<Instant> = None;
        loop {
            wait_readable(stream.read_end, Duration::from_millis(50));
            record(&mut || stream.drain());
            if stream.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).closed {
                return;
            }
            if stopping.load(Ordering::Acquire) {
                // A child process may still hold the pipe; it is not waited for long.
                let limit = *deadline.get_or_insert_with(|| Instant::now() + Duration::from_secs(2));
                if Instant::now() >= limit {
                    return;
                }
            }
        }
    }

    /// Starts passing on and recording `(stream name, reading end, original descriptor)` triples. The
    /// reading ends must be non-blocking.
    pub fn start(streams: Vec<(String, RawFd, RawFd)>, record: Recorder) {
        stop();
        let stopping = Arc::new(AtomicBool::new(false));
        let streams: Vec<Arc<Stream>> = streams
            .into_iter()
            .map(|(name, read_end, forward_to)| {
                let kind = if name == "stderr" { EventLogKind::WriteOther } else { EventLogKind::Write };
                Arc::new(Stream { name, kind, read_end, forward_to, state: Mutex::default() })
            })
            .collect();
        let readers = streams
            .iter()
            .map(|stream| {
                let (stream, stopping) = (Arc::clone(stream), Arc::clone(&stopping));
                std::thread::spawn(move || read_in_background(stream, stopping, record))
            })
            .collect();
        *capture() = Some(Capture { streams, readers, stopping });
        ACTIVE.store(true, Ordering::Release);
    }

    /// The proxies' bytes for `stream`, announced before they are written.
    pub fn expect(stream: &str, bytes: &[u8]) {
        if let Some(capture) = capture().as_ref() {
            for candidate in capture.streams.iter().filter(|candidate| candidate.name == stream) {
                candidate.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).expected.push(bytes);
            }
        }
    }

    /// What arrived unannounced since the last look, on every stream.
    pub fn drain_now() -> Vec<Output> {
        let streams = match capture().as_ref() {
            Some(capture) => capture.streams.clone(),
            None => return Vec::new(),
        };
        streams.iter().flat_map(|stream| stream.drain()).collect()
    }

    /// Waits for the pipes to empty (the facade has already put the descriptors back, so only child
    /// processes can still write) and closes their reading ends.
    pub fn stop() {
        ACTIVE.store(false, Ordering::Release);
        let Some(capture) = capture().take() else {
            return;
        };
        capture.stopping.store(true, Ordering::Release);
        for reader in capture.readers {
            let _ = reader.join();
        }
        for stream in capture.streams {
            // SAFETY: both descriptors were handed over by `start` and the reader threads are gone, so
            // nothing else uses them; owning them here closes them once.
            drop(unsafe { File::from_raw_fd(stream.read_end) });
            drop(unsafe { File::from_raw_fd(stream.forward_to) });
        }
    }
}

#[cfg(unix)]
pub use pipes::{drain_now, expect, start, stop, ACTIVE};

/// Whether this platform can capture descriptors (Unix: pipes and `poll`).
pub const SUPPORTED: bool = cfg!(unix);

#[cfg(not(unix))]
mod unsupported {
    use std::sync::atomic::AtomicBool;

    use super::{Output, Recorder};

    pub static ACTIVE: AtomicBool = AtomicBool::new(false);
    pub fn start(_streams: Vec<(String, i32, i32)>, _record: Recorder) {}
    pub fn expect(_stream: &str, _bytes: &[u8]) {}
    pub fn drain_now() -> Vec<Output> {
        Vec::new()
    }
    pub fn stop() {}
}

#[cfg(not(unix))]
pub use unsupported::{drain_now, expect, start, stop, ACTIVE};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_writes_are_left_out_and_the_rest_is_kept_in_order() {
        let mut expected = Expected::default();
        expected.push(b"hello\n");
        expected.push(b"world\n");
        assert_eq!(expected.unannounced(b"raw hel"), b"raw ".to_vec());
        assert_eq!(expected.unannounced(b"lo\nh"), b"h".to_vec());
        assert_eq!(expected.unannounced(b"world\nend"), b"end".to_vec());
    }

    #[test]
    fn a_raw_write_that_starts_like_an_announced_one_is_kept() {
        let mut expected = Expected::default();
        expected.push(b"hi there\n");
        assert_eq!(expected.unannounced(b"hx\nhi there\n"), b"hx\n".to_vec());
        assert_eq!(expected.unannounced(b"after"), b"after".to_vec());
    }

    #[test]
    fn incomplete_utf8_waits_for_the_next_chunk() {
        let mut carry = Vec::new();
        let bytes = "é!".as_bytes();
        assert_eq!(decode(&mut carry, &bytes[..1]), "");
        assert_eq!(decode(&mut carry, &bytes[1..]), "é!");
    }
}
