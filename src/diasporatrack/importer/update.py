"""``import --update``: a refreshed file re-imported into the sources it made before.

The planner of a layout streams its checked rows into an :class:`UpdateSet`
instead of a :class:`~diasporatrack.importer.plan.DraftSet`. Rows of a
source that exists are kept and matched to its recommendations
(:mod:`~diasporatrack.importer.matching`); rows of a new source become a new
file as in any import. :meth:`UpdateSet.plan` compares each matched pair
field by field, over the fields the file carries:

- authored fields that differ are rewritten in the source's file, only
  their lines (:mod:`~diasporatrack.importer.splice`), each journaled as an
  ``edit`` (``field``, ``old``, ``new``), like ``set`` does;
- fields that change through the journal (status, response, progress,
  owners, due) become one event per recommendation, by the importing user,
  with the file's name in the note; a blank cell never takes a value back;
- rows that match nothing are added (journaled as ``add`` does); the
  recommendations no row matched are *missing*: reported, and removed only
  with ``prune``.

:meth:`UpdatePlan.write` puts every file in place and appends the events
under the journal's lock, all or nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError
from .checks import LIST_FIELDS, Rows, clip, title_from
from .keys import IdAssigner, normal_text
from .matching import Side, match_by_id, match_rows
from .plan import DraftSet
from .updateplan import JOURNALED, Row, SourceUpdate, UpdatePlan, file_stamp

MODEL_NAMES = {"author": "authors"}
# Made from the text when the file has no column for them (as sheetplan makes them).
DERIVED = {"title": lambda text: title_from(re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]),
           "quote": lambda text: text}


def comparable(value: Any) -> Any:
    """A field's value in one form for the file's side and the workspace's side."""
    if type(value) is str:
        return value or None
    if value is None or value == "" or value == [] or value == () or value == {}:
        return None
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _author(value: Any) -> Any:
    """Authors are a list in the model and may be one text in a file: compared as lists."""
    if type(value) is str:
        return (value,) if value else None
    return tuple(value) if value else None


def _listed(value: Any) -> Any:
    if type(value) is str:  # a list field given as one text
        return (value,) if value else None
    return tuple(str(v) for v in value) if value else None


def _key_part(value: Any) -> Any:
    """A key field's comparable value, with case and spacing ignored (lists in any order)."""
    if value is None:
        return None
    if type(value) is tuple:
        return tuple(sorted(normal_text(v) for v in value))
    return normal_text(str(value))


def current(rec: Any, field: str) -> Any:
    """The value of ``field`` of a recommendation as the workspace holds it (folded with the journal)."""
    return getattr(rec, MODEL_NAMES.get(field, field), None)


def yaml_value(value: Any) -> Any:
    """A model value as a file holds it: tuples as lists."""
    if isinstance(value, tuple):
        return list(value)
    return value


def source_path(tracker, source_id: str) -> Path:
    """The file a source was read from."""
    known = getattr(tracker.workspace, "source_paths", {}).get(source_id)
    if known is not None:
        return Path(known)
    guess = tracker.root / f"{source_id}.yaml"
    if guess.is_file() and _source_id_of(guess) == source_id:
        return guess
    from ..workspace import source_files

    for path in source_files(tracker.root):
        if _source_id_of(path) == source_id:
            return path
    raise InputError(f"cannot find the file of source {source_id!r}")


def _source_id_of(path: Path) -> str | None:
    """The id in a file's ``source:`` block, read from the first events of the file."""
    import yaml

    try:
        with open(path, encoding="utf-8-sig") as fh:
            head = fh.read(64 * 1024)
        depth, key, in_source, want = 0, None, False, False
        for event in yaml.parse(head, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                in_source = in_source or (depth == 2 and key == "source")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if in_source and depth == 1:
                    return None
            elif isinstance(event, yaml.ScalarEvent):
                if depth == 1:
                    key = event.value if key is None else None
                elif in_source and depth == 2:
                    if want:
                        return event.value
                    want = event.value == "id"
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return None


class UpdateSet:
    """Rows of an import with ``--update``, by source; new sources become drafts as in any import."""

    def __init__(self, tracker, path: Path, *, dry_run: bool, prune: bool = False, by: str | None = None) -> None:
        self.tracker, self.path, self.dry_run, self.prune, self.by = tracker, Path(path), dry_run, prune, by
        self.new_sources = DraftSet(tracker.root, dry_run)
        self.rows: dict[str, list[Row]] = {}
        self.key_fields: tuple[str, ...] = ()
        self.fields: tuple[str, ...] = ()
        self.derived: tuple[str, ...] = ()
        self.by_id = False
        self.seen_fields: set[str] = set()  # fields the rows carry (a preset may add some: quote, cycle)
        self._sources: dict[str, str] | None = None  # recommendation id -> its source, read on first need

    def layout(self, *, key_fields: Iterable[str], fields: Iterable[str], derived: Iterable[str] = (),
               by_id: bool = False) -> None:
        """What the layout reads: its key fields, the fields the file carries, those made from the text."""
        self.fields = tuple(dict.fromkeys(f for f in fields if f != "id"))
        self.key_fields = tuple(key_fields)
        self.derived, self.by_id = tuple(derived), by_id

    def source_problem(self, tracker, source_id: str) -> str | None:
        from .checks import source_id_problem

        if source_id in self.tracker.sources:
            return None  # the point of an update
        return source_id_problem(self.tracker, source_id)

    def id_taken(self, tracker, rec_id: str, source_id: str) -> bool:
        """Whether a row's own id belongs to a recommendation of another source."""
        if self._sources is None:  # asked once per row: read every source once, from the cache's index if it has one
            state = self.tracker._state
            quick = getattr(state, "sources_by_id", None)
            self._sources = quick() if quick is not None else {rec.id: rec.source for rec in state.values()}
        found = self._sources.get(rec_id)
        return found is not None and found != source_id

    def __contains__(self, source_id: str) -> bool:
        return source_id in self.rows or source_id in self.new_sources

    @property
    def drafts(self) -> dict[str, Any]:
        return {**self.new_sources.drafts, **self.rows}

    def new(self, source: dict[str, Any]) -> None:
        if source["id"] in self.tracker.sources:
            self.rows[source["id"]] = []
        else:
            self.new_sources.new(source)

    def add(self, source_id: str, rec: dict[str, Any], *, label: str = "", line: int | None = None,
            explicit: bool = False) -> None:
        if source_id in self.rows:
            self.rows[source_id].append(Row(label, line, rec, explicit))
            self.seen_fields.update(rec)
        else:
            self.new_sources.add(source_id, rec)

    def discard(self) -> None:
        self.new_sources.discard()

    # --- planning -------------------------------------------------------------

    def plan(self, *, new_owners: list[dict[str, Any]] = (), notes: list[str] = (), **_: Any) -> UpdatePlan:
        """Match, compare and decide; every problem (an ambiguous row) is raised at once, nothing staged."""
        tracker = self.tracker
        self.fields = tuple(dict.fromkeys([*self.fields, *sorted(self.seen_fields - {"id"})]))
        problems = Rows(self.path)
        by_source: dict[str, list[Any]] = {sid: [] for sid in self.rows}
        for rec in tracker:
            if rec.source in by_source:
                by_source[rec.source].append(rec)
        taken = IdAssigner(set(tracker._state) | set(tracker._retired))
        updates = [self._plan_source(sid, rows, by_source[sid], problems, taken) for sid, rows in self.rows.items()]
        problems.done()
        if self.prune:
            self._check_prune([i for u in updates for i in u.missing])
        return UpdatePlan(tracker, self.path, updates, self.new_sources.plan(new_owners=list(new_owners)),
                          dry_run=self.dry_run, prune=self.prune, by=self.by, notes=list(notes))

    def _converters(self) -> list[Any]:
        return [_author if f == "author" else _listed if f in LIST_FIELDS else comparable for f in self.fields]

    def _side(self, ref: Any, values: list[Any], text: str, key_at: list[int]) -> Side:
        return Side(ref, tuple(_key_part(values[i]) for i in key_at), normal_text(text or ""), tuple(values))

    def _plan_source(self, source_id: str, rows: list[Row], recs: list[Any], problems: Rows,
                     taken: IdAssigner) -> SourceUpdate:
        tracker = self.tracker
        path = source_path(tracker, source_id)
        update = SourceUpdate(source_id, path, stamp=file_stamp(path))
        by_id = {rec.id: rec for rec in recs}
        update.ids = list(by_id)
        if self.by_id or (rows and all(row.explicit for row in rows)):
            matching = match_by_id([(n, row.rec["id"]) for n, row in enumerate(rows)], list(by_id))
        else:
            convert = list(zip(self._converters(), self.fields))
            names = [MODEL_NAMES.get(f, f) for f in self.fields]
            key_at = [self.fields.index(f) for f in self.key_fields if f in self.fields]
            existing = [self._side(rec.id, [c(getattr(rec, n, None)) for (c, _), n in zip(convert, names)], rec.text,
                                   key_at) for rec in recs]
            incoming = [self._side(n, [c(row.rec.get(f)) for c, f in convert], row.rec.get("text"), key_at)
                        for n, row in enumerate(rows)]
            matching = match_rows(incoming, existing)
        for row_index, candidates in matching.ambiguous:
            row = rows[row_index]
            listed = ", ".join(f"{rec_id} ({score:g}%)" for rec_id, score in candidates[:4])
            problems.bad(row.line, f"{row.label}: its text is like {len(candidates)} recommendations of "
                                   f"{source_id} and cannot be matched to one: {listed}; nothing was changed "
                                   "(make the rows differ, or give ids with --id-column)")
        for key, n_rows, n_recs in matching.too_many:
            problems.bad(None, f"{source_id}: {n_rows:,} rows and {n_recs:,} recommendations with the same key "
                               f"fields ({', '.join(self.key_fields) or 'none'}) are left to compare by similarity: "
                               "too many; give ids with --id-column")
        for match in matching.matches:
            row, rec = rows[match.row], by_id[match.rec_id]
            if match.how == "similar":
                update.similar.append((row, rec.id, match.score))
            if match.how == "same":
                update.unchanged += 1
                continue
            authored, journaled = self._compare(row, rec, problems)
            if authored:
                update.changed[rec.id] = authored
            if journaled:
                update.journaled[rec.id] = journaled
            if not authored and not journaled:
                update.unchanged += 1
        for row_index in sorted(matching.added):
            rec = dict(rows[row_index].rec)
            if rows[row_index].explicit and self.id_taken(tracker, rec["id"], source_id):
                problems.bad(rows[row_index].line, f"{rows[row_index].label}: id {clip(rec['id'])} belongs to "
                                                   f"a recommendation of {tracker.get(rec['id']).source}")
                continue
            rec["id"] = taken(rec["id"])
            update.added.append(rec)
        update.missing = sorted(matching.missing)
        return update

    def _compare(self, row: Row, rec: Any, problems: Rows) -> tuple[dict, dict]:
        """The authored and the journaled fields that differ between a row and its recommendation."""
        authored: dict[str, tuple[Any, Any]] = {}
        journaled: dict[str, tuple[Any, Any]] = {}
        for convert, field in zip(self._converters(), self.fields):
            new, old = row.rec.get(field), current(rec, field)
            if convert(new) == convert(old):
                continue
            if field in JOURNALED:
                if new in (None, "", []) and field != "owners":
                    continue  # a blank cell never takes back a status, a response or a date
                journaled[field] = (yaml_value(old), new)
            elif field in self.derived and field in DERIVED:
                # Made from the text: follows the text only while it still is what the old text made.
                if comparable(old) is None or old == DERIVED[field](rec.text):
                    authored[field] = (yaml_value(old), new)
            elif field in ("title", "text") and not new:
                continue
            else:
                authored[field] = (yaml_value(old), new)
        if "status" in journaled and journaled["status"][1] not in self.tracker.lifecycle:
            problems.bad(row.line, f"{row.label}: unknown status {clip(journaled['status'][1])}")
        return authored, journaled

    def _check_prune(self, ids: list[str]) -> None:
        """Refuse to remove what something else still refers to: children, or actions implementing it."""
        gone = set(ids)
        problems = []
        for rec in self.tracker:
            if rec.parent in gone and rec.id not in gone:
                problems.append(f"--prune would remove {rec.parent}, the parent of {rec.id}")
        try:
            plan = self.tracker.plan()
        except Exception:  # noqa: BLE001 - no plan, or one the workspace reports itself
            plan = None
        for action in getattr(plan, "actions", {}).values() if plan is not None else ():
            for rec_id in getattr(action, "implements", ()):
                if rec_id in gone:
                    problems.append(f"--prune would remove {rec_id}, which action {action.id} implements")
        if problems:
            raise InputError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
                             + "; nothing was changed")


__all__ = ["UpdatePlan", "UpdateSet", "comparable", "current", "source_path"]
