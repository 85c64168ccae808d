"""How the recorder behaves around a recording (0.3.0's "policy"): errors, exit status, logging, IO.

Set from ``CODETRACER_*`` environment variables (:func:`configure_policy_from_env`), by
:func:`configure_policy`, and by the command-line flags of the same names.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass, replace
from typing import Any

from . import _native
from .errors import PolicyError, TraceWriteError
from .io_capture import IO_CAPTURE_MODES


@dataclass(frozen=True)
class RecorderPolicy:
    #: ``abort``: a recorder failure makes the command exit 1; ``disable``: it is reported and the
    #: program's own exit status stands.
    on_recorder_error: str = "abort"
    #: Exit 1 when the trace recorded no step (for example the activation path never ran).
    require_trace: bool = False
    #: After an internal recorder error, keep the finished partial trace; by default its files are
    #: removed, as 0.3.0 does. A trace cut at its size limit or by a full disk is always kept.
    keep_partial_trace: bool = False
    log_level: str | None = None
    log_file: str | None = None
    #: Recorder errors are also printed as one JSON object per line on stderr.
    json_errors: bool = False
    io_capture: str = "proxies"
    #: The command exits with the program's exit status (0.3.0 exits 0 unless this is set).
    propagate_script_exit: bool = True
    #: ``pkg:`` filter selectors match the module's ``__name__`` (``__main__`` for the script); off,
    #: a name derived from the file's path under ``sys.path`` (0.3.0's legacy resolver).
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

# 0.3.0's spellings (1/0, true/false, t/f, yes/no, y/n), and on/off.
_TRUE = ("1", "true", "t", "yes", "y", "on")
_FALSE = ("0", "false", "f", "no", "n", "off")
_LOG_LEVELS = ("off", "error", "warn", "info", "debug", "trace")

_current = RecorderPolicy()
#: Log level filters and log files already warned about: the policy is applied several times per run.
_warned_log_levels: set[str] = set()
_warned_log_files: set[str] = set()


def _parse_flag(text: str, where: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise PolicyError(f"{where}: expected true or false (1/0, yes/no, on/off), found {text!r}")


def _io_mode(value: object, where: str) -> str:
    """0.3.0's ``CODETRACER_CAPTURE_IO`` grammar: empty for the default, off/on words, or tokens joined
    with ``,`` or ``+`` (``proxies``/``proxy``, ``fd``/``mirror``/``fallback``; fd implies proxies)."""
    text = str(value).strip().lower()
    if text == "":
        return RecorderPolicy.io_capture
    if text in ("0", "off", "false", "disable", "disabled", "none"):
        return "off"
    if text in ("1", "on", "true", "enable", "enabled"):
        return "proxies"
    tokens = {token.strip() for token in text.replace("+", ",").split(",")} - {""}
    unknown = sorted(tokens - {"proxies", "proxy", "fd", "mirror", "fallback"})
    if unknown or not tokens:
        raise PolicyError(
            f"{where}: expected one of {', '.join(IO_CAPTURE_MODES)} (or 0.3.0's on/off, proxies,fd), found {value!r}"
        )
    return "proxies+fd" if tokens & {"fd", "mirror", "fallback"} else "proxies"


def _log_level(spec: str | None) -> str | None:
    """0.3.0 took env_logger-style filters (``info``, ``codetracer_python_recorder=debug,warn``): the most
    verbose level named is used. A filter that names no known level warns and keeps the default."""
    if spec is None or not spec.strip():
        return None
    named = [part.rpartition("=")[2].strip().lower() for part in spec.split(",") if part.strip()]
    known = [level for level in named if level in _LOG_LEVELS]
    if not known or len(known) != len(named):
        if spec in _warned_log_levels:
            return None
        _warned_log_levels.add(spec)
        print(
            f"codetracer-python-recorder: log level {spec!r} is not one of {', '.join(_LOG_LEVELS)}; using warn",
            file=sys.stderr,
        )
        return None
    return max(known, key=_LOG_LEVELS.index)


def _checked(policy: RecorderPolicy) -> RecorderPolicy:
    if policy.on_recorder_error not in ("abort", "disable"):
        raise PolicyError(f"on_recorder_error: expected 'abort' or 'disable', found {policy.on_recorder_error!r}")
    level = _log_level(policy.log_level)
    try:
        _native.configure_log(level, policy.log_file or None)
    except TraceWriteError as error:
        # As in 0.3.0: a log file that cannot be opened must not stop the program or its recording.
        _native.configure_log(level, None)
        if policy.log_file not in _warned_log_files:
            _warned_log_files.add(policy.log_file)
            print(f"codetracer-python-recorder: {error}; logging to stderr instead", file=sys.stderr)
    return policy


_TEXT_FIELDS = ("on_recorder_error", "log_level", "io_capture")


def _check_types(values: dict[str, Any]) -> None:
    """0.3.0 refused, with a ``TypeError``, a flag that is not a bool (``require_trace="no"`` would
    otherwise count as true) and a level or mode that is not text."""
    for name, value in values.items():
        if value is None or name == "log_file":
            continue
        expected = str if name in _TEXT_FIELDS else bool
        if not isinstance(value, expected):
            wanted = "a string" if expected is str else "True or False"
            raise TypeError(f"configure_policy: {name} must be {wanted} (None leaves it unchanged), found {value!r}")


def configure_policy(
    on_recorder_error: str | None = None,
    require_trace: bool | None = None,
    keep_partial_trace: bool | None = None,
    log_level: str | None = None,
    log_file: str | os.PathLike[str] | None = None,
    json_errors: bool | None = None,
    io_capture_line_proxies: bool | None = None,
    io_capture_fd_fallback: bool | None = None,
    module_name_from_globals: bool | None = None,
    propagate_script_exit: bool | None = None,
    *,
    io_capture: str | None = None,
) -> None:
    """Changes the policy fields given (see :class:`RecorderPolicy`); ``None`` leaves a field as it is.

    0.3.0's signature, positional order included, so its calls keep working; ``io_capture`` is this
    recorder's mode name (``off``, ``proxies``, ``proxies+fd``) for 0.3.0's two IO booleans. An empty
    ``log_file`` sends the log back to stderr.
    """
    global _current
    given = {
        "on_recorder_error": on_recorder_error,
        "require_trace": require_trace,
        "keep_partial_trace": keep_partial_trace,
        "log_level": log_level,
        "log_file": log_file,
        "json_errors": json_errors,
        "module_name_from_globals": module_name_from_globals,
        "propagate_script_exit": propagate_script_exit,
        "io_capture": io_capture,
    }
    overrides: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
    line_proxies, fd_fallback = io_capture_line_proxies, io_capture_fd_fallback
    _check_types({**overrides, "io_capture_line_proxies": line_proxies, "io_capture_fd_fallback": fd_fallback})
    if line_proxies is not None or fd_fallback is not None:
        # Applied on top of the current mode, as 0.3.0 does: fd capture needs the proxies.
        proxies = _current.io_capture != "off" if line_proxies is None else bool(line_proxies)
        fd = _current.io_capture == "proxies+fd" if fd_fallback is None else bool(fd_fallback)
        overrides["io_capture"] = "off" if not proxies else ("proxies+fd" if fd else "proxies")
    if "io_capture" in overrides:
        overrides["io_capture"] = _io_mode(overrides["io_capture"], "io_capture")
    if isinstance(overrides.get("on_recorder_error"), str):
        overrides["on_recorder_error"] = overrides["on_recorder_error"].strip().lower()
    if isinstance(overrides.get("log_level"), str) and not overrides["log_level"].strip():
        overrides["log_level"] = None  # 0.3.0: a blank level clears it (the default, warn)
    if overrides.get("log_file") is not None:
        # As in 0.3.0, an empty or blank file name clears the log file (the log goes to stderr).
        log_file = os.fspath(overrides["log_file"])
        overrides["log_file"] = log_file if log_file.strip() else None
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
        if isinstance(default, bool) and not text.strip():
            continue  # set but empty: as if unset
        if isinstance(default, bool):
            overrides[name] = _parse_flag(text, variable)
        elif name == "io_capture":
            overrides[name] = _io_mode(text, variable)
        elif name == "on_recorder_error":
            if text.strip().lower() not in ("abort", "disable"):
                raise PolicyError(f"{variable}: expected 'abort' or 'disable', found {text!r}")
            overrides[name] = text
        else:
            # Kept as text: an empty CODETRACER_LOG_FILE or CODETRACER_LOG_LEVEL means the default (None
            # would leave the current value).
            overrides[name] = text
    if overrides:
        configure_policy(**overrides)


def policy_snapshot() -> dict[str, Any]:
    """The policy as 0.3.0's ``policy_snapshot()`` shows it: ``io_capture`` is
    ``{"line_proxies": bool, "fd_fallback": bool}``, ``io_capture_mode`` this recorder's mode name."""
    snapshot = asdict(_current)
    mode = snapshot.pop("io_capture")
    snapshot["io_capture"] = {"line_proxies": mode != "off", "fd_fallback": mode == "proxies+fd"}
    snapshot["io_capture_mode"] = mode
    return snapshot


def current_policy() -> RecorderPolicy:
    return _current
