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
    /// Set once a batch did not fit, to its error: the batches after it are dropped, so the array holds
    /// no gap.
    dropped: Option<io::Error>,
}

impl Output for JsonFile {
    fn write(&mut self, batch: &[u8]) -> io::Result<u64> {
        if self.dropped.is_none() {
            if let Err(err) = self.write_batch(batch) {
                self.dropped = Some(io::Error::new(err.kind(), err.to_string()));
                return Err(err);
            }
        }
        Ok(self.committed)
    }
}

impl JsonFile {
    pub fn create(mut file: File) -> io::Result<JsonFile> {
        file.write_all(JSON_OPENING)?;
        Ok(JsonFile { file, committed: JSON_OPENING.len() as u64, dropped: None })
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

    /// The error that made the batches after it dropped, if one did.
    pub fn dropped(&self) -> Option<io::Error> {
        self.dropped.as_ref().map(|err| io::Error::new(err.kind(), err.to_string()))
    }

    /// Ends the array after `last` (events, with or without a separator before the first), all or
    /// nothing: when they do not fit, the file is cut back to what it held before and the error returned.
    pub fn end_with(&mut self, last: &[u8]) -> io::Result<()> {
        let last = last.strip_prefix(SEPARATOR).unwrap_or(last);
        let mut ending = Vec::with_capacity(last.len() + SEPARATOR.len() + JSON_CLOSING.len());
        if !last.is_empty() && self.committed > JSON_OPENING.len() as u64 {
            ending.extend_from_slice(SEPARATOR);
        }
        ending.extend_from_slice(last);
        ending.extend_from_slice(JSON_CLOSING);
        let written = self.file.write_all(&ending).and_then(|()| self.file.flush());
        if written.is_err() {
            self.cut_to_committed()?;
        }
        written
    }

    /// Empties the array, to make room for a trace of the opening and closing events only.
    pub fn restart(&mut self) -> io::Result<()> {
        self.committed = JSON_OPENING.len() as u64;
        self.cut_to_committed()
    }
}
