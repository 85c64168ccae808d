"""How the recorder behaves around a recording (0.3.0's "policy"): errors, exit status, logging, IO.

Set from ``CODETRACER_*`` environment variables (:func:`configure_policy_from_env`), by
:func:`configure_policy`, and by the command-line flags of the same names.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from . import _native
from .io_capture import IO_CAPTURE_MODES


@dataclass(frozen=True)
class RecorderPolicy:
    #: ``abort``: a recorder failure makes the command exit 1; ``disable``: it is reported and the
    #: program's own exit status stands.
    on_recorder_error: str = "abort"
    #: Exit 1 when the trace recorded no step (for example the activation path never ran).
    require_trace: bool = False
    #: Accepted for 0.3.0 compatibility: traces are always finished and kept.
    keep_partial_trace: bool = False
    log_level: str | None = None
    log_file: str | None = None
    #: Recorder errors are also printed as one JSON object per line on stderr.
    json_errors: bool = False
    io_capture: str = "proxies"
    #: The command exits with the program's exit status (0.3.0 exits 0 unless this is set).
    propagate_script_exit: bool = True
    #: Accepted for 0.3.0 compatibility: module names always come from the frame's ``__name__``.
    module_name_from_globals: bool = True


ENVIRONMENT = {
    "on_recorder_error": "CODETRACER_ON_RECORDER_ERROR",
    "require_trace": "CODETRACER_REQUIRE_TRACE",
    "keep_partial_trace": "CODETRACER_KEEP_PARTIAL_TRACE",
    "log_level": "CODETRACER_LOG_LEVEL",
    "log_file": "CODETRACER_LOG_FILE",
    "json_errors": "CODETRACER_JSON_ERRORS",
    "io_capture": "CODETRACER_CAPTURE_IO",
    "propagate_script_exit": "CODETRACER_PROPAGATE_SCRIPT_EXIT",
    "module_name_from_globals": "CODETRACER_MODULE_NAME_FROM_GLOBALS",
}

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")

_current = RecorderPolicy()


def _parse_flag(text: str, where: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{where}: expected true or false (1/0, yes/no, on/off), found {text!r}")


def _io_mode(value: object, where: str) -> str:
    text = str(value).strip().lower()
    if text in IO_CAPTURE_MODES:
        return text
    # 0.3.0 also took booleans and "proxies,fd".
    if text in ("proxies,fd", "fd"):
        return "proxies+fd"
    if text in _TRUE:
        return "proxies"
    if text in _FALSE:
        return "off"
    raise ValueError(f"{where}: expected one of {', '.join(IO_CAPTURE_MODES)}, found {value!r}")


def _checked(policy: RecorderPolicy) -> RecorderPolicy:
    if policy.on_recorder_error not in ("abort", "disable"):
        raise ValueError(f"on_recorder_error: expected 'abort' or 'disable', found {policy.on_recorder_error!r}")
    _native.configure_log(policy.log_level, policy.log_file)
    return policy


def configure_policy(**overrides: Any) -> None:
    """Changes the named policy fields (see :class:`RecorderPolicy`); also accepts 0.3.0's
    ``io_capture_line_proxies`` / ``io_capture_fd_fallback`` booleans."""
    global _current
    line_proxies = overrides.pop("io_capture_line_proxies", None)
    fd_fallback = overrides.pop("io_capture_fd_fallback", None)
    if line_proxies is not None or fd_fallback is not None:
        overrides["io_capture"] = "off" if not line_proxies else ("proxies+fd" if fd_fallback else "proxies")
    known = {field.name for field in fields(RecorderPolicy)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise TypeError(f"configure_policy: unknown option(s) {', '.join(unknown)}; expected {', '.join(sorted(known))}")
    if "io_capture" in overrides:
        overrides["io_capture"] = _io_mode(overrides["io_capture"], "io_capture")
    if overrides.get("log_file") is not None:
        overrides["log_file"] = os.fspath(overrides["log_file"])
    _current = _checked(replace(_current, **overrides))


def configure_policy_from_env(environ: dict[str, str] | None = None) -> None:
    """Applies the ``CODETRACER_*`` variables that are set."""
    environ = os.environ if environ is None else environ
    overrides: dict[str, Any] = {}
    for name, variable in ENVIRONMENT.items():
        if variable not in environ:
            continue
        text = environ[variable]
        default = getattr(RecorderPolicy, name)
        if isinstance(default, bool):
            overrides[name] = _parse_flag(text, variable)
        elif name == "io_capture":
            overrides[name] = _io_mode(text, variable)
        else:
            overrides[name] = text or None
    if overrides:
        configure_policy(**overrides)


def policy_snapshot() -> dict[str, Any]:
    return asdict(_current)


def current_policy() -> RecorderPolicy:
    return _current
