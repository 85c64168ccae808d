//! The recorder's own messages (a truncated trace, a recording stopped by an internal error): to
//! stderr by default, or to a log file, filtered by level (`--log-level`, `--log-file`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing is logged (0.3.0's `off`).
    Off,
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    pub fn parse(name: &str) -> Option<Level> {
        match name.to_ascii_lowercase().as_str() {
            "off" => Some(Level::Off),
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" | "trace" => Some(Level::Debug),
            _ => None,
        }
    }
}

struct Log {
    level: Level,
    file: Option<File>,
}

static LOG: Mutex<Log> = Mutex::new(Log { level: Level::Warn, file: None });

/// Sets the level and the destination (`None`: stderr). The file is appended to.
pub fn configure(level: Level, file: Option<&Path>) -> std::io::Result<()> {
    let file = match file {
        Some(path) => Some(OpenOptions::new().create(true).append(true).open(path)?),
        None => None,
    };
    let mut log = LOG.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    log.level = level;
    log.file = file;
    Ok(())
}

pub fn log(level: Level, message: &str) {
    let mut log = LOG.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if level > log.level {
        return;
    }
    let line = format!("codetracer-python-recorder: {message}\n");
    match &mut log.file {
        Some(file) => {
            let _ = file.write_all(line.as_bytes());
        }
        None => {
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
    }
}
