"""OHCHR's thematic list of the UPR recommendations a State received: its layout, read.

OHCHR publishes, for each State, its recommendations clustered by theme as
a Word table. A row spanning the table (``Theme: ...``) opens each group;
then one row per recommendation, with these cells (found by their header,
case ignored):

- *Recommendation*: the paragraph number, the text, the recommending States
  in brackets at the end, and the document that records the State's
  position: ``140.7 Ratify ... (Maldives) (Portugal)`` then
  ``Source of Position: A/HRC/59/15/Add.1 - Para.3``;
- *Position*: ``Supported`` or ``Noted``;
- *themes* (``Full list of themes``): one theme a line, then, under the
  label ``Groups of Persons`` (or ``Affected persons``), one group a line;
- *SDGs*: one goal or target a line, ``5 - GENDER EQUALITY``;
- optionally the *State under review* (else ``--state``) and an
  *Assessment* column, kept in ``extra``.

The paragraph number is the recommendation's ``reference`` and, after the
source id, its id, so a refreshed list re-imports onto the same ids. The
preset (``builtin/importers/ohchr.py``) applies these functions to the rows
of the Word or Excel reader: :func:`prepare` before the columns are mapped,
:func:`source_block` and :func:`finish` after.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs

from ..errors import InputError
from .checks import clip, slug

DESCRIPTION = "OHCHR's thematic list of UPR recommendations (a Word table; --state when it has no State column)"
COLUMNS = {
    "text": ("recommendation", "recommendations"),
    "response": ("position", "response"),
    "themes": ("full list of themes", "themes", "theme"),
    "sdgs": ("sdgs", "sdg", "sustainable development goals"),
    "addressed_to": ("state under review", "country", "sur"),
    "extra.assessment": ("assessment/comments on level of implementation", "assessment", "comments"),
}
RESPONSES = {"supported": "supported", "noted": "noted", "supported in part": "supported-in-part",
             "partially supported": "supported-in-part"}
PUBLISHER = "UN Human Rights Council, Universal Periodic Review"

_NUMBER = re.compile(r"^\s*(\d{1,4}(?:\.\d{1,4})+)\.?\s+")
_POSITION_SOURCE = re.compile(r"^\s*source\s+of\s+position\s*:\s*(.*?)\s*$", re.IGNORECASE)
_PERSONS_LABEL = re.compile(r"^\s*(?:groups?\s+of\s+persons|affected\s+persons)\s*:?\s*(.*)$", re.IGNORECASE)
_THEMES_LABEL = re.compile(r"^\s*(?:full\s+list\s+of\s+)?themes?\s*:\s*(.*)$", re.IGNORECASE)
_SDG = re.compile(r"^\s*(?:SDG\s*)?(\d{1,2}(?:\.[0-9a-z]{1,2})?)(?:\s*[-–—:]\s*.*|\s*)$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-–•*·]\s*")
_SYMBOL = re.compile(r"\s*([A-Z]+(?:/[A-Za-z0-9.]+)+?)(?:/Add\.\d+)?(?:\s|$|-)")
_THEME_ROW = re.compile(r"^\s*theme\s*:\s*", re.IGNORECASE)


def split_states(text: str) -> tuple[str, list[str]]:
    """The text without its trailing bracketed States, and the States in order.

    Brackets nest (``(Iran (Islamic Republic of))``); a bracket without a
    lower-case letter (``(CEDAW)``, ``(2024)``) belongs to the text.
    """
    states: list[str] = []
    rest = text.rstrip(" ;.,\n")
    while rest.endswith(")"):
        depth, start = 0, None
        for index in range(len(rest) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(rest[index], 0)
            if depth == 0:
                start = index
                break
        if start is None:
            break
        inner = " ".join(rest[start + 1:-1].split())
        if not any(c.islower() for c in inner):
            break
        states.insert(0, inner)
        rest = rest[:start].rstrip(" ;,\n")
    return (rest, states) if states else (text.strip(), states)


def split_themes(cell: str) -> tuple[list[str], list[str]]:
    """Themes, one a line, and the groups of persons under their own label."""
    themes: list[str] = []
    persons: list[str] = []
    target = themes
    for line in cell.splitlines():
        label = _PERSONS_LABEL.match(line)
        if label:
            target, line = persons, label.group(1)
        else:
            label = _THEMES_LABEL.match(line)
            if label:
                target, line = themes, label.group(1)
        line = _BULLET.sub("", line).strip()
        if line and line not in target:
            target.append(line)
    return themes, persons


def sdg_codes(cell: str) -> list[str]:
    """``5 - GENDER EQUALITY`` and ``16.1 - ...``, one a line, as codes; ValueError for a line that is not one."""
    codes = []
    for line in cell.splitlines():
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        code = _SDG.match(line)
        if code is None:
            raise ValueError(f"SDGs: {clip(line)} does not start with a goal or target number "
                             "(such as '5 - GENDER EQUALITY')")
        codes.append(code.group(1).lower())
    return codes


def _column(cells: dict[str, str], names) -> str | None:
    keys = {" ".join(column.casefold().split()): column for column in cells}
    return next((keys[name] for name in names if name in keys), None)


def prepare(rows: Iterator, state: str | None, themes: dict[int, str]) -> Iterator:
    """The rows of the list without its ``Theme:`` rows (each row's theme put in ``themes``), SDGs as codes."""
    theme: str | None = None
    first = True
    for row in rows:
        if first and not row.problem:
            first = False
            if state is None and _column(row.cells, COLUMNS["addressed_to"]) is None:
                raise InputError("give --state NAME: the list has no State-under-review column")
        values = list(row.cells.values())
        heading = getattr(row, "heading", False) or (
            values and _THEME_ROW.match(values[0]) and not any(v.strip() for v in values[1:]))
        if heading and not row.problem:
            theme = _THEME_ROW.sub("", values[0]).strip() or None
            continue  # a heading of the table, not a recommendation
        if theme:
            themes[row.number] = theme
        column = _column(row.cells, COLUMNS["sdgs"])
        if column and not row.problem:
            try:
                row = attrs.evolve(row, cells={**row.cells, column: "\n".join(sdg_codes(row.cells[column]))})
            except ValueError as err:
                row = attrs.evolve(row, problem=str(err))
        yield row


def _symbol(text: str) -> str | None:
    for line in text.splitlines():
        position = _POSITION_SOURCE.match(line)
        found = _SYMBOL.match(position.group(1)) if position else None
        if found:
            return found.group(1)
    return None


def source_block(rec: dict[str, Any], state: str | None) -> dict[str, Any]:
    """The source of a row: the report its Source of Position names (``A/HRC/59/15``, without the addendum)."""
    symbol = _symbol(rec.get("text") or "")
    if symbol is None:
        raise InputError("give --source ID: the list names no report to take the source's id from (no "
                         "'Source of Position: A/HRC/...' line)")
    who = ", ".join(rec.get("addressed_to") or ([state] if state else []))
    return {"id": slug(symbol), "title": f"UPR recommendations to {who} ({symbol})" if who else symbol,
            "publisher": PUBLISHER, "kind": "upr-recommendations"}


def finish(rec: dict[str, Any], theme: str | None, state: str | None, source_id: str) -> dict[str, Any]:
    """The record of a row, its Recommendation cell taken apart; ValueError says why a row is refused."""
    lines, positions = [], []
    for line in (rec.get("text") or "").splitlines():
        found = _POSITION_SOURCE.match(line)
        if found:
            positions.append(found.group(1))
        elif line.strip():
            lines.append(line.strip())
    body = "\n".join(lines)
    number = _NUMBER.match(body)
    if not number:
        raise ValueError(f"the recommendation does not start with its paragraph number (such as 140.7): "
                         f"{clip(body, 40)}")
    text, states = split_states(body[number.end():])
    if not text:
        raise ValueError(f"paragraph {number.group(1)} has no text")
    if not rec.get("addressed_to"):
        if not state:
            raise ValueError("the State under review is empty (--state names it for every row)")
        rec["addressed_to"] = [state]
    themes, persons = split_themes("\n".join(rec.get("themes") or ()))
    rec.update(id=f"{source_id}-{number.group(1)}", text=text, quote=text, reference=number.group(1),
               author=states, affected_persons=persons,
               themes=list(dict.fromkeys(slug(t) for t in ([theme] if theme else []) + themes)))
    if positions:
        rec["extra"] = {**(rec.get("extra") or {}), "source_of_position": "; ".join(positions)}
    return rec
