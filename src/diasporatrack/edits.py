"""Edits of the authored YAML: one locked, checked, journaled change; and taking edits back.

A :class:`Change` reads the workspace under the journal's lock, collects the
new text of every file it touches, checks the workspace as it will be, then
writes each file atomically (temporary file, fsync, rename) and appends its
``edit`` events. Any error before that leaves every file as it was.
:func:`undo_edits` gives the authored workspace as it was before some edits:
``as_of`` uses it for a day in the past.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .errors import InputError, WorkspaceError
from .files import StagedFile
from .journal import ACTION_VERSION, EDIT_VERSION, HAPPENED_VERSION, new_event_id
from .model import Event, Owner, Recommendation, Source
from .workspace import (
    OWNER_SPEC, OWNERS_FILE, RECOMMENDATION_SPEC, SOURCE_SPEC, Location, Workspace, did_you_mean, display_path,
    read_owners, read_source_file, read_workspace,
)
from .yamledit import Document, EditError
from .yamlio import read_text

if TYPE_CHECKING:
    from .tracker import Tracker

LIST_FIELDS = frozenset({"addressed_to", "owners", "themes", "links", "authors", "author", "sdgs", "affected_persons",
                         "cites", "implements"})
# YAML names that the model spells otherwise (a recommendation's `author` may list several).
MODEL_NAMES = {"author": "authors"}
# Changed only through update/respond: they are transitions, with their own events.
JOURNALED = {"status": "update --status", "response": "respond"}


# --- one locked change ----------------------------------------------------------


class Change:
    """The files a change touches, checked together, then written and journaled."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.root = tracker.root
        from .cache import fingerprint

        known = tracker._authored  # what this tracker last wrote, if no file changed since
        if known is not None and known[0] == f"{fingerprint(self.root)}:{os.getcwd()}":
            self.ws = known[1]
        else:
            self.ws = read_workspace(self.root)  # the files as they are now, with every location
        if self.ws.problems:
            raise WorkspaceError(self.ws.problems)
        self.docs: dict[Path, Document] = {}
        self.new_files: dict[Path, str] = {}
        self.events: list[Event] = []
        self.text_only = False  # an edit that changed comments or layout alone: written, nothing to journal
        self.on = getattr(tracker, "_on", None)  # the day it happened, inside Tracker.happened_on(...)

    def doc(self, path: Path) -> Document:
        path = Path(path)
        if path not in self.docs:
            self.docs[path] = Document(read_text(path), str(display_path(path)))
        return self.docs[path]

    def file_of(self, key: str) -> Location:
        return self.ws.locations[key]

    def event(self, subject_id: str, *, field: str | None, old: Any, new: Any, subject: str | None = None,
              by: str | None = None) -> None:
        from .tracker import current_actor

        self.events.append(Event(id=new_event_id(), at=dt.datetime.now(dt.timezone.utc), by=current_actor(by),
                                 recommendation=subject_id, kind="edit", subject=subject,
                                 on=self.on, v=ACTION_VERSION if subject == "action"
                                 else HAPPENED_VERSION if self.on is not None else EDIT_VERSION,
                                 field=field, old=to_json(old), new=to_json(new)))

    def check(self) -> Workspace:
        """The workspace as it will be: the changed files read from their new text."""
        texts = {path: doc.text for path, doc in self.docs.items()} | self.new_files
        shown = {display_path(p) for p in texts}
        ws = attrs.evolve(
            self.ws, problems=[],
            sources={k: v for k, v in self.ws.sources.items() if self.ws.locations["source:" + k].path not in shown},
            recommendations={k: v for k, v in self.ws.recommendations.items()
                             if self.ws.locations[k].path not in shown},
            locations={k: v for k, v in self.ws.locations.items() if v.path not in shown},
        )
        owners_path = self.root / OWNERS_FILE
        if owners_path in texts:
            ws.owners, where = read_owners(self.root, ws.problems, texts[owners_path])
            ws.locations.update({"owner:" + k: v for k, v in where.items()})
        from .yamlio import YamlProblem, load_yaml

        from .actions import ACTIONS_FILE

        actions_path = self.root / ACTIONS_FILE
        for path, text in texts.items():
            if path in (owners_path, actions_path):
                continue
            if path in self.docs:  # parsed already, by the same strict loader, when it was changed
                raw = self.docs[path].data
            else:
                try:
                    raw = load_yaml(display_path(path), text)
                except YamlProblem as err:
                    ws.problems.append(err.problem)
                    continue
            read_source_file(path, ws, raw)
        if actions_path in texts or os.path.lexists(actions_path):  # the plan against the recommendations to be
            from .actions import action_lifecycle, read_actions

            read_actions(self.root, ws.problems, recommendations=ws.recommendations, owners=ws.owners,
                         lifecycle=action_lifecycle(ws.config), text=texts.get(actions_path),
                         languages=ws.config.get("languages"))
        if ws.problems:
            raise WorkspaceError(ws.problems)
        return ws

    def commit(self, fh: Any) -> Workspace:
        """Check, put every changed file in place, then journal the events; the new workspace.

        The files change together with their events: if a file cannot be
        written or the journal cannot take the events, every file is put back.
        """
        ws = self.check()
        from .tracker.values import next_time

        tracker = self.tracker
        last = tracker._last[0] if tracker._last else None
        for n, event in enumerate(self.events):  # never before an event already folded: see tracker.values.next_time
            last = next_time(last)
            self.events[n] = attrs.evolve(event, at=last)
        writes = [(path, _with_bom(path, doc.text)) for path, doc in self.docs.items()]
        writes += [(path, text.encode("utf-8")) for path, text in self.new_files.items()]
        staged: list[StagedFile] = []
        try:
            for path, data in writes:
                staged.append(StagedFile(path))
                staged[-1].stage(data)
            for file in staged:
                file.commit(exclusive=not file.existed)
            tracker._offset = tracker.journal.append(fh, self.events)
        except BaseException:
            for file in reversed(staged):
                file.rollback()
            raise
        for file in staged:
            file.finish()
        tracker._adopt(ws)
        return ws


def _with_bom(path: Path, text: str) -> bytes:
    """The new text, with the byte-order mark the file started with (if it had one)."""
    with open(path, "rb") as fh:
        bom = fh.read(3) == b"\xef\xbb\xbf"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def run_change(tracker: Tracker, work) -> Any:
    """Run ``work(change)`` under the lock; the change is written only if it all succeeds."""
    if tracker.as_of_date is not None:
        raise InputError("this is a view of the past (as_of); it cannot be changed")
    plugins = tracker.plugins  # a plugin that cannot load stops the change before anything is written
    with tracker.journal.locked() as fh:
        tracker._catch_up_locked()
        change = Change(tracker)
        try:
            result = work(change)
            if not change.events and not change.text_only:
                raise InputError("nothing to change: every value given is the one already written")
            change.commit(fh)
        except EditError as err:
            raise InputError(str(err)) from None
    plugins.notify(tracker, change.events)
    return result(tracker) if callable(result) else result


# --- values ----------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """A value as the journal keeps it: dates as text, tuples as lists."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def checked(spec: dict, what: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields as they will be written, each checked like the reader checks it."""
    out = {}
    for name, value in fields.items():
        if name not in spec:
            raise InputError(f"unknown field {name!r} for a {what}{did_you_mean(name, spec)}; "
                             f"fields are: {', '.join(spec)}")
        if value is None:
            out[name] = None
            continue
        if isinstance(value, tuple):
            value = list(value)
        try:
            converted = spec[name](value)
        except ValueError as err:
            raise InputError(f"{name}: {err}") from None
        out[name] = list(converted) if isinstance(converted, tuple) else converted
    return out


def ordered(spec: dict, fields: dict[str, Any]) -> dict[str, Any]:
    return {k: fields[k] for k in spec if fields.get(k) is not None}


def _new_value(current: Any, name: str, changes: dict, add: Mapping, remove: Mapping, what: str) -> Any:
    value = changes[name] if name in changes else current
    if name in add or name in remove:
        if name not in LIST_FIELDS:
            raise InputError(f"{name} is not a list: set it instead of adding to it")
        items = list(value or [])
        for item in remove.get(name, ()):
            if item not in items:
                raise InputError(f"{item!r} is not among the {name} of {what} ({', '.join(items) or 'none'})")
            items.remove(item)
        items += [item for item in dict.fromkeys(add.get(name, ())) if item not in items]
        value = items
    return value


def apply_fields(change: Change, doc: Document, base: tuple, spec: dict, what: str, subject_id: str,
                 changes: Mapping[str, Any], add: Mapping, remove: Mapping, required: Iterable[str],
                 subject: str | None, by: str | None) -> None:
    """Set fields of the mapping at ``base`` in ``doc``, journaling each change."""
    names = list(dict.fromkeys([*changes, *add, *remove]))
    values = checked(spec, what, dict(changes))
    checked(spec, what, {n: list(v) for n, v in [*add.items(), *remove.items()]})
    if "id" in names:
        raise InputError(f"the id of {what} cannot change (the journal keys its history by it)")
    for name in names:
        old = doc.value((*base, name))
        old = to_json(old)
        new = to_json(_new_value(old, name, values, add, remove, what))
        if (new is None or (isinstance(new, str) and not new.strip())) and name in required:
            raise InputError(f"{name} is required for {what}: it cannot be removed or left empty")
        if new == old or (new in ([], "") and old is None):
            continue
        value = dt.date.fromisoformat(new) if spec[name].__name__ == "date" and new is not None else new
        if name == "translations" and isinstance(old, dict) and isinstance(new, dict) and old and new:
            set_mapping(doc, (*base, name), old, new)  # one translation changed: only its line changes
        else:
            doc.set((*base, name), value)
        change.event(subject_id, field=name, old=old, new=new, subject=subject, by=by)


def set_mapping(doc: Document, path: tuple, old: Mapping, new: Mapping) -> None:
    """Change the mapping at ``path`` from ``old`` to ``new`` key by key, nested mappings key by key too.

    Keys are added and changed before any is removed, so a mapping is never left empty on the way.
    """
    for key, value in new.items():
        if key not in old:
            doc.set((*path, key), value)
        elif isinstance(value, Mapping) and isinstance(old[key], Mapping) and value and old[key]:
            set_mapping(doc, (*path, key), old[key], value)
        elif value != old[key]:
            doc.set((*path, key), value)
    for key in old:
        if key not in new:
            doc.set((*path, key), None)


# --- the past ----------------------------------------------------------------------


def undo_edits(ws: Workspace, events: Iterable[Event]) -> Workspace:
    """The authored workspace before ``events`` (edits, undone newest first): for ``as_of``.

    Only journaled edits can be undone; a file changed by hand is taken as it is.
    """
    recs, sources, owners = dict(ws.recommendations), dict(ws.sources), dict(ws.owners)
    for event in sorted((e for e in events if e.kind == "edit"), key=lambda e: e.sort_key, reverse=True):
        key = event.recommendation
        if event.subject not in (None, "source", "owner"):
            continue  # an action's edit: the plan is read from its file, apart from the workspace
        if event.subject is None:
            table, make, spec = recs, _make_recommendation, RECOMMENDATION_SPEC
        elif event.subject == "source":
            table, make, spec = sources, lambda f: Source(**f), SOURCE_SPEC
        else:
            table, make, spec = owners, lambda f: Owner(**f), OWNER_SPEC
        try:
            if event.field is None:
                if event.old is None:
                    table.pop(key, None)
                else:
                    table[key] = make(_model_fields(spec, event.old, ws))
            elif key in table:
                table[key] = _undo_field(table[key], event, spec)
        except (InputError, TypeError, ValueError):
            continue  # an edit the model cannot take back (a field renamed since): keep what is there
    return attrs.evolve(ws, recommendations=recs, sources=sources, owners=owners)


def _model_fields(spec: dict, raw: dict, ws: Workspace) -> dict:
    fields = {k: v for k, v in checked({**spec, "source": str}, "record", raw).items() if v is not None}
    if "status" in spec and "status" not in fields:
        fields["status"] = ws.lifecycle.initial
    return fields


def _make_recommendation(fields: dict) -> Recommendation:
    return Recommendation(**{MODEL_NAMES.get(k, k): v for k, v in fields.items()})


def _undo_field(record: Any, event: Event, spec: dict) -> Any:
    if event.field == "source":
        return attrs.evolve(record, source=event.old)
    if event.field not in spec:
        return record
    old = checked(spec, "record", {event.field: event.old})[event.field]
    name = MODEL_NAMES.get(event.field, event.field) if isinstance(record, Recommendation) else event.field
    if old is None:
        default = attrs.fields_dict(type(record))[name].default
        old = default.factory() if isinstance(default, attrs.Factory) else default
    return attrs.evolve(record, **{name: old})
