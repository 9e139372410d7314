"""Reading YAML safely, strictly and with line numbers.

* Safe: only plain YAML types are built; ``!!python/...`` tags are refused.
* Strict: duplicate keys are errors, and the YAML 1.1 surprises are off:
  ``NO`` (Norway), ``on``, ``yes`` stay strings, ``12:30`` is not the number
  750, ``0123`` is not octal. Only ``true``/``false`` are booleans.
* Located: every mapping remembers the line it starts on and the line of each
  key, so later checks can say ``file:line: message``.

libyaml's C parser is used when PyYAML was built with it (about ten times
faster); the pure-Python parser is the fallback. Both give the same values
and the same located errors. With the ``fast`` extra, a read of many source
files goes through :mod:`diasporatrack.nativeyaml` first, which gives the
same values or steps aside for this loader.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import attrs
import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import BaseResolver

from .errors import Problem
from .textsafety import control_character, describe_character

__all__ = ["LocatedDict", "load_yaml", "YamlProblem"]

ALIAS_ALLOWANCE = 1024 * 1024  # what aliases may add to a file, beyond the file's own size
MAX_DIGITS = 4000  # longer numbers are refused (Python will not even convert them)


class LocatedDict(dict):
    """A dict built from a YAML mapping, with the lines it came from.

    The native reader (:mod:`diasporatrack.nativeyaml`) knows only some
    lines as it reads; the others are found by its ``Locator`` when first
    asked for.
    """

    __slots__ = ("_line", "_keys", "_where")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._line: int | None = None
        self._keys: dict[Any, int] | None = {}
        self._where: Any = None

    def lines_from(self, locator: Any) -> None:
        """Let ``locator`` find this mapping's lines when they are asked for."""
        self._keys = None
        self._where = locator

    def _located(self) -> None:
        where = getattr(self, "_where", None)  # unset in a mapping unpickled from an older cache
        if where is not None:
            where.locate()

    @property
    def line(self) -> int | None:
        """The line the mapping starts on."""
        if self._line is None:
            self._located()
        return self._line

    @line.setter
    def line(self, value: int | None) -> None:
        self._line = value

    @property
    def key_lines(self) -> dict[Any, int]:
        """The line of each key."""
        if getattr(self, "_keys", None) is None:
            self._located()
            if getattr(self, "_keys", None) is None:
                self._keys = {}
        return self._keys  # type: ignore[return-value]

    @key_lines.setter
    def key_lines(self, value: dict[Any, int]) -> None:
        self._keys = value

    def line_of(self, key: Any) -> int | None:
        """The line of ``key`` if present, else the line of the mapping."""
        return self.key_lines.get(key, self.line)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_located_dict, (dict(self), self.line, self.key_lines))


def _located_dict(items: dict[Any, Any], line: int | None, key_lines: dict[Any, int]) -> LocatedDict:
    data = LocatedDict(items)
    data._line, data._keys = line, key_lines
    return data


class ImpossibleDate(str):
    """A date-shaped value that is no date (``2025-02-30``): text that knows why."""

    __slots__ = ("reason",)

    def __new__(cls, value: str, reason: str) -> ImpossibleDate:
        self = super().__new__(cls, value)
        self.reason = reason
        return self

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (ImpossibleDate, (str(self), self.reason))


class _StrictResolver(BaseResolver):
    """YAML 1.2-like implicit typing: fewer surprises than PyYAML's 1.1."""

    # No path resolvers are used: skip their bookkeeping on every node.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        # Called for every node: the same answers as BaseResolver.resolve, minus its generality.
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


for _tag, _regexp, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (
        "tag:yaml.org,2002:timestamp",
        r"^(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
        r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
        r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?)$",
        "0123456789",
    ),
]:
    _StrictResolver.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_BUILDING = object()


class _LocatingConstructor(SafeConstructor):
    """SafeConstructor whose mappings are :class:`LocatedDict` without duplicates."""

    budget = 256 * 1024 * 1024  # characters of values a document may expand to; load_yaml sets it per file

    def construct_document(self, node: yaml.Node) -> Any:
        # One tight walk instead of PyYAML's general machinery (about twice as
        # fast). A node shared through an alias is built once, so an "alias
        # bomb" stays as small in memory as its text; what it *would* expand
        # to is counted all the same (every consumer of the value walks the
        # expansion) and refused past the budget.
        self._expanded = 0
        self._sizes: dict[int, int] = {}
        return self._build(node, {})

    def _grow(self, amount: int, node: yaml.Node) -> None:
        self._expanded += amount
        if self._expanded > self.budget:
            raise ConstructorError(
                None, None, f"aliases expand this file beyond {self.budget:,} characters of values "
                f"(twice its size plus {ALIAS_ALLOWANCE:,}): refused as an alias bomb", node.start_mark)

    def _build(self, node: yaml.Node, built: dict[int, Any]) -> Any:
        if node.__class__ is yaml.ScalarNode:
            value = node.value
            self._expanded += len(value) + 1
            if self._expanded > self.budget:
                self._grow(0, node)  # raises
            if node.style == '"':  # escapes can write any character: "\e", "\0", "\x1b"
                bad = control_character(value)
                if bad is not None:
                    raise ConstructorError(
                        None, None, f"control character {describe_character(bad)} is not allowed "
                        "(only newline and tab are)", node.start_mark)
            if node.tag == _STR:
                return value
            constructor = self.yaml_constructors.get(node.tag)
            if constructor is None:
                self.construct_undefined(node)
            return constructor(self, node)
        key = id(node)
        if key in built:
            if built[key] is _BUILDING:
                raise ConstructorError(None, None, "recursive YAML structures are not allowed", node.start_mark)
            self._grow(self._sizes[key], node)  # an alias: its whole expansion counts again
            return built[key]
        built[key] = _BUILDING
        before = self._expanded
        self._expanded += 1
        if node.__class__ is yaml.SequenceNode and node.tag == _SEQ:
            value: Any = [self._build(item, built) for item in node.value]
        elif node.__class__ is yaml.MappingNode and node.tag == _MAP:
            value = self._build_map(node, built)
        else:
            self.construct_undefined(node)
        built[key] = value
        self._sizes[key] = self._expanded - before
        return value

    def _build_map(self, node: yaml.MappingNode, built: dict[int, Any]) -> LocatedDict:
        data = LocatedDict()
        data._line = node.start_mark.line + 1
        lines = data._keys
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConstructorError(None, None, "merge keys (<<) are not supported", key_node.start_mark)
            key = self._build(key_node, built)
            try:
                seen = key in data
            except TypeError:
                raise ConstructorError(None, None, "a mapping key must be a plain value", key_node.start_mark) from None
            if seen:
                raise ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {lines[key]})", key_node.start_mark
                )
            data[key] = self._build(value_node, built)
            lines[key] = key_node.start_mark.line + 1
        return data

    def construct_bounded_int(self, node: yaml.ScalarNode) -> int:
        digits = len(node.value.lstrip("+-"))
        if digits > MAX_DIGITS:
            raise ConstructorError(None, None, f"a number of {digits:,} digits is too long (at most {MAX_DIGITS:,})",
                                   node.start_mark)
        try:
            return int(node.value)
        except ValueError:  # an explicit !!int tag on something else (0x1F, 1_000)
            raise ConstructorError(None, None, f"{node.value[:40]!r} is not a whole number", node.start_mark) from None

    def construct_checked_timestamp(self, node: yaml.ScalarNode):  # type: ignore[no-untyped-def]
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as err:
            # Not fatal here: the field that holds it reports it, with its line, beside every other problem.
            return ImpossibleDate(node.value, str(err))


_LocatingConstructor.add_constructor("tag:yaml.org,2002:timestamp", _LocatingConstructor.construct_checked_timestamp)
# Only the strict resolver's integers reach this (no octal, hex or underscores): int() reads them as written.
_LocatingConstructor.add_constructor("tag:yaml.org,2002:int", _LocatingConstructor.construct_bounded_int)
# SafeConstructor registers these; they would build surprising types or sets.
_LocatingConstructor.add_constructor("tag:yaml.org,2002:omap", _LocatingConstructor.construct_undefined)
_LocatingConstructor.add_constructor("tag:yaml.org,2002:pairs", _LocatingConstructor.construct_undefined)
_LocatingConstructor.add_constructor("tag:yaml.org,2002:set", _LocatingConstructor.construct_undefined)


class _PureLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _LocatingConstructor,
    _StrictResolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _LocatingConstructor.__init__(self)
        _StrictResolver.__init__(self)


try:
    from yaml.cyaml import CParser

    class _FastLoader(CParser, _LocatingConstructor, _StrictResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _LocatingConstructor.__init__(self)
            _StrictResolver.__init__(self)

    Loader: type = _FastLoader
except ImportError:  # PyYAML built without libyaml
    Loader = _PureLoader


class YamlProblem(Exception):
    """A file could not be read as YAML; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load_yaml(path: Path, text: str | None = None, *, loader: type | None = None, root: Path | None = None,
              kind: str = "source") -> Any:
    """Parse one YAML document from ``path`` (or from ``text``, named ``path``).

    ``path`` is read as a regular file inside ``root`` (default: its own
    folder), at most the limit of its ``kind`` (see :mod:`diasporatrack.safeio`).
    Raises :class:`YamlProblem` with the file and line of the first error.
    An empty document gives ``None``.
    """
    if text is None:
        text = read_text(path, root=root, kind=kind)
    if not text.strip():
        return None  # blank lines (even with tabs) are an empty document
    if loader is None and kind == "source" and _native() is not None:
        value = _native().load(text)
        if value is not None:
            return value
    load = (loader or Loader)(text)
    load.budget = 2 * len(text) + ALIAS_ALLOWANCE
    try:
        return load.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        what = err.problem or err.context or "invalid YAML"
        if isinstance(err, ConstructorError) and "could not determine a constructor" in what:
            what = f"tag {what.rsplit(' ', 1)[-1]} is not allowed (only plain YAML values are read)"
        raise YamlProblem(Problem(message=what, path=path, line=line)) from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow (control characters)
        line = text[: err.position].count("\n") + 1
        what = f"character #x{err.character:04x} is not allowed in YAML" if isinstance(err.character, int) \
            else "a character is not allowed in YAML"
        raise YamlProblem(Problem(message=what, path=path, line=line)) from None
    except yaml.YAMLError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise YamlProblem(Problem(message=f"invalid YAML: {first}", path=path, line=1)) from None
    except RecursionError:
        raise YamlProblem(Problem(message="YAML nested too deeply", path=path)) from None
    finally:
        load.dispose()


NATIVE_ENV = "DIASPORATRACK_NATIVE_YAML"  # "0" turns the native reader off
NATIVE_FROM = 8  # files in one read from which loading the native reader pays (its import costs ~30 ms)
_NATIVE: Any = None  # diasporatrack.nativeyaml once use_native() loaded it; False when ryml is not installed


def use_native(files: int) -> bool:
    """Whether source files are read by the native parser, loading it for a read of ``files`` files.

    Loading it costs about what reading five files strictly does, so it is
    loaded for a read of many files (a whole workspace), and then used for
    every source file this process reads.
    """
    global _NATIVE
    if os.environ.get(NATIVE_ENV) == "0":
        return False
    if _NATIVE is None and files >= NATIVE_FROM:
        from . import nativeyaml

        _NATIVE = nativeyaml if nativeyaml.ryml is not None else False
    return bool(_NATIVE)


def _native() -> Any:
    """:mod:`diasporatrack.nativeyaml` when it is loaded and not turned off, else None."""
    return _NATIVE if _NATIVE and os.environ.get(NATIVE_ENV) != "0" else None


def read_text(path: Path, *, root: Path | None = None, kind: str = "source") -> str:
    """Read a workspace file as UTF-8, turning every failure into a located problem.

    The file must be a regular file inside ``root`` (default: its own folder)
    and at most the limit of its ``kind`` long.
    """
    from .safeio import UnsafeFile, read_bytes

    try:
        raw = read_bytes(root if root is not None else path.parent, path, kind)
    except UnsafeFile as err:
        raise YamlProblem(attrs.evolve(err.problem, path=path)) from None
    except FileNotFoundError:
        raise YamlProblem(Problem(message="cannot read file: it does not exist", path=path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise YamlProblem(Problem(message="file is not UTF-8 text", path=path, line=line)) from None
    if text.count("\x00") > len(text) // 4:  # UTF-16 without a byte-order mark decodes as UTF-8 full of NULs
        line = text[: text.index("\x00")].count("\n") + 1
        raise YamlProblem(Problem(message="file is not UTF-8 text (it looks like UTF-16)", path=path,
                                  line=line)) from None
    return text
