"""Recording what the program writes to ``sys.stdout``/``sys.stderr`` and reads from ``sys.stdin``.

The streams are replaced by proxies that pass every call through to the original stream unchanged and
then hand the text to the recorder, which writes it as 0.3.0 did: one event per line right after the step
that produced it, an unfinished line at the next ``flush()`` or step (``src/io_events.rs``).
The proxies' own code is the recorder's, which is never recorded.

``proxies+fd`` also points file descriptors 1 and 2 at pipes the recorder reads (``src/fd_capture.rs``):
what reaches them without the proxies (``os.write(1, ...)``, C extensions, child processes) is recorded
too, and everything is passed on to the original descriptors in the order it was written.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Literal

from . import _native

IoCaptureMode = Literal["off", "proxies", "proxies+fd"]
IO_CAPTURE_MODES: tuple[str, ...] = ("off", "proxies", "proxies+fd")


def _record(stream: str, text: object) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str) or not text:
        return
    try:
        _native.record_io(stream, text)
    except Exception:  # noqa: BLE001 - the program's IO must never fail because of the recorder
        pass


class _Proxy:
    """Delegates everything to the wrapped stream; subclasses observe the text that passes."""

    def __init__(self, stream: Any, name: str) -> None:
        object.__setattr__(self, "_stream", stream)
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._stream, attribute)

    def __setattr__(self, attribute: str, value: Any) -> None:
        setattr(self._stream, attribute, value)

    def __repr__(self) -> str:
        return repr(self._stream)


def _announce(stream: Any, name: str, text: object) -> None:
    """Tells the fd capture which bytes these are, before they reach the descriptor."""
    if not _fd_captured or not isinstance(text, str) or not text:
        return
    try:
        data = text.encode(stream.encoding or "utf-8", stream.errors or "strict")
        _native.expect_fd_output(name, data)
    except Exception:  # noqa: BLE001 - unannounced bytes are merely recorded twice
        pass


class OutputProxy(_Proxy):
    def write(self, text: str) -> int:
        _announce(self._stream, self._name, text)
        written = self._stream.write(text)
        _record(self._name, text)
        return written

    def writelines(self, lines: Any) -> None:
        lines = list(lines)
        _announce(self._stream, self._name, "".join(lines))
        self._stream.writelines(lines)
        _record(self._name, "".join(lines))

    def flush(self) -> None:
        self._stream.flush()
        try:
            _native.flush_io(self._name)
        except Exception:  # noqa: BLE001 - the program's IO must never fail because of the recorder
            pass


class InputProxy(_Proxy):
    def read(self, *args: Any) -> str:
        text = self._stream.read(*args)
        _record("stdin", text)
        return text

    def readline(self, *args: Any) -> str:
        text = self._stream.readline(*args)
        _record("stdin", text)
        return text

    def readlines(self, *args: Any) -> list[str]:
        lines = self._stream.readlines(*args)
        _record("stdin", "".join(lines))
        return lines

    def __iter__(self) -> InputProxy:
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


_installed: dict[str, tuple[Any, Any]] = {}
#: The descriptors behind pipes, with the duplicates of their originals: ``{1: saved, 2: saved}``.
_redirected: dict[int, int] = {}
_fd_captured = False


def _flush_all() -> None:
    # The streams behind the proxies: the recorder's own flush is not the program's (no "flush" event).
    for stream in (_unwrapped(sys.stdout), _unwrapped(sys.stderr), sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # noqa: BLE001 - a closed or broken stream has nothing to flush
            pass


def _unwrapped(stream: Any) -> Any:
    return object.__getattribute__(stream, "_stream") if isinstance(stream, _Proxy) else stream


def _capture_descriptors() -> None:
    """Points fds 1 and 2 at pipes the recorder reads and passes on to the original descriptors."""
    global _fd_captured
    if not _native.FD_CAPTURE_SUPPORTED:
        print("codetracer-python-recorder: --io-capture proxies+fd is not supported here; recording proxies only",
              file=sys.stderr)
        return
    _flush_all()
    streams = []
    for fd, name in ((1, "stdout"), (2, "stderr")):
        try:
            saved = os.dup(fd)
        except OSError:
            continue  # not open in this process
        read_end, write_end = os.pipe()
        os.set_blocking(read_end, False)
        os.dup2(write_end, fd)
        os.close(write_end)
        _redirected[fd] = saved
        streams.append((name, read_end, saved))
    _native.start_fd_capture(streams)
    _fd_captured = True


def _restore_descriptors() -> None:
    global _fd_captured
    _flush_all()
    for fd, saved in _redirected.items():
        os.dup2(saved, fd)
    _redirected.clear()
    _fd_captured = False
    # Empties the pipes (only child processes can still write to them) and closes them and the saved
    # duplicates.
    _native.stop_fd_capture()


def install(mode: str) -> None:
    """Puts the proxies in place, and for ``proxies+fd`` the descriptor capture."""
    if mode not in IO_CAPTURE_MODES:
        raise ValueError(f"io_capture: expected one of {', '.join(IO_CAPTURE_MODES)}, found {mode!r}")
    if mode == "off" or _installed:
        return
    for name, proxy_type in (("stdout", OutputProxy), ("stderr", OutputProxy), ("stdin", InputProxy)):
        original = getattr(sys, name)
        if original is None:
            continue
        proxy = proxy_type(original, name)
        setattr(sys, name, proxy)
        _installed[name] = (original, proxy)
    if mode == "proxies+fd":
        _capture_descriptors()


def uninstall() -> None:
    """Puts the descriptors and the original streams back, unless the program replaced the proxies with
    streams of its own."""
    if _redirected:
        _restore_descriptors()
    for name, (original, proxy) in list(_installed.items()):
        if getattr(sys, name) is proxy:
            setattr(sys, name, original)
    _installed.clear()
