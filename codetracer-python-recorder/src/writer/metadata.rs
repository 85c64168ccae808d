use std::path::Path;

use codetracer_trace_types::TraceMetadata;
use serde_json::{json, Map, Value};

use crate::config::Format;

pub const RECORDER_NAME: &str = "codetracer-python-recorder";
/// How 0.3.0 spelled the recorder's name in `recorder.name` (its module name); tools written against 0.3.0's
/// metadata compare with it. The distribution's name is in `recorder.package`.
const RECORDER_NAME_0_3_0: &str = "codetracer_python_recorder";
/// 0.3.0's `process_exit_status.label` when it did not know the exit code; `<toplevel>` returns the same text then.
pub const UNKNOWN_EXIT_LABEL: &str = "<exit>";

/// Writes `trace_metadata.json`: the format crate's metadata fields (workdir, program, args) plus what
/// that type has no field for: the recorder, the events format, the program's exit status, and the
/// recording's settings and outcome (size limit, truncation, filters, IO capture). 0.3.0's fields are written
/// too, with the same values in 0.3.0's shapes, so a tool written against 0.3.0's metadata keeps working:
/// `process_exit_status` (beside `exit_status`) and `recorder.target_script`.
pub fn write(
    path: &Path,
    workdir: &Path,
    program: &str,
    args: &[String],
    format: Format,
    exit_status: Option<i64>,
    settings: Map<String, Value>,
) -> std::io::Result<()> {
    let base = TraceMetadata { workdir: workdir.to_path_buf(), program: program.to_string(), args: args.to_vec() };
    let mut document = serde_json::to_value(&base)?;
    if let Value::Object(fields) = &mut document {
        fields.insert(
            "recorder".into(),
            json!({
                "name": RECORDER_NAME_0_3_0,
                "package": RECORDER_NAME,
                "version": env!("CARGO_PKG_VERSION"),
                "target_script": program,
            }),
        );
        fields.insert(
            "format".into(),
            json!(match format {
                Format::Json => "json",
                Format::Binary => "binary",
            }),
        );
        fields.insert("exit_status".into(), json!(exit_status));
        let label = if exit_status.is_none() { Some(UNKNOWN_EXIT_LABEL) } else { None };
        fields.insert("process_exit_status".into(), json!({ "code": exit_status, "label": label }));
        fields.extend(settings);
    }
    let text = serde_json::to_string_pretty(&document)?;
    std::fs::write(path, text + "\n")
}
