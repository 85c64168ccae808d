//! The events file's writes (and, in binary, its compression) on a thread of their own, so the program's
//! thread goes on recording while the previous buffer of events is compressed and written: on a machine
//! with a second core that work leaves the program's time.
//!
//! One buffer at most is in flight, and the next is handed over only once it is done: memory stays at
//! two buffers, and every outcome is known one buffer late at most (see [`Background::submit`]).
//!
//! The thread can be stopped and started again ([`Background::pause`]): before the program forks, so
//! the process it forks from has only the program's own threads. CPython 3.12 and later warn on the
//! program's stderr about a fork from a multi-threaded process, and the child would inherit none of
//! the thread anyway.

use std::io;
use std::mem;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

/// What the thread does with each buffer of whole events: writes it to the file, returning the
/// length of the file's complete part afterwards.
pub trait Output: Send + 'static {
    fn write(&mut self, events: &[u8]) -> io::Result<u64>;
}

/// A buffer's outcome, with the buffer handed back (emptied) for reuse.
type Done = (Vec<u8>, io::Result<u64>);

struct Running<O: Output> {
    to_thread: SyncSender<Vec<u8>>,
    from_thread: Receiver<Done>,
    thread: JoinHandle<O>,
}

/// `S`: what the events up to the end of a buffer add up to (see [`super::ledger::Shape`]), handed
/// over with each buffer, so the caller knows what the file holds once the disk filled up.
pub struct Background<O: Output, S> {
    running: Option<Running<O>>,
    /// The output while no thread holds it (paused, or between `spawn` and the first buffer).
    parked: Option<O>,
    /// Length and shape of the buffer the thread has not answered for yet.
    in_flight: Option<(usize, S)>,
    /// The last buffer's outcome when the thread was paused before anyone asked for it.
    answered: Option<io::Result<u64>>,
    /// An emptied buffer, ready to take the next events.
    spare: Vec<u8>,
    /// The shape of the buffers written whole. It stops at the first buffer that failed: the output
    /// drops every buffer after that one, so the file ends there.
    written: S,
    failed: bool,
}

impl<O: Output, S> Background<O, S> {
    /// The thread itself starts with the first buffer handed over. `empty`: the shape of no events.
    pub fn spawn(output: O, empty: S) -> io::Result<Background<O, S>> {
        Ok(Background {
            running: None,
            parked: Some(output),
            in_flight: None,
            answered: None,
            spare: Vec::new(),
            written: empty,
            failed: false,
        })
    }

    fn start(&mut self) -> io::Result<&Running<O>> {
        if self.running.is_none() {
            let mut output = self.parked.take().ok_or_else(stopped)?;
            let (to_thread, buffers) = sync_channel::<Vec<u8>>(1);
            let (answers, from_thread) = sync_channel::<Done>(1);
            let thread = std::thread::Builder::new().name("codetracer-writer".into()).spawn(move || {
                for mut events in buffers {
                    let outcome = output.write(&events);
                    events.clear();
                    if answers.send((events, outcome)).is_err() {
                        break;
                    }
                }
                output
            })?;
            self.running = Some(Running { to_thread, from_thread, thread });
        }
        Ok(self.running.as_ref().expect("started above"))
    }

    /// Length of the buffer being written, if one is.
    pub fn in_flight(&self) -> Option<usize> {
        self.in_flight.as_ref().map(|(length, _)| *length)
    }

    /// Hands `events` (whose end has shape `shape`) to the thread once the buffer before them is done,
    /// and returns that buffer's outcome. `events` is left empty (with the capacity of an earlier buffer).
    pub fn submit(&mut self, events: &mut Vec<u8>, shape: S) -> Option<io::Result<u64>> {
        let earlier = self.wait();
        let length = events.len();
        let buffer = mem::replace(events, mem::take(&mut self.spare));
        match self.start().and_then(|running| running.to_thread.send(buffer).map_err(|_| stopped())) {
            Ok(()) => self.in_flight = Some((length, shape)),
            Err(err) => return Some(Err(err)),
        }
        earlier
    }

    /// Waits for the buffer in flight, if there is one, and returns its outcome.
    pub fn wait(&mut self) -> Option<io::Result<u64>> {
        let (_, shape) = self.in_flight.take()?;
        let outcome = self.answered.take().unwrap_or_else(|| self.receive());
        match &outcome {
            Ok(_) if !self.failed => self.written = shape,
            Ok(_) => {}
            Err(_) => self.failed = true,
        }
        Some(outcome)
    }

    /// The thread's answer for the buffer it holds.
    fn receive(&mut self) -> io::Result<u64> {
        let answer = self.running.as_ref().map(|running| running.from_thread.recv());
        match answer {
            Some(Ok((buffer, outcome))) => {
                self.spare = buffer;
                outcome
            }
            _ => Err(stopped()),
        }
    }

    /// Ends the thread once the buffer in flight is written, keeping the output for the next buffer,
    /// which starts a new thread. That buffer's outcome is kept for the next [`Self::wait`].
    pub fn pause(&mut self) -> io::Result<()> {
        if self.running.is_none() {
            return Ok(());
        }
        // The buffer counts as in flight until its outcome is asked for, as if the thread still ran.
        if self.in_flight.is_some() && self.answered.is_none() {
            self.answered = Some(self.receive());
        }
        let Running { to_thread, thread, .. } = self.running.take().expect("checked above");
        // Closing the channel ends the thread's loop.
        drop(to_thread);
        let output = thread.join().map_err(|_| io::Error::other("the trace writer thread panicked"))?;
        self.parked = Some(output);
        Ok(())
    }

    /// Waits for the last buffer, ends the thread and returns the output with that buffer's outcome and
    /// the shape of the buffers written.
    pub fn finish(mut self) -> io::Result<(O, Option<io::Result<u64>>, S)>
    where
        S: Default,
    {
        let last = self.wait();
        self.pause()?;
        let output = self.parked.take().ok_or_else(stopped)?;
        Ok((output, last, mem::take(&mut self.written)))
    }
}

impl<O: Output, S> Drop for Background<O, S> {
    fn drop(&mut self) {
        if let Some(Running { to_thread, thread, .. }) = self.running.take() {
            // Closing the channel ends the thread once it is done with the buffer it holds.
            drop(to_thread);
            let _ = thread.join();
        }
    }
}

fn stopped() -> io::Error {
    io::Error::other("the trace writer thread stopped")
}
