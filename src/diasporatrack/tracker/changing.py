"""Changing a tracker: status, owners, dates, progress and responses, journaled under the lock.

The YAML files themselves are written by :mod:`diasporatrack.authoring`;
the methods at the end only hand over to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import InputError, NotFound, TransitionError, WorkspaceError
from ..journal import ACTION_VERSION, ATTRIBUTION_VERSION, HAPPENED_VERSION, PROGRESS_VERSION, new_event_id
from ..model import Event, Owner, Recommendation, Source
from ..versions import check_version
from .values import (Stale, current_actor, current_owner, end_of_day, next_time, parse_date, parse_percent, unknown,
                     web_links)


if TYPE_CHECKING:
    from . import Tracker


class Changing:
    """Changes recorded in the journal, and the hand-over to the YAML writer. Part of :class:`~diasporatrack.tracker.Tracker`."""

    def update(
        self,
        ref: str,
        *,
        status: str | None = None,
        add_owners: Iterable[str] = (),
        remove_owners: Iterable[str] = (),
        due: str | dt.date | None = None,
        clear_due: bool = False,
        note: str | None = None,
        by: str | None = None,
        force: bool = False,
        progress: float | str | None = None,
        clear_progress: bool = False,
        for_owner: str | None = None,
        public_note: bool = False,
        at: str | dt.date | None = None,
        links: Iterable[str] = (),
        evidence: str | None = None,
        expect_version: str | None = None,
    ) -> Recommendation:
        """Change a recommendation and record why in the journal.

        ``at`` records something that happened on an earlier day: the event
        keeps that day beside the moment it is recorded, folds in the order
        things happened, and the status it changes from is the status of
        that day. A back-dated status change that would make a later
        recorded one forbidden is refused unless ``force``.
        ``links`` and ``evidence`` are the change's evidence: addresses of
        what shows it and a few words on what they show (event schema 6).

        A status change must be allowed by the lifecycle unless ``force`` (the
        override is recorded). Owners must exist in ``owners.yaml``.
        ``progress`` is a percentage from 0 to 100 (decimals allowed);
        ``clear_progress`` removes one set before, so the status (or the
        children) give it again. ``by`` is the member recording the change
        (never published); ``for_owner`` says whom it was done for (published
        instead), and ``public_note`` lets published output show the note.
        ``expect_version`` (see :mod:`diasporatrack.versions`) refuses the
        change with :class:`~diasporatrack.errors.StaleVersion` if the
        recommendation is no longer at that version (checked under the lock).
        Returns the recommendation as it stands after the change.
        """
        if self.as_of_date is not None:
            raise InputError("this is a view of the past (as_of); it cannot be changed")
        if self.workspace.problems:
            raise WorkspaceError(self.workspace.problems)
        rec_id = self.resolve(ref)
        added = tuple(dict.fromkeys(self.resolve_owner(o) for o in add_owners))
        removed = tuple(dict.fromkeys(remove_owners))
        due_date = parse_date(due, "due date") if due is not None else None
        percent = parse_percent(progress) if progress is not None else None
        if note is not None and not note.strip():
            note = None
        for_owner, public_note = self._attribution(for_owner, public_note, note)
        links = web_links(links)
        on = self._happened_on(at)
        overridden = False
        plugins = self.plugins  # a plugin that cannot load stops the change before anything is written
        with self.journal.locked() as fh:
            self._catch_up_locked()
            now = self._state[rec_id]
            check_version(now, expect_version)
            rec = self.as_of(on).get(rec_id) if on is not None else now  # as it stood that day
            if status is not None:
                if status not in self.lifecycle:
                    raise unknown("status", "statuses", status, self.lifecycle.names)
                if force and status == rec.status:
                    status = None
                else:
                    try:
                        self.lifecycle.check_transition(rec.status, status)
                    except TransitionError:
                        if not force:
                            raise
                        overridden = True
            if on is not None and status is not None and not overridden:
                overridden = self._later_transitions_allowed(now, on, status, force)
            removed = tuple(current_owner(o, rec) for o in removed)
            added = tuple(o for o in added if o not in rec.owners)
            cleared = clear_due and due_date is None and rec.due is not None
            if percent is not None and percent == rec.progress:
                percent = None
            progress_cleared = clear_progress and percent is None and rec.progress is not None
            if (status is None and not added and not removed and due_date is None and not cleared and not note
                    and percent is None and not progress_cleared and not links and not evidence):
                if add_owners and not added:
                    raise InputError(f"nothing to update for {rec_id}: {', '.join(rec.owners)} already own"
                                     f"{'s' * (len(rec.owners) == 1)} it")
                if progress is not None:
                    raise InputError(f"nothing to update for {rec_id}: its progress already is {rec.progress:g}%")
                raise InputError(f"nothing to update for {rec_id}: give a status, an owner, a due date, "
                                 "a progress or a note")
            event = Event(
                id=new_event_id(),
                at=next_time(self._last[0] if self._last else None),
                by=current_actor(by),
                recommendation=rec_id,
                status=status,
                previous_status=rec.status if status is not None else None,
                owners_added=added,
                owners_removed=removed,
                due=due_date,
                due_cleared=cleared,
                progress=percent,
                previous_progress=rec.progress if percent is not None or progress_cleared else None,
                progress_cleared=progress_cleared,
                note=note,
                forced=overridden,
                for_owner=for_owner,
                public=public_note,
                on=on,
                links=links,
                evidence=evidence or None,
                # The version the newest field it uses needs: older lines stay readable by older programs.
                v=ACTION_VERSION if links or evidence else HAPPENED_VERSION if on is not None
                else ATTRIBUTION_VERSION if for_owner or public_note
                else PROGRESS_VERSION if percent is not None or progress_cleared else 1,
            )
            self._record(fh, event)
        plugins.notify(self, [event])
        return self._state[rec_id]

    @contextlib.contextmanager
    def happened_on(self, at: str | dt.date | None) -> Iterator[Tracker]:
        """Within it, changes of the YAML files (``add_recommendation``, ``set_fields``, ...) are
        journaled as having happened on the day ``at`` (see :meth:`update` for ``at``)."""
        previous, self._on = getattr(self, "_on", None), self._happened_on(at)
        try:
            yield self
        finally:
            self._on = previous

    def _happened_on(self, at: str | dt.date | None) -> dt.date | None:
        """The day given with ``--at``: None for today; an error for a day to come."""
        if at is None:
            return None
        day = parse_date(at, "--at date")
        today = dt.datetime.now(dt.timezone.utc).date()
        if day > today:
            raise InputError(f"--at {day.isoformat()} is in the future; record it on the day it happens")
        return day if day < today else None

    def _later_transitions_allowed(self, now: Recommendation, on: dt.date, status: str, force: bool) -> bool:
        """Check that the first status change recorded after ``on`` may follow ``status``; True if forced past."""
        cutoff = end_of_day(on)
        later = [e for e in now.history if e.status is not None and e.happened > cutoff]
        if not later or later[0].status == status:  # the same status again is no change, not a forbidden one
            return False
        try:
            self.lifecycle.check_transition(status, later[0].status)
        except TransitionError:
            if force:
                return True
            allowed = ", ".join(self.lifecycle[status].next) or f"none: {status!r} is final"
            raise TransitionError(f"the change to {later[0].status!r} recorded for {later[0].happened.date()} "
                                  f"could not follow {status!r} on {on} (allowed after {status!r}: {allowed})",
                                  "; use --force to record it anyway") from None
        return False

    def _record(self, fh, event: Event) -> None:
        """Append one event and fold it in; one that happened before events already folded refolds them all."""
        offset = self.journal.append(fh, [event])
        if self._last is None or event.sort_key > self._last:
            self._offset = offset
            self._fold([event])
        else:
            try:
                self._catch_up()  # from the old offset: sees the event, sorts it among the others
            except Stale:
                self._reload()
        self._persist_cache()

    def respond(self, ref: str, response: str, *, note: str | None = None, by: str | None = None,
                for_owner: str | None = None, public_note: bool = False,
                at: str | dt.date | None = None, expect_version: str | None = None) -> Recommendation:
        """Record how the addressee responded (supported, noted, ...), with who and why.

        The response is a dimension of its own beside the status: any
        response may follow any other one. ``for_owner``, ``public_note`` and
        ``expect_version`` are as for :meth:`update`. Returns the recommendation afterwards.
        """
        if self.as_of_date is not None:
            raise InputError("this is a view of the past (as_of); it cannot be changed")
        if self.workspace.problems:
            raise WorkspaceError(self.workspace.problems)
        if response not in self.responses:
            raise unknown("response", "responses", response, self.responses.names)
        rec_id = self.resolve(ref)
        note = note if note and note.strip() else None
        for_owner, public_note = self._attribution(for_owner, public_note, note)
        on = self._happened_on(at)
        plugins = self.plugins
        with self.journal.locked() as fh:
            self._catch_up_locked()  # decide on the response as it stands now, not as it was read
            check_version(self._state[rec_id], expect_version)
            current = (self.as_of(on) if on is not None else self).get(rec_id).response
            if current == response:
                raise InputError(f"the response to {rec_id} already is {response!r}")
            event = Event(id=new_event_id(), at=next_time(self._last[0] if self._last else None),
                          by=current_actor(by), recommendation=rec_id, response=response,
                          previous_response=current, note=note, for_owner=for_owner, public=public_note, on=on,
                          v=HAPPENED_VERSION if on is not None else ATTRIBUTION_VERSION if for_owner or public_note
                          else 1)
            self._record(fh, event)
        plugins.notify(self, [event])
        return self._state[rec_id]

    def _attribution(self, for_owner: str | None, public_note: bool, note: str | None) -> tuple[str | None, bool]:
        """The owner id an event is done for, and whether its note is public (checked)."""
        if public_note and note is None:
            raise InputError("a public note needs a note: give --note TEXT with --public-note")
        return (self.resolve_owner(for_owner) if for_owner else None), bool(public_note)

    def record_events(self, events: Iterable[Event]) -> None:
        """Append prepared events (reminders sent, plugin events) in one locked write."""
        events = list(events)
        if not events:
            return
        if self.as_of_date is not None:
            raise InputError("this is a view of the past (as_of); it cannot be changed")
        plugins = self.plugins
        with self.journal.locked() as fh:
            self._catch_up_locked()
            for event in events:
                if event.subject is None and event.recommendation not in self._state:
                    raise NotFound(f"no recommendation {event.recommendation!r}")
            last = self._last[0] if self._last else None
            stamped = []
            for event in events:
                last = max(event.at, next_time(last))
                stamped.append(attrs.evolve(event, at=last))
            self._offset = self.journal.append(fh, stamped)
            self._fold(stamped)
            self._persist_cache()
        plugins.notify(self, stamped)

    # --- writing the YAML files (see diasporatrack.authoring) -----------------

    def add_recommendation(self, source: str, fields: dict[str, Any], *, id: str | None = None,
                           by: str | None = None) -> Recommendation:
        """Append a recommendation to a source's file; see :func:`~diasporatrack.authoring.add_recommendation`."""
        from .. import authoring

        return authoring.add_recommendation(self, source, fields, id=id, by=by)

    def set_fields(self, ref: str, *, add: dict[str, Iterable[str]] | None = None,
                   remove: dict[str, Iterable[str]] | None = None, by: str | None = None,
                   expect_version: str | None = None, **changes: Any) -> Recommendation:
        """Change authored fields (``title=...``, ``themes=[...]``, ``quote=None`` removes);
        see :func:`~diasporatrack.authoring.set_fields` (``expect_version`` as for :meth:`update`)."""
        from .. import authoring

        return authoring.set_fields(self, ref, changes, add=add, remove=remove, by=by,
                                    expect_version=expect_version)

    def remove_recommendation(self, ref: str, *, by: str | None = None) -> Recommendation:
        """Take a recommendation out of its file; its history stays in the journal."""
        from .. import authoring

        return authoring.remove_recommendation(self, ref, by=by)

    def move_recommendation(self, ref: str, to_source: str, *, by: str | None = None) -> Recommendation:
        """Move a recommendation's lines to another source's file."""
        from .. import authoring

        return authoring.move_recommendation(self, ref, to_source, by=by)

    def add_source(self, fields: dict[str, Any], *, path: str | os.PathLike[str] | None = None,
                   by: str | None = None) -> Source:
        """Create a source file; see :func:`~diasporatrack.authoring.add_source`."""
        from .. import authoring

        return authoring.add_source(self, fields, path=path, by=by)

    def set_source_fields(self, ref: str, *, add: dict[str, Iterable[str]] | None = None,
                          remove: dict[str, Iterable[str]] | None = None, by: str | None = None,
                          **changes: Any) -> Source:
        """Change fields of a source's ``source:`` block."""
        from .. import authoring

        return authoring.set_source_fields(self, ref, changes, add=add, remove=remove, by=by)

    def add_owner(self, fields: dict[str, Any], *, by: str | None = None) -> Owner:
        """Add an owner to ``owners.yaml``."""
        from .. import authoring

        return authoring.add_owner(self, fields, by=by)

    def set_owner_fields(self, ref: str, *, by: str | None = None, **changes: Any) -> Owner:
        """Change fields of an owner in ``owners.yaml``."""
        from .. import authoring

        return authoring.set_owner_fields(self, ref, changes, by=by)
