"""Which code is recorded by default: the program and its installed packages, not the standard library."""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from dataclasses import dataclass

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class DefaultCoverage:
    """Glob patterns (``*``, ``?``) over code file names.

    ``recorder``: the recorder's own package, never recorded. ``library``: the standard library,
    frozen modules and code compiled from a string (the standard library generates such code, for
    example namedtuple constructors); skipped unless ``third_party`` matches too, because
    interpreters keep ``site-packages`` inside the standard library directory.
    """

    recorder: list[str]
    library: list[str]
    third_party: list[str]


def _with_real_paths(directories: set[str]) -> list[str]:
    found: set[str] = set()
    for directory in directories:
        if directory:
            found.update({directory, os.path.realpath(directory)})
    return [os.path.join(directory, "*") for directory in sorted(found)]


def _site_directories() -> set[str]:
    directories = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    if hasattr(site, "getsitepackages"):
        directories.update(site.getsitepackages())
    user_site = site.getusersitepackages() if hasattr(site, "getusersitepackages") else None
    if isinstance(user_site, str):
        directories.add(user_site)
    # Folders on sys.path named site-packages or dist-packages (Debian) that the calls above miss.
    directories.update(
        entry for entry in sys.path if os.path.basename(entry) in ("site-packages", "dist-packages")
    )
    return directories


def default_coverage() -> DefaultCoverage:
    library_dirs = {sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")}
    # In a virtual environment the standard library is the base interpreter's.
    library_dirs.add(os.path.dirname(os.__file__))
    return DefaultCoverage(
        recorder=_with_real_paths({_PACKAGE_DIR}),
        library=[*_with_real_paths(library_dirs), "<frozen *>", "<string>"],
        third_party=_with_real_paths(_site_directories()),
    )


def default_exclude() -> list[str]:
    """Patterns of the code never recorded by default: the recorder and the standard library.

    Kept for callers of earlier versions; the recorder itself applies :func:`default_coverage`, in
    which installed packages under the standard library directory are recorded.
    """
    coverage = default_coverage()
    return [*coverage.recorder, *coverage.library]
