"""Spreadsheets saved as CSV or TSV: one row per recommendation, or a UPR database export."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import ID_PATTERN
from ..textsafety import control_character, describe_character
from .checks import (
    CHECKED,
    FIELDS,
    FREE_TEXT,
    LIST_FIELDS,
    Rows,
    check_field,
    check_links,
    check_sources,
    check_texts,
    clip,
    slug,
    source_id_problem,
    split_list,
    title_from,
    unneutralise,
)
from .plan import DraftSet, ImportPlan
from .encodings import label
from .table import close_table, open_table

# UPR databases label their columns in several ways; matched without case.
UPR_COLUMNS = {
    "text": ("recommendation", "recommendation text", "text"),
    "author": ("recommending state", "recommending states", "from", "recommending country"),
    "addressed_to": ("state under review", "sur", "country under review", "to"),
    "response": ("response", "position", "response to recommendation"),
    "themes": ("issues", "issue", "themes", "theme", "thematic issues"),
    "session": ("session", "upr session"),
    "cycle": ("cycle", "upr cycle"),
}
UPR_RESPONSES = {
    "supported": "supported", "accepted": "supported", "support": "supported",
    "supported in part": "supported-in-part", "partially supported": "supported-in-part",
    "supported-in-part": "supported-in-part", "noted": "noted", "rejected": "noted", "not supported": "noted",
    "no response": "no-response", "pending": "no-response", "no-response": "no-response",
}


def plan_csv(tracker, path: Path, *, source: str | None = None, mapping: Iterable[str] = (),
             preset: str | None = None, create_owners: bool = False, title: str | None = None,
             encoding: str | None = None, delimiter: str | None = None, dry_run: bool = False) -> ImportPlan:
    """Plan the import of a spreadsheet saved as CSV or TSV.

    The encoding and the delimiter are guessed unless given. Every row is
    checked; any problem raises :class:`WorkspaceError` listing them all,
    and nothing is kept. With ``dry_run`` only counts are kept (the plan
    cannot be written); otherwise the rows are staged beside their target
    files, ready for :meth:`ImportPlan.write`.
    """
    if preset not in (None, "upr"):
        raise InputError(f"unknown preset {preset!r}; presets: upr")
    table = open_table(Path(path), encoding=encoding, delimiter=delimiter)
    drafts = DraftSet(tracker.root, dry_run)
    try:
        if preset == "upr":
            plan = _plan_upr(tracker, table, drafts)
        else:
            plan = _plan_rows(tracker, table, drafts, source=source, mapping=mapping, create_owners=create_owners,
                              title=title)
    except BaseException:
        drafts.discard()
        raise
    finally:
        close_table(table)
    if label(table.encoding) != "UTF-8" or table.delimiter != ",":
        plan.read_as = table.describe()  # the unusual is said, each guess with the option that overrides it
    return plan


def _columns(table) -> dict[str, int]:
    """Column index by name (case ignored); a name given twice is refused: one of the two would be lost."""
    columns: dict[str, int] = {}
    for index, name in enumerate(table.header):
        key = name.casefold()
        if key and key in columns:
            raise InputError(f"{table.path}:{table.header_line}: the header names the column {clip(name)} twice "
                             f"(columns {columns[key] + 1} and {index + 1}); rename one")
        columns[key] = index
    return columns


def _plan_rows(tracker, table, drafts: DraftSet, *, source, mapping, create_owners, title) -> ImportPlan:
    path, header = table.path, table.header
    columns = _columns(table)
    fields: dict[str, int] = {name: columns[name] for name in FIELDS if name in columns}
    source_column = columns.get("source")
    for entry in mapping:
        column, _, field = entry.partition("=")
        column, field = column.strip().casefold(), field.strip()
        if field not in FIELDS:
            raise InputError(f"--map {entry}: {field!r} is not a field; fields: {', '.join(FIELDS)}")
        if column not in columns:
            raise InputError(f"--map {entry}: the file has no column {column!r}; columns: {', '.join(header)}")
        fields[field] = columns[column]
    if "text" not in fields and "title" not in fields:
        raise InputError(f"{path}: no 'text' or 'title' column; name one with --map COLUMN=text")
    if source is None and source_column is None:
        raise InputError("give --source ID: the file has no 'source' column")
    if source is not None:
        check_sources(tracker, [source])
    rows = Rows(path)
    owners_needed: dict[str, tuple[int, int]] = {}
    seen: dict[str, int] = {}
    bad_sources: set[str] = set()
    links: list[tuple[int, str, dict]] = []  # parents and citations, checked once every row is read
    for row, line, cells in table.rows(rows):
        cell = {f: unneutralise(cells[i]) for f, i in fields.items()}
        source_id = source or cells[source_column].strip()
        if source_id not in drafts:
            problem = "no source" if not source_id else source_id_problem(tracker, source_id)
            if problem:
                if source_id not in bad_sources:
                    rows.bad(line, f"row {row}: {problem}")
                    bad_sources.add(source_id)
                continue
            drafts.new({"id": source_id, "title": title or source_id})
        rec: dict[str, Any] = {}
        for field in FIELDS:
            # Free text is kept exactly as written; codes and dates lose stray spaces.
            value = cell.get(field, "") if field in FREE_TEXT else cell.get(field, "").strip()
            if not value:
                continue
            value = value.replace("\r\n", "\n").replace("\r", "\n")  # a line break in a cell is a line break
            bad = control_character(value)
            if bad is not None:  # the workspace could not read it back: refused here, by row
                rows.bad(line, f"row {row}: {field}: control character {describe_character(bad)} is not allowed "
                               "(only newline and tab are)")
                continue
            rec[field] = (split_list(value) if field in LIST_FIELDS
                          else check_field(rows, line, field, value, tracker, f"row {row}"))
            if field in LIST_FIELDS and field in CHECKED:  # sdgs, cites: each item checked too
                rec[field] = check_field(rows, line, field, rec[field], tracker, f"row {row}")
        if not rec.get("text", "").strip():
            if rec.get("title", "").strip():
                rec["text"] = rec["title"]
            else:
                rows.bad(line, f"row {row}: the recommendation text is empty")
                continue
        rec.setdefault("title", title_from(rec["text"]))
        rec.setdefault("id", f"{source_id}-{row - 1:04d}")
        check_texts(rows, line, f"row {row}", rec)
        if rec["id"] in seen:
            rows.bad(line, f"row {row}: id {clip(rec['id'])} is also on row {seen[rec['id']]}")
        elif rec["id"] in tracker:
            rows.bad(line, f"row {row}: id {clip(rec['id'])} is already in the workspace")
        seen[rec["id"]] = row
        for owner in rec.get("owners", []):
            if not re.fullmatch(ID_PATTERN, owner):
                rows.bad(line, f"row {row}: owner {clip(owner)} is not a valid id (letters, digits and . _ : - "
                               "only; owners are named by their id from owners.yaml)")
            elif owner not in tracker.owners:
                owners_needed.setdefault(owner, (row, line))
        links.append((line, f"row {row}", {"id": rec["id"], "parent": rec.get("parent"), "cites": rec.get("cites")}))
        if not rows:  # once a row is wrong nothing will be written: stop staging
            drafts.add(source_id, {k: rec.get(k) for k in FIELDS})
    check_links(rows, tracker, links, ())
    if not create_owners:
        for owner, (row, line) in owners_needed.items():
            rows.bad(line, f"row {row}: unknown owner {owner!r} (add it to owners.yaml, or import with "
                           "--create-owners)")
    if not drafts.drafts and not rows:
        raise InputError(f"{path}: no recommendations in the file")
    rows.done()
    return drafts.plan(new_owners=[{"id": o, "name": o} for o in owners_needed])


def _plan_upr(tracker, table, drafts: DraftSet) -> ImportPlan:
    path = table.path
    columns = _columns(table)
    found = {}
    for field, names in UPR_COLUMNS.items():
        for name in names:
            if name in columns:
                found[field] = columns[name]
                break
    missing = [f for f in ("text", "addressed_to") if f not in found]
    if missing:
        wanted = "; ".join(f"{f}: one of {', '.join(repr(n) for n in UPR_COLUMNS[f])}" for f in missing)
        raise InputError(f"{path}: not a UPR recommendations file: missing columns ({wanted})")
    rows = Rows(path)
    counts: dict[str, int] = {}
    bad_sources: set[str] = set()
    for row, line, cells in table.rows(rows):

        def cell(field: str) -> str:
            index = found.get(field)
            return cells[index].strip() if index is not None else ""

        text, state = cell("text"), cell("addressed_to")
        if not text:
            rows.bad(line, f"row {row}: the recommendation text is empty")
            continue
        if not state:
            rows.bad(line, f"row {row}: the state under review is empty")
            continue
        raw_response = cell("response")
        response = UPR_RESPONSES.get(" ".join(raw_response.casefold().split())) if raw_response else None
        if raw_response and response is None:
            rows.bad(line, f"row {row}: unknown response {clip(raw_response)} (expected supported, noted, ...)")
            continue
        if response is not None and response not in tracker.responses:
            rows.bad(line, f"row {row}: response {response!r} is not in this workspace's vocabulary")
            continue
        session, cycle = cell("session"), cell("cycle")
        source_id = "upr-" + slug("-".join(p for p in (f"cycle {cycle}" if cycle else "",
                                                            f"session {session}" if session else "",
                                                            "" if session else state) if p))
        if source_id not in drafts:
            problem = source_id_problem(tracker, source_id)
            if problem:
                if source_id not in bad_sources:  # said once, not on each of its rows
                    rows.bad(line, f"row {row}: {problem}")
                    bad_sources.add(source_id)
                continue
            heading = "UPR " + ", ".join(p for p in (f"cycle {cycle}" if cycle else "",
                                                     f"session {session}" if session else "") if p)
            drafts.new({
                "id": source_id, "title": heading.strip() if heading != "UPR " else f"UPR recommendations to {state}",
                "publisher": "UN Human Rights Council, Universal Periodic Review", "kind": "upr-recommendations",
                "note": f"Imported from {path.name}."})
        counts[source_id] = counts.get(source_id, 0) + 1
        themes = [t for t in re.split(r"[;,]", cell("themes")) if t.strip()]
        rec = {
            "id": f"{source_id}-{counts[source_id]:05d}",
            "title": title_from(text),
            "text": text,
            "quote": text,
            "author": cell("author") or None,
            "addressed_to": [state],
            "themes": [slug(t) for t in themes],
            "response": response,
        }
        check_texts(rows, line, f"row {row}", rec)
        if not rows:
            drafts.add(source_id, rec)
    if not drafts.drafts and not rows:
        raise InputError(f"{path}: no recommendations in the file")
    rows.done()
    return drafts.plan()
