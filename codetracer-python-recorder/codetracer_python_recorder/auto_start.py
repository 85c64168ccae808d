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


def _launched_by_our_command() -> bool:
    # `python -m codetracer_python_recorder` imports the package while argv[0] is "-m"; the console
    # script's argv[0] is its own path. The command line records by its own options.
    launcher = os.path.basename(sys.argv[0]) if sys.argv else ""
    return launcher == "-m" or launcher.startswith("codetracer-python-recorder")


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
