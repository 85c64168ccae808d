//! The JSON events file's own side, owned by the writer thread (see [`super::background`]): it writes
//! each batch of events and keeps the file ending after a whole event when the disk fills up.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

use super::background::Output;
use super::is_out_of_space;

pub const JSON_OPENING: &[u8] = b"[\n";
const JSON_CLOSING: &[u8] = b"\n]\n";
const SEPARATOR: &[u8] = b",\n";

pub struct JsonFile {
    file: File,
    /// Length of the file's complete part: the opening and the batches written.
    committed: u64,
    /// Set once a batch did not fit: the batches after it are dropped, so the array holds no gap.
    full: bool,
}

impl Output for JsonFile {
    fn write(&mut self, batch: &[u8]) -> io::Result<u64> {
        if !self.full {
            if let Err(err) = self.write_batch(batch) {
                self.full = true;
                return Err(err);
            }
        }
        Ok(self.committed)
    }
}

impl JsonFile {
    pub fn create(mut file: File) -> io::Result<JsonFile> {
        file.write_all(JSON_OPENING)?;
        Ok(JsonFile { file, committed: JSON_OPENING.len() as u64, full: false })
    }

    /// Writes one batch of events. When the disk is full the file is cut back to its last complete
    /// event and the error returned; any other error is returned as it is.
    fn write_batch(&mut self, batch: &[u8]) -> io::Result<()> {
        match self.file.write_all(batch) {
            Ok(()) => {
                self.committed += batch.len() as u64;
                Ok(())
            }
            Err(err) if is_out_of_space(&err) => {
                self.cut_to_committed()?;
                Err(err)
            }
            Err(err) => Err(err),
        }
    }

    fn cut_to_committed(&mut self) -> io::Result<()> {
        self.file.set_len(self.committed)?;
        self.file.seek(SeekFrom::Start(self.committed))?;
        Ok(())
    }

    /// Writes the last batch (the recording's closing events, even after a full disk) and ends the
    /// array. Returns the error that made it drop events, if one did; `dropped`: one that already did.
    pub fn finish(&mut self, last: &[u8], mut dropped: Option<io::Error>) -> io::Result<Option<io::Error>> {
        // Every batch but the first starts with a separator: without an event before it, it goes.
        let last = match last.strip_prefix(SEPARATOR) {
            Some(rest) if self.committed == JSON_OPENING.len() as u64 => rest,
            _ => last,
        };
        if let Err(err) = self.write_batch(last) {
            if !is_out_of_space(&err) {
                return Err(err);
            }
            dropped.get_or_insert(err);
        }
        let mut closing = self.file.write_all(JSON_CLOSING).and_then(|()| self.file.flush());
        if closing.as_ref().is_err_and(is_out_of_space) {
            // No room for the closing events: drop them and end the array after the last whole event.
            closing = self.cut_to_committed().and_then(|()| self.file.write_all(JSON_CLOSING));
        }
        closing.map(|()| dropped)
    }
}
