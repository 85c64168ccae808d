//! The events file's writes (and, in binary, its compression) on a thread of their own, so the program's
//! thread goes on recording while the previous buffer of events is compressed and written: on a machine
//! with a second core that work leaves the program's time.
//!
//! One buffer at most is in flight, and the next is handed over only once it is done: memory stays at
//! two buffers, and every outcome is known one buffer late at most (see [`Background::submit`]).

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

pub struct Background<O: Output> {
    to_thread: Option<SyncSender<Vec<u8>>>,
    from_thread: Receiver<Done>,
    thread: Option<JoinHandle<O>>,
    /// Length of the buffer the thread has not answered for yet.
    in_flight: Option<usize>,
    /// An emptied buffer, ready to take the next events.
    spare: Vec<u8>,
}

impl<O: Output> Background<O> {
    pub fn spawn(mut output: O) -> io::Result<Background<O>> {
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
        Ok(Background {
            to_thread: Some(to_thread),
            from_thread,
            thread: Some(thread),
            in_flight: None,
            spare: Vec::new(),
        })
    }

    /// Length of the buffer being written, if one is.
    pub fn in_flight(&self) -> Option<usize> {
        self.in_flight
    }

    /// Hands `events` to the thread once the buffer before them is done, and returns that buffer's
    /// outcome. `events` is left empty (with the capacity of an earlier buffer).
    pub fn submit(&mut self, events: &mut Vec<u8>) -> Option<io::Result<u64>> {
        let earlier = self.wait();
        let length = events.len();
        let buffer = mem::replace(events, mem::take(&mut self.spare));
        match self.to_thread.as_ref().map(|sender| sender.send(buffer)) {
            Some(Ok(())) => self.in_flight = Some(length),
            _ => return Some(Err(stopped())),
        }
        earlier
    }

    /// Waits for the buffer in flight, if there is one, and returns its outcome.
    pub fn wait(&mut self) -> Option<io::Result<u64>> {
        self.in_flight.take()?;
        match self.from_thread.recv() {
            Ok((buffer, outcome)) => {
                self.spare = buffer;
                Some(outcome)
            }
            Err(_) => Some(Err(stopped())),
        }
    }

    /// Waits for the last buffer, ends the thread and returns the output with that buffer's outcome.
    pub fn finish(mut self) -> io::Result<(O, Option<io::Result<u64>>)> {
        let last = self.wait();
        self.to_thread = None;
        let thread = self.thread.take().expect("the thread is joined only here");
        let output = thread.join().map_err(|_| io::Error::other("the trace writer thread panicked"))?;
        Ok((output, last))
    }
}

impl<O: Output> Drop for Background<O> {
    fn drop(&mut self) {
        // Closing the channel ends the thread once it is done with the buffer it holds.
        self.to_thread = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn stopped() -> io::Error {
    io::Error::other("the trace writer thread stopped")
}
