"""What ``import --update`` does to the files: its report, its events, and writing it all or nothing.

:class:`UpdatePlan` is made by :meth:`~diasporatrack.importer.update.UpdateSet.plan`.
:meth:`UpdatePlan.report` says, per source, what is added, what changes
(field by field), how many rows are unchanged and which recommendations
are missing. :meth:`UpdatePlan.write` then, under the journal's lock,
rewrites each changed source file in place (only the changed lines,
:mod:`~diasporatrack.importer.splice`), writes the new source files and
the owners they need, and appends the events; a failure at any step puts
back every file already replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from ..errors import InputError, WriteError
from ..model import Event
from .checks import short
from .plan import ImportPlan, _clean, _dump, owners_text

# Fields the journal changes; an import records their changes as events, never in the file.
JOURNALED = ("status", "response", "progress", "owners", "due")


@attrs.define
class Row:
    label: str  # "row 12", "sheet Recs, row 12"
    line: int | None
    rec: dict[str, Any]
    explicit: bool = False  # its id came from the file (a column, the preset), not from its content


@attrs.define
class SourceUpdate:
    """What the update does to one existing source file."""

    source: str
    path: Path
    changed: dict[str, dict[str, tuple[Any, Any]]] = attrs.Factory(dict)  # id -> field -> (old, new), in the file
    journaled: dict[str, dict[str, tuple[Any, Any]]] = attrs.Factory(dict)  # id -> field -> (old, new), events
    added: list[dict[str, Any]] = attrs.Factory(list)
    missing: list[str] = attrs.Factory(list)
    similar: list[tuple[Row, str, float]] = attrs.Factory(list)
    unchanged: int = 0
    ids: list[str] = attrs.Factory(list)  # the recommendations the file holds now
    stamp: tuple[int, int] | None = None  # the file's (mtime, size) when planned: changed since, refused

    @property
    def touches_file(self) -> bool:
        return bool(self.changed or self.added)


@attrs.define(eq=False)
class UpdatePlan:
    """What ``import --update`` will do; ``write`` does it, all or nothing."""

    tracker: Any
    path: Path
    updates: list[SourceUpdate]
    fresh: ImportPlan  # the new sources (and the owners the file needs)
    dry_run: bool = False
    prune: bool = False
    by: str | None = None
    read_as: str | None = None
    notes: list[str] = attrs.Factory(list)
    warnings: list[str] = attrs.Factory(list)  # a table has none (they are about Markdown lists)

    @property
    def drafts(self):
        return self.fresh.drafts

    @property
    def new_owners(self):
        return self.fresh.new_owners

    @property
    def total(self) -> int:
        return self.fresh.total + sum(len(u.added) for u in self.updates)

    def __enter__(self) -> UpdatePlan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fresh.discard()

    def report(self) -> list[str]:
        """The plan, line by line: for each source, what is added, changed (field by field), unchanged, missing."""
        lines = []
        for u in self.updates:
            gone = "removed (--prune)" if self.prune else "missing (kept; --prune removes them)"
            lines.append(f"{u.path}: {len(u.added)} added, {len(u.changed.keys() | u.journaled.keys())} changed, "
                         f"{u.unchanged} unchanged, {len(u.missing)} {gone}")
            for row, rec_id, score in sorted(u.similar, key=lambda s: s[1]):
                where = f"{row.label} (line {row.line})" if row.line is not None else row.label
                lines.append(f"  matched by similar text ({score:g}%): {where} -> {rec_id}")
            for rec_id in sorted(u.changed.keys() | u.journaled.keys()):
                for field, (old, new) in {**u.changed.get(rec_id, {}), **u.journaled.get(rec_id, {})}.items():
                    how = " (journal)" if field in JOURNALED else ""
                    lines.append(f"  changed {rec_id}: {field}{how}: {_show(old)} -> {_show(new)}")
            for rec in u.added:
                lines.append(f"  added {rec['id']}: {short(rec.get('title') or rec.get('text') or '', 60)}")
            for rec_id in u.missing:
                lines.append(f"  {'removed' if self.prune else 'missing'} {rec_id}")
        for draft, target in zip(self.fresh.drafts, self.fresh.paths()):
            lines.append(f"{target}: a new source, {draft.count} added")
        if self.fresh.new_owners:
            lines.append(f"owners.yaml: {len(self.fresh.new_owners)} owners added: "
                         + ", ".join(o["id"] for o in self.fresh.new_owners))
        return lines

    # --- writing -----------------------------------------------------------------

    def _events(self, update: SourceUpdate, removed: dict[str, Any]) -> list[Event]:
        from ..edits import to_json
        from ..journal import EDIT_VERSION, PROGRESS_VERSION, new_event_id
        from ..lifecycle import TransitionError
        from ..tracker import current_actor

        tracker, by = self.tracker, current_actor(self.by)
        now = dt.datetime.now(dt.timezone.utc)
        note = f"imported from {self.path.name}"
        events: list[Event] = []

        def edit(rec_id: str, field: str | None, old: Any, new: Any) -> None:
            events.append(Event(id=new_event_id(), at=now, by=by, recommendation=rec_id, kind="edit",
                                v=EDIT_VERSION, field=field, old=to_json(old), new=to_json(new)))

        for rec_id, fields in update.changed.items():
            for field, (old, new) in fields.items():
                edit(rec_id, field, old, new)
        for rec in update.added:
            edit(rec["id"], None, None, {**_clean(rec), "source": update.source})
        for rec_id, old in removed.items():
            edit(rec_id, None, {**old, "source": update.source}, None)
        for rec_id, fields in update.journaled.items():
            change: dict[str, Any] = {}
            if "status" in fields:
                old, new = fields["status"]
                try:
                    tracker.lifecycle.check_transition(old, new)
                except TransitionError:
                    change["forced"] = True  # the file says so; the override is recorded, as --force would
                change.update(status=new, previous_status=old)
            if "response" in fields:
                change.update(response=fields["response"][1], previous_response=fields["response"][0])
            if "progress" in fields:
                change.update(progress=fields["progress"][1], previous_progress=fields["progress"][0])
            if "owners" in fields:
                old, new = fields["owners"]
                change.update(owners_added=[o for o in new or () if o not in (old or ())],
                              owners_removed=[o for o in old or () if o not in (new or ())])
            if "due" in fields:
                change["due"] = fields["due"][1]
            events.append(Event(id=new_event_id(), at=now, by=by, recommendation=rec_id, note=note,
                                v=PROGRESS_VERSION if "progress" in fields else 1, **change))
        return events

    def write(self) -> list[Path]:
        """Put every changed and new file in place and journal the changes, or nothing: the paths written."""
        from ..files import StagedFile
        from ..tracker.values import next_time as _next_time
        from ..yamledit import EditError
        from ..yamlio import YamlProblem, read_text

        if self.dry_run:
            raise InputError("a dry run's plan cannot be written; plan again without dry_run")
        tracker, fresh = self.tracker, self.fresh
        plugins = tracker.plugins  # a plugin that cannot load stops the import before anything is written
        for path in fresh.paths():
            if path.exists() or path.is_symlink():
                fresh.discard()
                raise InputError(f"{path} already exists; nothing was written (import never overwrites a file)")
        done: list[StagedFile] = []
        written: list[Path] = []
        events: list[Event] = []
        try:
            for draft in fresh.drafts:
                draft.seal()
            with tracker.journal.locked() as fh:
                tracker._catch_up_locked()
                staged: list[StagedFile] = []
                for update in self.updates:
                    if update.stamp is not None and file_stamp(update.path) != update.stamp:
                        raise InputError(f"{update.path} changed while the import was planned; nothing was "
                                         "written: run the import again")
                    removed = {} if not self.prune else dict.fromkeys(update.missing)
                    if not (update.touches_file or removed):
                        events += self._events(update, {})
                        continue
                    try:
                        text = read_text(update.path, root=tracker.root)
                        removed = _removed_values(text, update, removed)
                        new = _rewrite(text, update, removed)
                    except (YamlProblem, EditError, KeyError) as err:
                        raise InputError(f"{update.path}: cannot update it in place ({err}); "
                                         "nothing was written") from None
                    file = StagedFile(update.path)
                    file.stage(_bom(update.path) + new.encode("utf-8"))
                    staged.append(file)
                    events += self._events(update, removed)
                if fresh.new_owners:
                    owners = StagedFile(tracker.root / "owners.yaml")
                    owners.stage(owners_text(owners.path, fresh.new_owners))
                    staged.append(owners)
                for file in staged:
                    file.commit()
                    done.append(file)
                    written.append(file.path)
                for draft in fresh.drafts:
                    draft.staged.commit(exclusive=True)
                    done.append(draft.staged)
                    written.append(draft.staged.path)
                if events:
                    last = tracker._last[0] if tracker._last else None
                    for n, event in enumerate(events):  # after every event already folded, in order
                        last = _next_time(last)
                        events[n] = attrs.evolve(event, at=last)
                    tracker.journal.append(fh, events)
                    written.append(tracker.journal.path)
        except BaseException:
            for file in reversed(done):
                try:
                    file.rollback()
                except OSError as err:  # pragma: no cover - the disk refused to put a file back
                    raise WriteError(f"import failed and {file.path} could not be put back: {err.strerror}") from None
            fresh.discard()
            raise
        for file in done:
            file.finish()
        if events and list(plugins._impls("on_event")):
            from ..tracker import Tracker

            plugins.notify(Tracker.open(tracker.root), events)  # listeners see the workspace as it now is
        return written


def file_stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if value is None or value == "":
        return "(none)"
    text = str(value)
    return repr(short(" ".join(text.split()), 70))


def _bom(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return b"\xef\xbb\xbf" if fh.read(3) == b"\xef\xbb\xbf" else b""


def _removed_values(text: str, update: SourceUpdate, ids: dict[str, Any]) -> dict[str, Any]:
    """The recommendations to remove as the file holds them (for the journal, which can then undo it)."""
    if not ids:
        return {}
    from ..yamledit import Document
    from .splice import scan

    items = scan(text, str(update.path), update.ids)
    out = {}
    for rec_id in ids:
        start, stop = items.spans[rec_id]
        out[rec_id] = Document(text[start:stop], str(update.path)).value((0,))
    return out


def _rewrite(text: str, update: SourceUpdate, removed: Iterable[str]) -> str:
    from .splice import rewrite

    changes = {rec_id: {field: new for field, (_, new) in fields.items()} for rec_id, fields in update.changed.items()}
    added = [_dump([_clean(rec) for rec in update.added])] if update.added else []
    return rewrite(text, str(update.path), changes=changes, added=added, removed=removed, ids=update.ids)


