"""Recording what the program writes to ``sys.stdout``/``sys.stderr`` and reads from ``sys.stdin``.

The streams are replaced by proxies that pass every call through to the original stream unchanged and
then hand the text to the recorder, which writes it as an event right after the step that produced it.
The proxies' own code is the recorder's, which is never recorded.
"""

from __future__ import annotations

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


class OutputProxy(_Proxy):
    def write(self, text: str) -> int:
        written = self._stream.write(text)
        _record(self._name, text)
        return written

    def writelines(self, lines: Any) -> None:
        lines = list(lines)
        self._stream.writelines(lines)
        _record(self._name, "".join(lines))


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


def install(mode: str) -> None:
    """Puts the proxies in place; ``proxies+fd`` records the same as ``proxies`` (see the README)."""
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


def uninstall() -> None:
    """Puts the original streams back, unless the program replaced the proxies with streams of its own."""
    for name, (original, proxy) in list(_installed.items()):
        if getattr(sys, name) is proxy:
            setattr(sys, name, original)
    _installed.clear()
