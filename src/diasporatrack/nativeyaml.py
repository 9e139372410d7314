"""Reading a source file with a native parser (the optional ``fast`` extra), values exactly as the strict loader's.

rapidyaml (the ``ryml`` module) parses a file about ten times faster than
libyaml with PyYAML's constructor, and writes the tree out as JSON in C++,
which Python's C JSON reader turns into values. That path is taken only when
it is sure to give what :mod:`diasporatrack.yamlio` would give, value for
value; whenever it is not sure, it answers ``None`` and the caller reads the
file with the strict loader, which reports any problem with its line:

* the text is checked first: characters the strict reader refuses or reads
  differently (tabs, control characters, NEL and the Unicode line
  separators, a lone carriage return), and anchors, aliases, tags,
  directives, explicit keys and document markers send the file to the
  strict loader;
* ryml's typing of plain scalars is not trusted: its numbers are checked
  against the strict rules as they are read, a key that could be anything
  but text is refused, duplicate keys are refused, and a text value that the
  strict rules could type (``2024-01-31``, ``~``, ``True``, ``"12"``) is
  looked up in the tree: typed as the strict loader types it when it was
  plain, kept as text when it was quoted or a block;
* line numbers: the top-level mappings and the mappings in top-level lists
  (the source, each recommendation, finding or owner) and the top-level
  keys get their line from ryml's tree at once; any other line (of a key in
  a recommendation, of a nested mapping) is asked for only by a message, and
  is then taken from the strict loader reading the same text
  (:class:`~diasporatrack.nativelines.Locator`).

``DIASPORATRACK_NATIVE_YAML=0`` turns the native path off; it is loaded
by :func:`yamlio.use_native` for a read of many files.
"""

from __future__ import annotations

import gc
import json
import os
import re
from typing import Any

from . import yamlio
from .nativelines import Addresses, Lines, Locator, Unsure
from .textsafety import control_character

ENV = yamlio.NATIVE_ENV

try:
    import ryml
except ImportError:  # the fast extra is not installed: the strict loader reads everything
    ryml = None

# Raw bytes the fast path leaves to the strict loader: control characters (tab included: where
# it may stand differs between the two YAML versions), DEL, and a carriage return left alone.
_ODD_BYTES = bytes(range(0x20)).replace(b"\n", b"") + b"\x7f"
_PLAIN_BYTES = bytes(b for b in range(256) if b not in _ODD_BYTES)
# Beyond ASCII: the C1 controls (refused), NEL, U+2028, U+2029 (line breaks to the strict reader),
# a byte-order mark inside the text, U+FFFE and U+FFFF.
_ODD_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_ODD_CHARS = ("\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff")
# Anchors, aliases, tags, directives and reserved indicators where a node may start, explicit keys,
# and document markers send a file to the strict loader (so does text that merely looks like one,
# ``Note: *this*``: it is only slower).
_INDICATOR = re.compile(rb"[&*!%@`?|>]")
# A block scalar's header alone on the rest of its line, without an indentation indicator or a comment
# (ryml reads a "-" or "+" in that comment as a chomping indicator).
_BLOCK_HEADER = re.compile(rb"[|>][-+]?[ ]*")
_NODE_START = frozenset(b"\n-:?,[{")
_DOCUMENT = re.compile(rb"^(?:---|\.\.\.)(?:[ \n]|$)", re.M)


def _plain_text(text: str, raw: bytes) -> bool:
    """Whether ``text`` (``raw`` in UTF-8) holds only what both parsers read alike."""
    if raw.translate(None, _PLAIN_BYTES):
        return False
    if not text.isascii():
        if b"\xc2" in raw and _ODD_UTF8.search(raw) is not None:
            return False
        if any(char in text for char in _ODD_CHARS):
            return False
    for found in _INDICATOR.finditer(raw):
        at = found.start()
        before = at - 1
        while before >= 0 and raw[before] == 0x20:
            before -= 1
        if before < 0 or raw[before] in _NODE_START:
            char = raw[at]
            if char in b"|>":
                end = raw.find(b"\n", at)
                if _BLOCK_HEADER.fullmatch(raw, at, len(raw) if end < 0 else end) is None:
                    return False
            elif char != 0x3F or raw[at + 1:at + 2] in (b"", b" ", b"\n"):  # "?" starts a key only before a space
                return False
    if (b"---" in raw or b"..." in raw) and _DOCUMENT.search(raw) is not None:
        return False
    return True


def load(text: str) -> Any:
    """The values of one YAML document holding a mapping, as :func:`yamlio.load_yaml` reads it; None if unsure."""
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")  # a line break in any scalar reads as \n either way
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    if not _plain_text(text, raw):
        return None
    buf = bytearray(raw)
    try:
        with _quiet_stderr():
            tree = ryml.parse_in_place(buf)
            emitted = ryml.emit_json(tree)
    except Exception:  # noqa: BLE001 - ryml raises its own kinds; the strict loader will say what is wrong
        return None
    locator = Locator(text)
    reader = _Reader("\\" in text, locator)
    collecting = gc.isenabled()
    gc.disable()  # many small containers, no cycles: the collector would only walk them again and again
    try:
        value = json.loads(emitted, object_pairs_hook=reader.mapping, parse_int=_int, parse_float=_float,
                           parse_constant=_refuse)
        if value.__class__ is not yamlio.LocatedDict:
            return None
        if reader.lists_of_mappings - {id(item) for item in value.values()}:
            return None  # mappings in a list deeper down: [a: b] and [a:] are read differently by YAML 1.1
        _place(tree, buf, raw, value, reader.pending, reader.lists_of_mappings)
    except (Unsure, ValueError, RecursionError, TypeError):
        return None
    finally:
        if collecting:
            gc.enable()
    locator.root = value
    return value


# --- values --------------------------------------------------------------------------------------

_RESOLVERS = yamlio._StrictResolver.yaml_implicit_resolvers


def _typed_tag(value: str) -> str | None:
    """The tag the strict rules give ``value`` written plain, if it is not text."""
    for tag, regexp in _RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return None


_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"-?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


def _int(text: str) -> int:
    if not _INT.match(text) or len(text.lstrip("-")) > yamlio.MAX_DIGITS:
        raise Unsure
    return int(text)


def _float(text: str) -> float:
    if not _FLOAT.match(text):  # 1e3 is text to the strict rules, and a number to JSON
        raise Unsure
    return float(text)


def _refuse(text: str) -> Any:
    raise Unsure


class _Reader:
    """Builds each JSON object as a LocatedDict, refusing what only the strict loader can read."""

    def __init__(self, escapes: bool, locator: Any) -> None:
        self.escapes = escapes  # escapes can write characters a double-quoted value may not hold
        self.locator = locator
        self.pending: list[tuple[Any, str]] = []  # (mapping, key) of values typed by their style
        self.lists_of_mappings: set[int] = set()  # only the top-level ones are looked at in the tree

    def mapping(self, pairs: list[tuple[str, Any]]) -> Any:
        data = yamlio.LocatedDict(pairs)
        data.lines_from(self.locator)
        if len(data) != len(pairs):
            raise Unsure  # a duplicate key
        escapes = self.escapes
        for key, value in pairs:
            if key not in _TEXT_KEYS:
                if not key or _doubtful(key) or (escapes and control_character(key) is not None):
                    raise Unsure  # a key the strict rules would not read as text (1, true, ~, <<, a date)
                if len(_TEXT_KEYS) < 4096:
                    _TEXT_KEYS.add(key)
            kind = value.__class__
            if kind is str:
                if escapes and control_character(value) is not None:
                    raise Unsure  # written by an escape in double quotes: the strict loader refuses it
                if value[:1] in _DOUBTFUL_FIRST and _doubtful(value):
                    self.pending.append((data, key))
            elif kind is list:
                for item in value:
                    kind = item.__class__
                    if kind is str:
                        if (item[:1] in _DOUBTFUL_FIRST and _doubtful(item)) or \
                                (escapes and control_character(item) is not None):
                            raise Unsure  # typed by its style, which is not looked up inside lists
                    elif kind is list:
                        raise Unsure  # lists of lists are rare: not worth looking into
                    elif kind is yamlio.LocatedDict:
                        self.lists_of_mappings.add(id(value))
        return data


_TEXT_KEYS: set[str] = set()  # keys already seen to be text (field names, mostly)
# A plain scalar may not start with these (nor with "- ", "? ", ": "): the strict loader refuses it.
_INDICATORS = frozenset(",[]{}#&*!|>'\"%@`-?:")
_DOUBTFUL_FIRST = frozenset(_RESOLVERS) | _INDICATORS


def _doubtful(value: str) -> bool:
    """Whether ``value``, read as text, may be something else (or an error) if it was written plain."""
    return value[:1] in _INDICATORS or _typed_tag(value) is not None


def _plain_value(value: str) -> Any:
    """What the strict loader makes of ``value`` written plain; Unsure if it refuses it."""
    first = value[:1]
    if first in _INDICATORS and (first not in "-?:" or value[1:2] in ("", " ")):
        raise Unsure
    return _typed(value) if _typed_tag(value) is not None else value


def _typed(value: str) -> Any:
    """``value`` constructed as the strict loader constructs a plain scalar."""
    global _CONSTRUCTOR
    import yaml

    if _CONSTRUCTOR is None:
        _CONSTRUCTOR = yamlio._LocatingConstructor()
    node = yaml.ScalarNode(_typed_tag(value), value)
    construct = _CONSTRUCTOR.yaml_constructors.get(node.tag)
    if construct is None:  # a merge key's << as a value: the strict loader refuses it
        raise Unsure
    try:
        return construct(_CONSTRUCTOR, node)
    except yaml.YAMLError:
        raise Unsure from None


_CONSTRUCTOR: Any = None


# --- the tree: lines and styles ------------------------------------------------------------------


def _place(tree: Any, buf: bytearray, raw: bytes, root: Any, pending: list[tuple[Any, str]],
           lists: set[int]) -> None:
    """Give the top-level mappings and those in top-level lists their lines; type the pending values."""
    addr = Addresses(buf)
    none = ryml.NONE
    node_of: dict[int, int] = {}
    lines = Lines(raw)
    api = ryml.ryml._ryml  # the wrapper's methods add a Python call to each of these
    is_map, is_flow, first, key_of = api.Tree_is_map, api.Tree_is_flow, api.Tree_first_child, api.Tree_key

    def locate(data: Any, node: int) -> None:
        if not is_map(tree, node) or is_flow(tree, node):
            raise Unsure  # {a: 1} starts at its brace, which the tree does not keep
        child = first(tree, node)
        if child == none:
            raise Unsure
        data._line = lines.at(addr.of(key_of(tree, child)))
        node_of[id(data)] = node

    top = tree.root_id()
    locate(root, top)
    child = tree.first_child(top)
    keys = {}
    for key, value in root.items():
        keys[key] = lines.at(addr.of(key_of(tree, child)))  # asked for by every message about a part
        if value.__class__ is root.__class__:
            locate(value, child)
        elif value.__class__ is list and tree.is_seq(child):
            if id(value) in lists and is_flow(tree, child):
                raise Unsure  # a flow list of mappings ([a: b]): the strict loader has its own rules
            item = tree.first_child(child)
            for entry in value:
                if entry.__class__ is root.__class__:
                    locate(entry, item)
                item = tree.next_sibling(item)
        child = tree.next_sibling(child)
    root._keys = keys
    for data, key in pending:
        node = node_of.get(id(data))
        if node is None:
            raise Unsure
        child = tree.find_child(node, key.encode("utf-8"))
        if child == none:
            raise Unsure
        if not (tree.is_val_quoted(child) or tree.is_val_literal(child) or tree.is_val_folded(child)):
            data[key] = _plain_value(data[key])


class _quiet_stderr:
    """ryml prints its parse errors on the standard error stream: the strict loader reports them instead."""

    saved: int | None = None

    def __enter__(self) -> None:
        import sys

        try:
            if sys.stderr is not None:
                sys.stderr.flush()
            self.saved = os.dup(2)
            null = os.open(os.devnull, os.O_WRONLY)
        except (OSError, ValueError):  # no standard error stream at all: nothing to keep quiet
            self.saved = None
            return
        os.dup2(null, 2)
        os.close(null)

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None:
            os.dup2(self.saved, 2)
            os.close(self.saved)
