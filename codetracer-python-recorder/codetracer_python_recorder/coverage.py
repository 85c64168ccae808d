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

    ``recorder``: the recorder's own package, never recorded. ``environment``: helpers the
    environment installs into ``site-packages`` that run for every program rather than being part of
    it (setuptools' ``_distutils_hack``, a finder asked on every import; virtualenv's
    ``_virtualenv.py``), skipped as 0.3.0's built-in filter skipped them. ``library``: the standard
    library, frozen modules and code compiled from a string (the standard library generates such
    code, for example namedtuple constructors); skipped unless ``third_party`` matches too, because
    interpreters keep ``site-packages`` inside the standard library directory.
    """

    recorder: list[str]
    environment: list[str]
    library: list[str]
    third_party: list[str]


def _real_directories(directories: set[str]) -> list[str]:
    """The directories as given and with their symlinks resolved (code objects may name either)."""
    found: set[str] = set()
    for directory in directories:
        if directory:
            found.update({directory, os.path.realpath(directory)})
    return sorted(found)


def _with_real_paths(directories: set[str]) -> list[str]:
    return [os.path.join(directory, "*") for directory in _real_directories(directories)]


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
    site_directories = _site_directories()
    return DefaultCoverage(
        recorder=_with_real_paths({_PACKAGE_DIR}),
        environment=[
            helper
            for directory in _real_directories(site_directories)
            for helper in (os.path.join(directory, "_distutils_hack", "*"), os.path.join(directory, "_virtualenv.py"))
        ],
        library=[*_with_real_paths(library_dirs), "<frozen *>", "<string>"],
        third_party=_with_real_paths(site_directories),
    )


def default_exclude() -> list[str]:
    """Patterns of the code never recorded by default: the recorder, environment helpers and the standard library.

    Kept for callers of earlier versions; the recorder itself applies :func:`default_coverage`, in
    which installed packages under the standard library directory are recorded.
    """
    coverage = default_coverage()
    return [*coverage.recorder, *coverage.environment, *coverage.library]
