"""Trace filter files (TOML), compatible with codetracer-python-recorder 0.3.0.

A filter chooses which code is recorded (``[scope]`` and ``[[scope.rules]]`` with ``exec``) and which
values are redacted or dropped (``value_default`` and ``[[scope.rules.value_patterns]]``). Files are
chained: a built-in filter that redacts secrets comes first, then a project's
``.codetracer/trace-filter.toml``, then the files given by ``--trace-filter`` /
``CODETRACER_TRACE_FILTER`` / ``trace_filter=``; later rules win.

The recorder asks :meth:`FilterChain.resolve` once per code object and caches the answer.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ._native import Glob
from .errors import FilterError, FilterFileNotFoundError, with_context

PROJECT_FILTER = Path(".codetracer") / "trace-filter.toml"

_EXEC = ("trace", "skip")
_VALUE_ACTIONS = ("allow", "redact", "drop")
_SCOPE_DOMAINS = ("pkg", "file", "obj")
_VALUE_DOMAINS = ("local", "global", "arg", "ret", "attr")
_MATCH_KINDS = ("glob", "regex", "literal")

# Names of variables whose values are secrets, case-insensitive. Distinctive words match anywhere in a
# name (`mypassword`, `sessionid`, `authtoken`). Short words that are also parts of ordinary words
# (`company`, `span`, `discard`, `passenger`, `author`, `classname`) match only as a whole segment:
# between the name's ends, non-letters (`_`, `-`, `.`, digits) and camelCase humps (`cardNumber`).
# 0.3.0 matched every word anywhere, so it also redacted `company`, `span` and `discard`.
_SECRET_WORDS_ANYWHERE = (
    r"password|passwd|passphrase|passcode|pwd|secret|token|session|cookie|credential|creds|bearer|credit"
    r"|iban|cvv|cvc|jwt|oauth|authori[sz]ation|api[_-]?key|private[_-]?key|ssh[_-]?key|access[_-]?key|signature"
)
_SECRET_SEGMENTS = r"pass|auth|pan|card|ssn"
_SEGMENT_START = r"(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))"
_SEGMENT_END = r"(?:(?![A-Za-z])|(?<=[a-z])(?=[A-Z]))"
SECRET_NAME_PATTERN = f"(?i:{_SECRET_WORDS_ANYWHERE})|{_SEGMENT_START}(?i:{_SECRET_SEGMENTS}){_SEGMENT_END}"


@dataclass(frozen=True)
class Selector:
    domain: str
    kind: str
    pattern: str
    _compiled: re.Pattern[str] | Glob | None = field(default=None, compare=False)

    def matches(self, text: str) -> bool:
        if isinstance(self._compiled, re.Pattern):
            return self._compiled.search(text) is not None
        if isinstance(self._compiled, Glob):
            return self._compiled.matches(text)
        return text == self.pattern


def parse_selector(text: object, where: str, domains: Sequence[str]) -> Selector:
    if not isinstance(text, str) or ":" not in text:
        raise FilterError(f"{where}: expected a selector such as 'pkg:my_app.*' or 'local:regex:^secret', found {text!r}")
    domain, rest = text.split(":", 1)
    if domain not in domains:
        raise FilterError(f"{where}: selector {text!r} starts with {domain!r}; expected one of {', '.join(domains)}")
    kind = "glob"
    # As in 0.3.0, a second ':' ends a match type, so a misspelt one (`local:regx:^pin`) is refused
    # rather than read as a glob that never matches and leaves a value unredacted.
    head, separator, tail = rest.partition(":")
    if separator:
        if head not in _MATCH_KINDS:
            raise FilterError(
                f"{where}: selector {text!r} has match type {head!r}; expected one of {', '.join(_MATCH_KINDS)} "
                f"(a pattern containing ':' needs one, as in '{domain}:glob:{rest}')"
            )
        kind, rest = head, tail
    if not rest:
        raise FilterError(f"{where}: selector {text!r} has an empty pattern; expected a {kind} after the last ':'")
    if domain == "file" and kind != "regex":
        rest = file_pattern(rest)
    compiled: re.Pattern[str] | Glob | None = None
    try:
        if kind == "regex":
            compiled = re.compile(rest)
        elif kind == "glob":
            compiled = Glob(rest)
    except (re.error, ValueError) as err:
        raise FilterError(f"{where}: selector {text!r} has an invalid {'regular expression' if kind == 'regex' else 'glob'}: {err}") from None
    return Selector(domain, kind, rest, compiled)


def file_pattern(pattern: str, windows: bool = os.name == "nt") -> str:
    """A ``file:`` path as 0.3.0 read it: ``./`` and ``dir/..`` taken out (``./app/main.py`` is
    ``app/main.py``, which the recorded path is compared with), and on Windows ``\\`` a separator too."""
    if windows:
        pattern = pattern.replace("\\", "/")
    return posixpath.normpath(pattern)


@dataclass(frozen=True)
class ValuePattern:
    selector: Selector
    action: str


@dataclass(frozen=True)
class Rule:
    selector: Selector
    exec: str | None
    value_default: str | None
    value_patterns: tuple[ValuePattern, ...]


@dataclass(frozen=True)
class FilterFile:
    name: str
    version: int
    path: str
    sha256: str
    default_exec: str | None
    default_value_action: str | None
    rules: tuple[Rule, ...]
    root: str

    def summary(self) -> dict[str, object]:
        return {"name": self.name, "version": self.version, "path": self.path, "sha256": self.sha256}


def _choice(table: dict[str, object], key: str, choices: Sequence[str], where: str) -> str | None:
    value = table.get(key)
    # 0.3.0's spellings: "inherit" keeps what earlier filters and rules decided (no value here), and the
    # deprecated "deny" redacts.
    if value is None or (value == "inherit" and key != "action"):
        return None
    if value == "deny" and "redact" in choices:
        return "redact"
    if value not in choices:
        raise FilterError(f"{where}.{key}: expected one of {', '.join(repr(c) for c in choices)}, found {value!r}")
    return str(value)


def _check_keys(table: dict[str, object], allowed: Iterable[str], where: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise FilterError(f"{where}: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(allowed))}")


def parse_filter(text: str, path: str, root: str) -> FilterFile:
    """Reads one filter file's text; ``root`` is the folder ``file:`` selectors are relative to."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise FilterError(f"{path}: not valid TOML: {err}") from None
    _check_keys(document, ("meta", "scope", "io"), path)
    meta = document.get("meta")
    if not isinstance(meta, dict):
        raise FilterError(f"{path}: missing [meta] table with 'name' and 'version'")
    name, version = meta.get("name"), meta.get("version")
    if not isinstance(name, str) or not name:
        raise FilterError(f"{path}: meta.name: expected a non-empty string, found {name!r}")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FilterError(f"{path}: meta.version: expected an integer, found {version!r}")
    scope = document.get("scope", {})
    if not isinstance(scope, dict):
        raise FilterError(f"{path}: scope: expected a table, found {scope!r}")
    _check_keys(scope, ("default_exec", "default_value_action", "rules"), f"{path}: scope")
    rules = []
    for index, rule in enumerate(scope.get("rules", [])):
        where = f"{path}: scope.rules[{index}]"
        if not isinstance(rule, dict):
            raise FilterError(f"{where}: expected a table, found {rule!r}")
        _check_keys(rule, ("selector", "exec", "value_default", "reason", "value_patterns"), where)
        patterns = []
        for pattern_index, pattern in enumerate(rule.get("value_patterns", [])):
            pattern_where = f"{where}.value_patterns[{pattern_index}]"
            if not isinstance(pattern, dict):
                raise FilterError(f"{pattern_where}: expected a table, found {pattern!r}")
            _check_keys(pattern, ("selector", "action", "reason"), pattern_where)
            action = _choice(pattern, "action", _VALUE_ACTIONS, pattern_where)
            if action is None:
                raise FilterError(f"{pattern_where}.action: missing; expected one of 'allow', 'redact', 'drop'")
            patterns.append(ValuePattern(parse_selector(pattern.get("selector"), f"{pattern_where}.selector", _VALUE_DOMAINS), action))
        rules.append(
            Rule(
                parse_selector(rule.get("selector"), f"{where}.selector", _SCOPE_DOMAINS),
                _choice(rule, "exec", _EXEC, where),
                _choice(rule, "value_default", _VALUE_ACTIONS, where),
                tuple(patterns),
            )
        )
    return FilterFile(
        name=name,
        version=version,
        path=path,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        default_exec=_choice(scope, "default_exec", _EXEC, f"{path}: scope"),
        default_value_action=_choice(scope, "default_value_action", _VALUE_ACTIONS, f"{path}: scope"),
        rules=tuple(rules),
        root=root,
    )


def builtin_filter() -> FilterFile:
    """Record everything the coverage defaults allow; redact values whose names look like secrets."""
    secrets = tuple(
        ValuePattern(Selector(domain, "regex", SECRET_NAME_PATTERN, re.compile(SECRET_NAME_PATTERN)), "redact")
        for domain in _VALUE_DOMAINS
    )
    match_all = Selector("pkg", "glob", "*", Glob("*"))
    return FilterFile(
        name="builtin-default",
        version=1,
        # 0.3.0's spelling of an embedded filter's path; the hash identifies this definition, as 0.3.0's
        # identified its embedded TOML, so the metadata says which built-in rules a trace was recorded with.
        path="<inline:builtin-default>",
        sha256=hashlib.sha256(repr((_VALUE_DOMAINS, SECRET_NAME_PATTERN)).encode("utf-8")).hexdigest(),
        default_exec="trace",
        default_value_action="allow",
        rules=(Rule(match_all, None, None, secrets),),
        root=os.getcwd(),
    )


def split_filter_spec(spec: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None) -> list[str]:
    """``a.toml::b.toml``, a path, or a list of either -> the file names in order."""
    if spec is None:
        return []
    items = [spec] if isinstance(spec, (str, os.PathLike)) else list(spec)
    names: list[str] = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"trace_filter entries must be str or os.PathLike, found {type(item).__name__}")
        names.extend(part.strip() for part in os.fspath(item).split("::") if part.strip())
    return names


def find_project_filter(start: str | os.PathLike[str]) -> Path | None:
    """``.codetracer/trace-filter.toml`` in ``start`` (a folder or a script's folder) or a parent of it."""
    folder = Path(start).resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        if (candidate / PROJECT_FILTER).is_file():
            return candidate / PROJECT_FILTER
    return None


def load_filter(path: str | os.PathLike[str]) -> FilterFile:
    file = Path(path).expanduser()
    if not file.exists():
        raise with_context(FilterFileNotFoundError(f"trace filter {os.fspath(path)!r} does not exist"), path=file)
    if not file.is_file():
        raise with_context(FilterError(f"trace filter {os.fspath(path)!r} is not a file"), path=file)
    file = file.resolve()
    return parse_filter(file.read_text(encoding="utf-8"), str(file), str(filter_root(file)))


def filter_root(file: Path) -> Path:
    """The folder a filter file's relative ``file:`` selectors start from, as in 0.3.0: the project
    holding the nearest ``.codetracer`` folder above the file, else the file's own folder (never the
    working directory, so a filter means the same wherever the command runs)."""
    for folder in file.parents:
        if folder.name == ".codetracer":
            return folder.parent
    return file.parent


class FilterChain:
    """Filters in the order they apply; :meth:`resolve` is the recorder's per-code-object resolver."""

    def __init__(self, files: Sequence[FilterFile], *, module_name_from_globals: bool = True) -> None:
        self.files = list(files)
        #: 0.3.0's ``module_name_from_globals``: ``pkg:`` selectors match the module's ``__name__``
        #: (``__main__`` for the script); off, a name derived from the file's path under ``sys.path``.
        self.module_name_from_globals = module_name_from_globals
        # One attribute resolver per distinct list of attribute patterns, so the recorder caches each
        # attribute name's answer once for all the code objects that share the list.
        self._attribute_resolvers: dict[tuple[tuple[ValuePattern, ...], str], AttributeResolver] = {}

    @classmethod
    def load(
        cls, paths: Sequence[str | os.PathLike[str]], *, builtin: bool = True, module_name_from_globals: bool = True
    ) -> FilterChain:
        files = ([builtin_filter()] if builtin else []) + [load_filter(path) for path in paths]
        return cls(files, module_name_from_globals=module_name_from_globals)

    def summary(self) -> dict[str, object]:
        return {"filters": [file.summary() for file in self.files]}

    def _scope_matches(self, selector: Selector, file: FilterFile, module: str, path: str, obj: str) -> bool:
        if selector.domain == "pkg":
            return selector.matches(module)
        if selector.domain == "obj":
            return selector.matches(obj)
        try:
            relative = os.path.relpath(path, file.root) if os.path.isabs(path) else path
        except ValueError:
            # On Windows, a file on another drive than the filter's project: only an absolute selector names it.
            relative = path
        return selector.matches(Path(relative).as_posix()) or selector.matches(Path(path).as_posix())

    def resolve(
        self, file_name: str, module: str | None, qualname: str, names: dict[str, list[str]], *, namespace: bool = False
    ) -> dict[str, object] | None:
        """``names``: the code's names by kind (``arg``, ``local``, ``global``); with ``namespace`` (a module
        or class body) its ``global`` names are its namespace, matched by ``local:`` selectors too, as
        0.3.0 recorded them as locals."""
        if not self.module_name_from_globals or not module:
            module = module_name_from_path(file_name)
        module_name = module or Path(file_name).stem
        obj = f"{module_name}.{qualname}"
        execute = "trace"
        value_default, value_default_file = "allow", 0
        found: list[tuple[int, ValuePattern]] = []
        for index, file in enumerate(self.files):
            execute = file.default_exec or execute
            if file.default_value_action:
                value_default, value_default_file = file.default_value_action, index
            for rule in file.rules:
                if not self._scope_matches(rule.selector, file, module_name, file_name, obj):
                    continue
                execute = rule.exec or execute
                if rule.value_default:
                    value_default, value_default_file = rule.value_default, index
                found.extend((index, pattern) for pattern in rule.value_patterns)
        if execute == "skip":
            return None
        # As in 0.3.0, a `drop` default leaves out the patterns of the filters before the one that set it
        # (the built-in secret redaction among them): only what that filter and later ones name is kept.
        if value_default == "drop":
            found = [(index, pattern) for index, pattern in found if index >= value_default_file]
        # Later patterns win, so they are tried first.
        patterns = [pattern for _, pattern in reversed(found)]

        def action(domains: tuple[str, ...], *candidates: str) -> str:
            for pattern in patterns:
                if pattern.selector.domain in domains and any(pattern.selector.matches(name) for name in candidates):
                    return pattern.action
            return value_default

        answer: dict[str, object] = {}
        for domain in ("arg", "local", "global"):
            domains = ("local", "global") if namespace and domain == "global" else (domain,)
            decided = {name: action(domains, name) for name in names.get(domain, [])}
            answer[domain] = {name: chosen for name, chosen in decided.items() if chosen != "allow"}
        # 0.3.0 matched `ret:` against the object's name (`pkg.mod.Class.method`); the function's own
        # name is matched too, so both `ret:glob:app.auth.*` and `ret:get_token` apply.
        returned = action(("ret",), obj, qualname.rsplit(".", 1)[-1])
        answer["ret"] = None if returned == "allow" else returned
        attribute_patterns = tuple(pattern for pattern in patterns if pattern.selector.domain == "attr")
        if attribute_patterns or value_default != "allow":
            key = (attribute_patterns, value_default)
            if key not in self._attribute_resolvers:
                self._attribute_resolvers[key] = AttributeResolver(attribute_patterns, value_default)
            answer["attr"] = self._attribute_resolvers[key]
        return answer


class AttributeResolver:
    """``attr:`` value patterns of a scope: the action for an object field's name (``None`` to keep it).

    The recorder calls it once per field name and caches the answer.
    """

    def __init__(self, patterns: tuple[ValuePattern, ...], default: str) -> None:
        self.patterns = patterns
        self.default = default

    def __call__(self, name: str) -> str | None:
        for pattern in self.patterns:
            if pattern.selector.matches(name):
                return None if pattern.action == "allow" else pattern.action
        return None if self.default == "allow" else self.default


def module_name_from_path(file_name: str) -> str | None:
    """0.3.0's resolver without globals: the dotted name of ``file_name`` under the longest ``sys.path``
    entry that contains it (``pkg/mod.py`` -> ``pkg.mod``, ``pkg/__init__.py`` -> ``pkg``)."""
    if file_name.startswith("<"):
        return None
    path = Path(file_name).resolve()
    best: tuple[str, ...] | None = None
    for entry in sys.path:
        try:
            relative = path.relative_to(Path(entry or os.getcwd()).resolve())
        except (ValueError, OSError):
            continue
        if best is None or len(relative.parts) < len(best):
            best = relative.parts
    if not best:
        return None
    parts = [*best[:-1], Path(best[-1]).stem]
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)
