"""Changing many recommendations of one large source file, each by splicing its own lines.

:class:`~diasporatrack.yamledit.Document` parses a whole file and checks it
again after every change: right for one ``set``, too slow for an import that
changes a thousand recommendations of a file of ten thousand. Here the file
is scanned once with libyaml's event parser (no nodes are built) for where
each item of ``recommendations:`` starts and ends; each changed item is then
edited as a small Document of its own lines (which checks the change), and
the items are put back in place. Added items go after the last one, removed
ones are cut out; every other byte of the file stays as it was. The result
is scanned again: the same ids must be found, in the order intended.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import attrs

from ..yamledit import Document, EditError


@attrs.define
class Items:
    """Where the items of a file's ``recommendations:`` list are, by id."""

    spans: dict[str, tuple[int, int]]  # id -> (start of the item's first line, start of the next item's)
    order: list[str]
    end: int  # where an added item goes
    dash_column: int
    block: bool  # a block list with items (else the whole file is changed through a Document)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


_LIST_KEY = re.compile(r"^recommendations:[ \t]*(?:#.*)?$", re.MULTILINE)
_FIRST_ITEM = re.compile(r"^( *)([^\s#])", re.MULTILINE)  # the first line under the key: not blank, no comment


def scan(text: str, name: str, ids: Collection[str] | None = None) -> Items:
    """The items of ``recommendations:``; raises :class:`EditError` when the file is not laid out as expected.

    With ``ids`` (the ids the file is known to hold) the lines are read as
    text, which is many times faster than parsing: items start at the
    column of the first dash. Should the ids found there not be exactly
    ``ids``, the file is parsed instead.
    """
    if ids is not None:
        found = _scan_lines(text)
        if found is not None and len(found.order) == len(found.spans) and set(found.order) == set(ids):
            return found
    return _scan_events(text, name)


def _scan_lines(text: str) -> Items | None:
    """The items of a block list found by their dashes, or None when the layout is not the simple one."""
    head = _LIST_KEY.search(text)
    if head is None:
        return None
    first = _FIRST_ITEM.search(text, head.end())
    if first is None or first.group(2) != "-":
        return None  # `recommendations: []` on the next line, or not a block list
    pad = len(first.group(1))
    start = first.start(2) - pad
    # The list ends at the first line (not blank, not a comment) indented less than its dashes, or at
    # the dashes' column without a dash.
    ender = re.compile(r"^(?: {0,%d}[^\s#]|(?= {%d}[^\s#-]))" % (pad - 1, pad) if pad else r"^[^\s#-]", re.MULTILINE)
    stop = ender.search(text, start)
    end = stop.start() if stop else len(text)
    if re.compile(r"^(?:---|\.\.\.)", re.MULTILINE).search(text, start, end):
        return None
    starts = [m.start() for m in re.compile(r"^ {%d}-(?=[ \r\n]|$)" % pad, re.MULTILINE).finditer(text, start, end)]
    id_line = re.compile(r"^(?: {%d}- *| {%d})id:[ \t]*([A-Za-z0-9._:-]+)[ \t]*(?:#[^\n]*)?\r?$" % (pad, pad + 2),
                         re.MULTILINE)
    bounds = starts + [end]
    ids = []
    for n, at in enumerate(starts):
        found = id_line.search(text, at, bounds[n + 1])
        if found is None:
            return None
        ids.append(found.group(1))
    spans = {rec_id: (bounds[n], bounds[n + 1]) for n, rec_id in enumerate(ids)}
    return Items(spans, ids, end, pad, True)


def _scan_events(text: str, name: str) -> Items:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    starts: list[tuple[str | None, int]] = []  # (id, where the item's node starts)
    depth, root_key_next, key, in_list, block, end = 0, True, None, False, False, None
    item_key_next, want_id, item_id = False, False, None
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if depth == 1 and key == "recommendations" and isinstance(event, yaml.SequenceStartEvent):
                    in_list, block = True, not event.flow_style
                elif in_list and depth == 2:  # an item starts
                    starts.append((None, event.start_mark.index))
                    item_key_next, want_id, item_id = True, False, None
                depth += 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if depth == 1:  # a value of the top mapping is complete
                    if in_list:
                        in_list, end = False, event.start_mark.index
                    root_key_next = True
                elif in_list and depth == 2:  # an item is complete
                    starts[-1] = (item_id, starts[-1][1])
                elif in_list and depth == 3:  # a list or mapping value of an item's field is complete
                    item_key_next = True
            elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                value = getattr(event, "value", None)
                if depth == 1:
                    key, root_key_next = (value, False) if root_key_next else (key, True)
                elif in_list and depth == 2:  # a scalar item: not a recommendation
                    starts.append((None, event.start_mark.index))
                elif in_list and depth == 3:
                    if item_key_next:
                        want_id, item_key_next = value == "id", False
                    else:
                        if want_id:
                            item_id = value
                        want_id, item_key_next = False, True
    except yaml.YAMLError as err:
        raise EditError(f"{name}: not valid YAML: {err}") from None
    if end is None:
        raise EditError(f"{name}: no 'recommendations:' list")
    spans: dict[str, tuple[int, int]] = {}
    order: list[str] = []
    if block and starts:
        first = starts[0][1]
        dash = text.rfind("-", 0, first)
        dash_column = dash - _line_start(text, dash)
        bounds = [_line_start(text, text.rfind("-", 0, s)) for _, s in starts] + [_line_start(text, end)
                                                                                  if end < len(text) else len(text)]
        for n, (item_id, _) in enumerate(starts):
            if item_id is None:
                raise EditError(f"{name}:{text.count(chr(10), 0, bounds[n]) + 1}: an item without an id")
            spans[item_id] = (bounds[n], bounds[n + 1])
            order.append(item_id)
        return Items(spans, order, bounds[-1], dash_column, True)
    return Items(spans, order, end, 0, False)


def rewrite(text: str, name: str, *, changes: Mapping[str, Mapping[str, Any]] = {},
            added: Iterable[str] = (), removed: Iterable[str] = (), ids: Collection[str] | None = None) -> str:
    """``text`` with fields of items changed (id -> field -> value, None removes), ``added`` items (YAML text of
    a block list at column 0) appended, and ``removed`` ids cut out.

    Raises :class:`EditError` if any change cannot be made in place.
    """
    removed = set(removed)
    added_text = "".join(added)
    items = scan(text, name, ids)
    if not items.block:
        return _whole(text, name, changes, added_text, removed)
    nl = "\r\n" if "\r\n" in text else "\n"
    pieces: list[tuple[int, int, str]] = []
    for rec_id, fields in changes.items():
        start, stop = items.spans[rec_id]
        doc = Document(text[start:stop], f"{name}: {rec_id}")
        for field, value in fields.items():
            doc.set((0, field), value)
        pieces.append((start, stop, doc.text))
    for rec_id in removed:
        start, stop = items.spans[rec_id]
        pieces.append((start, stop, ""))
    if len(removed) == len(items.order) and not added_text:
        return _whole(text, name, {}, "", removed)  # `recommendations: []`, not a key with nothing under it
    if added_text:
        pad = " " * items.dash_column
        lines = added_text.split("\n")
        block = nl.join(pad + line if line else line for line in lines)
        lead = nl if items.end == len(text) and text and not text.endswith("\n") else ""
        pieces.append((items.end, items.end, lead + block))
    out = []
    at = 0
    for start, stop, new in sorted(pieces, key=lambda p: (p[0], p[1])):
        out.append(text[at:start])
        out.append(new)
        at = stop
    out.append(text[at:])
    result = "".join(out)
    expected = [i for i in items.order if i not in removed] + added_ids(added_text)
    if scan(result, name, expected).order != expected:
        raise EditError(f"{name}: the changed file would not read back as intended; change it by hand")
    return result


def added_ids(text: str) -> list[str]:
    """The ids of items written by the importer's dumper (``- id: X`` lines at column 0)."""
    return [line[6:].strip().strip("'\"") for line in text.splitlines() if line.startswith("- id: ")]


def _whole(text: str, name: str, changes: Mapping[str, Mapping[str, Any]], added_text: str,
           removed: set[str]) -> str:
    """The same through one Document of the whole file: for a flow-style or empty list (a small file)."""
    from ..yamlio import load_yaml

    doc = Document(text, name)
    items = list(doc.value(("recommendations",)) or [])
    index = {item.get("id"): n for n, item in enumerate(items) if isinstance(item, dict)}
    for rec_id, fields in changes.items():
        for field, value in fields.items():
            doc.set(("recommendations", index[rec_id], field), value)
    items = [item for item in doc.value(("recommendations",)) or [] if item.get("id") not in removed]
    if added_text:
        items += load_yaml(None, added_text)  # type: ignore[arg-type]
    doc.set(("recommendations",), items)
    return doc.text
