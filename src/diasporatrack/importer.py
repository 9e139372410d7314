"""Turning spreadsheets, Markdown lists and exports into new source files.

Every importer reads the whole input first and checks every row; if any row
is bad, it reports each one by row (or line) number and writes nothing. When
all is well it writes one new YAML file per source, never over an existing
file, and appends the owners it had to create to ``owners.yaml`` (keeping
every line already there). Reading the JSON or CSV that ``export`` wrote
gives back the same recommendations, sources and owners; the JSON export's
history goes back into the journal.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from .errors import InputError, Problem, WorkspaceError
from .files import atomic_write
from .model import ID_PATTERN, IMPACTS

LIST_FIELDS = ("addressed_to", "owners", "themes", "links")
FREE_TEXT = ("title", "text", "quote", "author")
FIELDS = ("id", "title", "text", "quote", "author", "addressed_to", "owners", "themes", "status", "response",
          "due", "review_every", "impact", "links")
SOURCE_FIELDS = ("title", "publisher", "kind", "date", "authors", "url", "note")

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


@attrs.define
class Draft:
    """A source file about to be written: its ``source:`` block and recommendations."""

    source: dict[str, Any]
    recommendations: list[dict[str, Any]] = attrs.Factory(list)
    findings: list[dict[str, Any]] = attrs.Factory(list)


@attrs.define
class ImportPlan:
    """What an import will write; ``write`` does it, all or nothing."""

    root: Path
    drafts: list[Draft]
    new_owners: list[dict[str, Any]] = attrs.Factory(list)
    events: list[str] = attrs.Factory(list)  # journal lines (from a JSON export's history)

    def paths(self) -> list[Path]:
        return [self.root / f"{d.source['id']}.yaml" for d in self.drafts]

    def write(self) -> list[Path]:
        """Write the new files; refuses to overwrite anything."""
        for path in self.paths():
            if path.exists():
                raise InputError(f"{path} already exists; nothing was written (import never overwrites a file)")
        written = []
        if self.new_owners:
            written.append(append_owners(self.root, self.new_owners))
        for draft, path in zip(self.drafts, self.paths()):
            atomic_write(path, render(draft))
            written.append(path)
        if self.events:
            from .journal import JOURNAL_NAME, Journal, event_from_dict

            journal = Journal(self.root / JOURNAL_NAME)
            with journal.locked() as fh:
                journal.append(fh, [event_from_dict(json.loads(line)) for line in self.events])
            written.append(journal.path)
        return written


def render(draft: Draft) -> str:
    import yaml

    document: dict[str, Any] = {"source": _clean(draft.source), "recommendations": [_clean(r) for r in
                                                                                      draft.recommendations]}
    if draft.findings:
        document["findings"] = [_clean(f) for f in draft.findings]
    header = ("# yaml-language-server: $schema=.schemas/source.schema.json\n"
              "# Written by `diasporatrack import`; edit freely.\n")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: a UPR file has 80,000 rows
    return header + yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v not in (None, [], "")}


def append_owners(root: Path, owners: Sequence[dict[str, Any]]) -> Path:
    """Add owners to ``owners.yaml`` after the lines already there (never rewriting them)."""
    import yaml

    path = root / "owners.yaml"
    text = path.read_text(encoding="utf-8") if path.exists() else "owners:\n"
    entries = yaml.safe_dump([_clean(o) for o in owners], sort_keys=False, allow_unicode=True, width=100)
    entries = "".join("  " + line + "\n" for line in entries.splitlines())
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if re.match(r"^owners:\s*(\[\s*\]|null|~)?\s*(#.*)?$", line):
            if re.match(r"^owners:\s*$", line.split("#")[0].rstrip() + "\n"):
                new = text if text.endswith("\n") else text + "\n"
                new += entries
            else:  # `owners: []`: the only line that changes, to open the list
                lines[index] = "owners:\n"
                new = "".join(lines[: index + 1]) + entries + "".join(lines[index + 1:])
            break
    else:
        raise InputError(f"{path}: cannot find the 'owners:' list to add imported owners to")
    from .yamlio import YamlProblem, load_yaml

    try:
        load_yaml(path, new)  # never leave a file that does not read back
    except YamlProblem as err:
        raise InputError(f"{path}: adding owners would break the file ({err}); add them by hand") from None
    atomic_write(path, new)
    return path


# --- reading inputs -----------------------------------------------------------------


def _unneutralise(cell: str) -> str:
    # The CSV exporter marks text a spreadsheet would run as a formula; unmark it.
    from .serialize import unsafe_cell

    return unsafe_cell(cell)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug or "item"


def _title_from(text: str, limit: int = 80) -> str:
    first = re.split(r"(?<=[.!?])\s", " ".join(text.split()), maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


class _Rows:
    """Collects located problems; raises them all at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def bad(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(message=message, path=self.path, line=line))

    def done(self) -> None:
        if self.problems:
            raise WorkspaceError(self.problems)


def _check_field(rows: _Rows, line: int | None, field: str, value: Any, tracker, where: str | None = None) -> Any:
    where = where or f"row {line}"
    if field == "id" and not re.match(ID_PATTERN, value):
        rows.bad(line, f"{where}: id {value!r} is not a valid id (letters, digits and . _ : - only)")
    elif field == "due":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            rows.bad(line, f"{where}: due {value!r} is not a date (YYYY-MM-DD)")
    elif field == "review_every":
        if not value.isdigit() or int(value) < 1:
            rows.bad(line, f"{where}: review_every {value!r} is not a whole number of days")
        else:
            return int(value)
    elif field == "impact" and value not in IMPACTS:
        rows.bad(line, f"{where}: impact {value!r} is not one of {', '.join(IMPACTS)}")
    elif field == "status" and value not in tracker.lifecycle:
        rows.bad(line, f"{where}: unknown status {value!r}")
    elif field == "response" and value not in tracker.responses:
        rows.bad(line, f"{where}: unknown response {value!r}")
    return value


def plan_csv(tracker, path: Path, *, source: str | None = None, mapping: Iterable[str] = (),
             preset: str | None = None, create_owners: bool = False, title: str | None = None) -> ImportPlan:
    """Plan the import of a spreadsheet saved as CSV (UTF-8)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:  # newlines inside cells are data
            text = fh.read()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the spreadsheet as CSV UTF-8") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path}: the file is empty") from None
    columns = {name.strip().casefold(): index for index, name in enumerate(header)}
    rows = _Rows(path)
    if preset == "upr":
        return _plan_upr(tracker, path, reader, columns, rows)
    if preset is not None:
        raise InputError(f"unknown preset {preset!r}; presets: upr")
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
        _check_sources(tracker, {source: Draft({"id": source})})
    drafts: dict[str, Draft] = {}
    owners_needed: dict[str, int] = {}
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = {f: _unneutralise(row[i]) if i < len(row) else "" for f, i in fields.items()}
        source_id = source or (row[source_column] if source_column < len(row) else "")
        if not source_id:
            rows.bad(line, f"row {line}: no source")
            continue
        rec: dict[str, Any] = {}
        for field in FIELDS:
            # Free text is kept exactly as written; codes and dates lose stray spaces.
            value = cell.get(field, "") if field in FREE_TEXT else cell.get(field, "").strip()
            if not value:
                continue
            rec[field] = _split(value) if field in LIST_FIELDS else _check_field(rows, line, field, value, tracker)
        if not rec.get("text", "").strip():
            if rec.get("title", "").strip():
                rec["text"] = rec["title"]
            else:
                rows.bad(line, f"row {line}: the recommendation text is empty")
                continue
        rec.setdefault("title", _title_from(rec["text"]))
        rec.setdefault("id", f"{source_id}-{line - 1:04d}")
        if rec["id"] in seen:
            rows.bad(line, f"row {line}: id {rec['id']!r} is also on row {seen[rec['id']]}")
        elif rec["id"] in tracker:
            rows.bad(line, f"row {line}: id {rec['id']!r} is already in the workspace")
        seen[rec["id"]] = line
        for owner in rec.get("owners", []):
            if not re.match(ID_PATTERN, owner):
                rows.bad(line, f"row {line}: owner {owner!r} is not a valid id (letters, digits and . _ : - only; "
                               "owners are named by their id from owners.yaml)")
            elif owner not in tracker.owners:
                owners_needed.setdefault(owner, line)
        draft = drafts.setdefault(source_id, Draft({"id": source_id, "title": title or source_id}))
        draft.recommendations.append({k: rec.get(k) for k in FIELDS})
    if not create_owners:
        for owner, line in owners_needed.items():
            rows.bad(line, f"row {line}: unknown owner {owner!r} (add it to owners.yaml, or import with "
                           "--create-owners)")
    if not drafts and not rows.problems:
        raise InputError(f"{path}: no recommendations in the file")
    rows.done()
    _check_sources(tracker, drafts)
    new_owners = [{"id": o, "name": o} for o in owners_needed]
    return ImportPlan(tracker.root, list(drafts.values()), new_owners)


def _check_sources(tracker, drafts: dict[str, Draft]) -> None:
    for source_id in drafts:
        if not re.match(ID_PATTERN, source_id):
            raise InputError(f"{source_id!r} is not a valid source id (letters, digits and . _ : - only)")
        if source_id in tracker.sources:
            raise InputError(f"source {source_id!r} is already in the workspace; choose another --source")


def _plan_upr(tracker, path: Path, reader, columns: dict[str, int], rows: _Rows) -> ImportPlan:
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
    drafts: dict[str, Draft] = {}
    counts: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str) -> str:
            index = found.get(field)
            return row[index].strip() if index is not None and index < len(row) else ""

        text, state = cell("text"), cell("addressed_to")
        if not text:
            rows.bad(line, f"row {line}: the recommendation text is empty")
            continue
        if not state:
            rows.bad(line, f"row {line}: the state under review is empty")
            continue
        raw_response = cell("response")
        response = UPR_RESPONSES.get(" ".join(raw_response.casefold().split())) if raw_response else None
        if raw_response and response is None:
            rows.bad(line, f"row {line}: unknown response {raw_response!r} (expected supported, noted, ...)")
            continue
        if response is not None and response not in tracker.responses:
            rows.bad(line, f"row {line}: response {response!r} is not in this workspace's vocabulary")
            continue
        session, cycle = cell("session"), cell("cycle")
        source_id = "upr-" + _slug("-".join(p for p in (f"cycle {cycle}" if cycle else "",
                                                             f"session {session}" if session else "",
                                                             "" if session else state) if p))
        draft = drafts.get(source_id)
        if draft is None:
            title = "UPR " + ", ".join(p for p in (f"cycle {cycle}" if cycle else "",
                                                   f"session {session}" if session else "") if p)
            draft = drafts[source_id] = Draft({
                "id": source_id, "title": title.strip() if title != "UPR " else f"UPR recommendations to {state}",
                "publisher": "UN Human Rights Council, Universal Periodic Review", "kind": "upr-recommendations",
                "note": f"Imported from {path.name}."})
        counts[source_id] = counts.get(source_id, 0) + 1
        themes = [t for t in re.split(r"[;,]", cell("themes")) if t.strip()]
        draft.recommendations.append({
            "id": f"{source_id}-{counts[source_id]:05d}",
            "title": _title_from(text),
            "text": text,
            "quote": text,
            "author": cell("author") or None,
            "addressed_to": [state],
            "themes": [_slug(t) for t in themes],
            "response": response,
        })
    if not drafts and not rows.problems:
        raise InputError(f"{path}: no recommendations in the file")
    rows.done()
    _check_sources(tracker, drafts)
    return ImportPlan(tracker.root, list(drafts.values()))


def plan_markdown(tracker, path: Path, *, source: str, title: str | None = None) -> ImportPlan:
    """Plan the import of a Markdown file whose bulleted items are recommendations.

    Each item (``-``, ``*`` or ``1.``) becomes a recommendation; its words are
    kept as the quote. The nearest heading above it becomes a theme; the
    first level-one heading is the source's title unless ``title`` is given.
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    items: list[tuple[int, list[str], str | None]] = []
    heading: str | None = None
    doc_title = title
    current: tuple[int, list[str], str | None] | None = None
    blank_before = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        head = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", stripped)
        bullet = re.match(r"^(?:[-*+]|\d+[.)])\s+(.*)$", stripped)
        if head:
            current = None
            if len(head.group(1)) == 1 and doc_title is None:
                doc_title = head.group(2)
            else:
                heading = head.group(2)
        elif bullet and (line[:1] not in (" ", "\t") or current is None):
            current = (number, [bullet.group(1)], heading)
            items.append(current)
        elif stripped and current is not None and (line[:1] in (" ", "\t") or not blank_before):
            # Indented lines, and lines right below an item, continue it (nested bullets too).
            current[1].append(bullet.group(1) if bullet else stripped)
        elif not stripped:
            blank_before = True
            continue
        else:
            current = None
        blank_before = False
    rows = _Rows(path)
    recs = []
    for index, (number, parts, theme) in enumerate(items, start=1):
        text = " ".join(" ".join(parts).split())
        if not text:
            rows.bad(number, f"line {number}: empty item")
            continue
        recs.append({"id": f"{source}-{index:03d}", "title": _title_from(text), "text": text, "quote": text,
                     "themes": [_slug(theme)] if theme else []})
    if not recs and not rows.problems:
        raise InputError(f"{path}: no bulleted items found (each recommendation is a line starting with - or 1.)")
    rows.done()
    drafts = {source: Draft({"id": source, "title": doc_title or source, "note": f"Imported from {path.name}."},
                            recs)}
    _check_sources(tracker, drafts)
    for rec in recs:
        if rec["id"] in tracker:
            raise InputError(f"id {rec['id']!r} is already in the workspace; choose another --source")
    return ImportPlan(tracker.root, list(drafts.values()))


def plan_json(tracker, path: Path) -> ImportPlan:
    """Plan the import of a ``diasporatrack export json`` file: sources, owners, recommendations, history."""
    from .builtin.json_exporter import SCHEMA

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: not a JSON export: {err}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise InputError(f"{path}: not a diasporatrack JSON export (no \"schema\": \"{SCHEMA}\")")
    if document.get("version") != 1:
        raise InputError(f"{path}: export version {document.get('version')!r} is not supported (expected 1)")
    sources = {s["id"]: s for s in document.get("sources", [])}
    drafts: dict[str, Draft] = {}
    events: list[str] = []

    def draft_for(source_id: str) -> Draft:
        if source_id not in drafts:
            meta = sources.get(source_id, {"id": source_id, "title": source_id})
            draft = drafts[source_id] = Draft({"id": meta["id"], **{f: meta.get(f) for f in SOURCE_FIELDS}})
            draft.findings = [{k: f.get(k) for k in ("id", "text", "quote", "themes")}
                              for f in meta.get("findings") or []]
            if draft.source.get("date"):
                draft.source["date"] = dt.date.fromisoformat(draft.source["date"])
        return drafts[source_id]

    for source_id in sources:
        draft_for(source_id)
    rows = _Rows(path)
    exported_owners = {o.get("id") for o in document.get("owners", []) if isinstance(o, dict)}
    for number, rec in enumerate(document.get("recommendations", []), start=1):
        where = f"recommendation {number}"
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not isinstance(rec.get("source"), str):
            rows.bad(None, f"{where}: needs at least an id and a source")
            continue
        where = f"recommendation {number} ({rec['id']})"
        if rec["id"] in tracker:
            rows.bad(None, f"{where}: {rec['id']!r} is already in the workspace")
            continue
        if not isinstance(rec.get("text"), str) or not isinstance(rec.get("title"), str):
            rows.bad(None, f"{where}: needs a title and a text")
            continue
        fields = {f: rec.get(f) for f in FIELDS}
        for field in ("id", "due", "review_every", "impact", "status", "response"):
            if fields.get(field) is not None:
                fields[field] = _check_field(rows, None, field, str(fields[field]), tracker, where)
        for owner in fields.get("owners") or []:
            if owner not in tracker.owners and owner not in exported_owners:
                rows.bad(None, f"{where}: unknown owner {owner!r} (not in the export's owners nor owners.yaml)")
        draft_for(rec["source"]).recommendations.append(fields)
        events += [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in rec.get("history", [])]
    rows.done()
    _check_sources(tracker, drafts)
    new_owners = [{k: o.get(k) for k in ("id", "name", "kind", "parent", "email", "note")}
                  for o in document.get("owners", []) if o["id"] not in tracker.owners]
    return ImportPlan(tracker.root, list(drafts.values()), new_owners, events)
