"""Starting a recording from environment variables when the package is imported (0.3.0's auto-start),
for programs run by launchers the command line cannot wrap.

``CODETRACER_TRACE``: the trace directory (setting it turns auto-start on); ``CODETRACER_FORMAT``:
``binary`` (default, as in 0.3.0) or ``json``; ``CODETRACER_TRACE_FILTER``: filter files joined with
``::``; ``CODETRACER_DISABLE=1``: never start. The policy variables (``CODETRACER_CAPTURE_IO``, ...)
apply as well.
"""

from __future__ import annotations

import os
import sys

ENV_TRACE_PATH = "CODETRACER_TRACE"
ENV_TRACE_FORMAT = "CODETRACER_FORMAT"
ENV_TRACE_FILTER = "CODETRACER_TRACE_FILTER"
ENV_DISABLE = "CODETRACER_DISABLE"


_OWN_MODULES = ("codetracer_python_recorder", "codetracer_python_recorder.__main__")
# Interpreter options that take the next argument (or the rest of their own) as their value.
_OPTIONS_WITH_VALUE = "WX"


def _module_run_with_dash_m() -> str | None:
    """The module named by ``-m`` on the interpreter's command line (``-m mod``, ``-mmod``, ``-Im mod``)."""
    arguments = list(getattr(sys, "orig_argv", [])[1:])
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if not argument.startswith("-") or argument in ("-", "--") or argument.startswith("-c"):
            return None
        if argument.startswith("--"):
            index += 2 if argument == "--check-hash-based-pycs" else 1
            continue
        flags = argument[1:]
        for position, flag in enumerate(flags):
            if flag == "m":
                value = flags[position + 1 :]
                return value or (arguments[index + 1] if index + 1 < len(arguments) else None)
            if flag in _OPTIONS_WITH_VALUE:
                index += 0 if flags[position + 1 :] else 1
                break
        index += 1
    return None


def _launched_by_our_command() -> bool:
    """The command line records by its own options. ``python -m codetracer_python_recorder`` imports
    the package while ``argv[0]`` is ``-m``, as does any ``python -m pkg.mod`` whose package imports
    the recorder (or a ``sitecustomize`` that does), so the module named by ``-m`` decides; the
    console script's ``argv[0]`` is its own path."""
    launcher = os.path.basename(sys.argv[0]) if sys.argv else ""
    if launcher == "-m":
        return _module_run_with_dash_m() in _OWN_MODULES
    return launcher.startswith("codetracer-python-recorder")


def auto_start_from_env() -> None:
    """Starts a recording when ``CODETRACER_TRACE`` is set; does nothing otherwise."""
    path = os.environ.get(ENV_TRACE_PATH)
    if not path or os.environ.get(ENV_DISABLE, "").strip().lower() in ("1", "true", "yes", "on"):
        return
    if _launched_by_our_command():
        return
    from . import _native
    from .session import DEFAULT_FORMAT, start

    if _native.is_tracing():
        return
    start(
        path,
        format=os.environ.get(ENV_TRACE_FORMAT) or DEFAULT_FORMAT,
        trace_filter=os.environ.get(ENV_TRACE_FILTER) or None,
    )


__all__ = ["ENV_DISABLE", "ENV_TRACE_FILTER", "ENV_TRACE_FORMAT", "ENV_TRACE_PATH", "auto_start_from_env"]
