"""Opening a workspace and folding its journal: from the cache when it is fresh, else from the files.

Each process catches up with what others appended before it decides
anything; an event that sorts before those already folded (merged in from
another clone) makes the whole journal fold again, so every clone agrees.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, WorkspaceError
from ..journal import JOURNAL_NAME, Journal
from ..model import Event
from ..workspace import Workspace, display_path, find_root, read_workspace
from .values import FUTURE_TOLERANCE, Stale, end_of_day


if TYPE_CHECKING:
    from . import Tracker


class Folding:
    """Opening from the cache or the files, and folding the journal's events in. Part of :class:`~diasporatrack.tracker.Tracker`."""

    @classmethod
    def open(
        cls, root: str | os.PathLike[str] | None = None, *, plugins: Iterable[Any] = (), cache: bool = True
    ) -> Tracker:
        """Open the workspace at ``root`` (default: found upward from the cwd).

        ``plugins`` are extra plugin objects or modules, registered after the
        installed and configured ones (for tests and embedding). Raises
        :class:`WorkspaceError` listing every problem if the files are not
        valid; use :func:`diasporatrack.validate` to get problems as values.
        With ``cache`` (the default) the folded workspace is kept in the
        user's cache directory, so the next open need not read every file.
        """
        path = find_root(root)
        if not cache:
            tracker = cls.load(path, plugins=plugins)
            if tracker.problems:
                raise WorkspaceError(tracker.problems)
            return tracker
        from .. import cache as cache_module

        lock = cache_module.WriterLock(cache_module.cache_path(path))
        try:
            # Look at the cache; if it is stale or missing, become its one writer (bring it up to date by
            # re-reading the changed files, or read everything), or wait for the process that is.
            for _ in range(4):
                files = cache_module.scan(path)
                found = cls._from_cache(path, files, plugins)
                if isinstance(found, cls):
                    return found
                if lock.held:
                    if found == cache_module.STALE and cache_module.refresh(lock.db_path, path, files):
                        continue
                    break
                if not lock.acquire():
                    lock.wait_idle()
            tracker = cls.load(path, plugins=plugins)
            if tracker.problems:
                raise WorkspaceError(tracker.problems)
            tracker._cache_token = cache_module.new_token()
            if lock.held or lock.acquire():
                tracker._write_cache(files, lock, detached=True)
            return tracker
        finally:
            lock.release()

    @classmethod
    def _from_cache(cls, path: Path, files: Any, plugins: Iterable[Any]) -> Tracker | str | None:
        """A tracker from a fresh cache; else ``STALE`` (authored files changed) or None (no usable cache)."""
        from .. import cache as cache_module

        found = cache_module.open_cached(cache_module.cache_path(path), path, files)
        if not isinstance(found, cache_module.Opened):
            return found
        (config, lifecycle, responses, sources, owners, children), mark = found.workspace, found.mark
        journal = Journal(path / JOURNAL_NAME)
        if not mark.still_valid(journal.path):
            return None
        workspace = Workspace(root=path, lifecycle=lifecycle, responses=responses, config=config, sources=sources,
                              owners=owners, children=children)
        tracker = cls(workspace, journal, plugins=plugins)
        tracker._state = found.state
        tracker._events = None
        tracker._offset = mark.offset
        tracker._last = (dt.datetime.fromisoformat(mark.last_key[0]), mark.last_key[1]) if mark.last_key else None
        tracker._event_count = mark.events
        tracker._cache_token = found.token
        tracker._cache_base = mark
        try:
            if tracker._catch_up():
                tracker._persist_cache()
        except Stale:
            return None
        return tracker

    def _mark(self):
        from ..cache import JournalMark

        try:
            inode = self.journal.path.stat().st_ino
        except FileNotFoundError:
            inode = None
        last = (self._last[0].isoformat(), self._last[1]) if self._last else None
        return JournalMark(self._offset, inode, JournalMark.tail_of(self.journal.path, self._offset), last,
                           self._event_count)

    def _write_cache(self, files: Any, lock: Any, detached: bool = False) -> None:
        """Write the whole cache from this tracker's state; ``files`` were scanned before they were read."""
        from .. import cache as cache_module

        if self._cache_token is None or self.as_of_date is not None or self.set_aside:
            lock.release()
            return  # with events set aside, the cache could not fold them once their day comes
        mark = self._mark()
        if detached:
            self._fresh_rows = cache_module.write_detached(lock, self.workspace, dict(self._state), mark, files,
                                                           self._cache_token)
        else:
            try:
                self._fresh_rows = cache_module.write(lock.db_path, self.workspace, dict(self._state), mark, files,
                                                      self._cache_token)
            finally:
                lock.release()
        self._cache_base = mark
        self._unsaved.clear()

    def _persist_cache(self) -> None:
        """Save the recommendations changed since the cache last saw this tracker's state."""
        from ..cache import cache_path, save_rows

        if self._cache_token is None or self._cache_base is None or not self._unsaved or self.set_aside:
            return
        new = self._mark()
        if save_rows(cache_path(self.root), self._cache_token, [self._state[i] for i in self._unsaved],
                     self._cache_base, new) is not None:
            self._cache_base = new
            self._unsaved.clear()

    @classmethod
    def load(cls, root: str | os.PathLike[str] | None = None, *, plugins: Iterable[Any] = ()) -> Tracker:
        """Like :meth:`open` but keeps going on problems (see ``problems``)."""
        path = find_root(root)
        workspace = read_workspace(path)
        tracker = cls(workspace, Journal(path / JOURNAL_NAME), plugins=plugins)
        try:
            tracker._catch_up()
        except WorkspaceError as err:  # a corrupt journal line: report it with the rest
            workspace.problems.extend(err.problems)
        return tracker

    def _catch_up(self) -> bool:
        """Fold in whatever was appended to the journal since the last read; True if anything was."""
        events, self._offset, warnings = self.journal.read(self._offset)
        self.warnings.extend(w for w in warnings if w not in self.warnings)
        events = self._admit(events)
        if not events:
            return False
        events.sort(key=lambda e: e.sort_key)
        if self._last is None or events[0].sort_key > self._last:
            self._fold(events)
            return True
        if self._events is None:
            raise Stale()  # opened from the cache: the caller reads everything again
        # An event merged in from another clone sorts before ones already
        # folded: fold everything again so every clone agrees.
        everything = sorted(self._events + events, key=lambda e: e.sort_key)
        self._state = dict(self.workspace.recommendations)
        self.warnings = [w for w in self.warnings if not w.message.startswith("journal event ")]
        self._retired, self._orphans = set(), {}
        self._events, self._last, self._event_count = [], None, 0
        self._fresh_rows = {}
        self._fold(everything)
        return True

    def _admit(self, events: list[Event]) -> list[Event]:
        """The events to fold: each once, none past the as-of day, none dated in the future.

        The same event twice (a union merge that kept both copies) counts
        once; two different events with one id are a located error. An event
        dated more than a day ahead of this computer's clock (a clone with a
        wrong clock) is set aside with a warning: its line stays in the
        journal, and new events keep the real time instead of being stamped
        after it.
        """
        cutoff = end_of_day(self.as_of_date) if self.as_of_date else None
        horizon = dt.datetime.now(dt.timezone.utc) + FUTURE_TOLERANCE
        admitted = []
        conflicts = []
        for event in events:
            seen = self._seen.get(event.id)
            if seen is not None:
                if seen != event:
                    conflicts.append(event.id)
                continue
            if cutoff is not None and event.happened > cutoff:
                continue
            if event.at > horizon:
                self._set_aside_event(event)
                continue
            self._seen[event.id] = event
            admitted.append(event)
        if conflicts:
            shown = display_path(self.journal.path)
            raise WorkspaceError([Problem(
                message=f"event id {event_id} is used by two different events (the other at line "
                        f"{self.journal.line_of(event_id, 1)}): ids must be unique",
                path=shown, line=self.journal.line_of(event_id, 2)) for event_id in dict.fromkeys(conflicts)])
        return admitted

    def _set_aside_event(self, event: Event) -> None:
        problem = Problem(
            message=f"event {event.id} is dated {event.at.isoformat()}, more than a day ahead of this computer's "
                    "clock: set aside, not applied (its line stays in the journal)",
            path=display_path(self.journal.path), line=self.journal.line_of(event.id))
        if problem not in self.set_aside:
            self.set_aside.append(problem)

    def _catch_up_locked(self) -> None:
        """Catch up while holding the journal lock, reading everything again if the cache cannot."""
        try:
            self._catch_up()
        except Stale:
            self._reload()

    def _reload(self) -> None:
        from .. import cache as cache_module

        lock = cache_module.WriterLock(cache_module.cache_path(self.root))
        files = cache_module.scan(self.root)  # before the read: a file changed during it is seen as changed
        fresh = type(self).load(self.root)
        if fresh.problems:
            raise WorkspaceError(fresh.problems) from None
        self._take(fresh)
        if self._cache_token is None:
            return  # a tracker that keeps no cache
        self._cache_token = cache_module.new_token()
        if lock.acquire():  # another writer at work: its cache will do
            self._write_cache(files, lock)

    def refresh(self) -> bool:
        """Fold in what other processes appended to the journal since this tracker read it.

        Returns True if anything was. For a tracker kept open while others
        write: ``remind`` calls it once it holds the reminder lock, so it sees
        the reminders another run sent while it waited.
        """
        try:
            return self._catch_up()
        except Stale:  # a merged event sorts before those folded: read everything again
            self._reload()
            return True

    _FOLDED = ("workspace", "warnings", "_state", "_offset", "_events", "_last", "_event_count", "_seen",
               "_retired", "_orphans", "set_aside")

    def _take(self, fresh: Tracker) -> None:
        for name in self._FOLDED:
            setattr(self, name, getattr(fresh, name))

    def _adopt(self, workspace: Workspace) -> None:
        """After the YAML files were written (under the lock): fold the journal again on ``workspace``."""
        from .. import cache as cache_module

        fresh = type(self)(workspace, self.journal, plugins=self._extra_plugins)
        fresh._catch_up()
        self._take(fresh)
        self._fresh_rows, self._unsaved = {}, set()
        print_ = cache_module.fingerprint(self.root)
        # The next write need not read every file again while none changed (and
        # the paths it keeps, relative to the working folder, still lead to them).
        self._authored = (f"{print_}:{os.getcwd()}", workspace)
        if self._cache_token is not None:
            # The cache re-reads the files just written (only those); this tracker, whose rows come from
            # what it wrote, saves no more rows into it.
            self._cache_token = None
            cache_module.refresh_now(self.root)

    def _fold(self, events: Iterable[Event]) -> None:
        for event in events:
            if self._events is not None and (self._last is None or event.sort_key > self._last):
                self._events.append(event)
            if self._last is None or event.sort_key > self._last:
                self._last = event.sort_key
            self._event_count += 1
            if event.subject is not None:
                continue  # about a source, an owner or an action: already in the files, or folded by its plan
            rec = self._state.get(event.recommendation)
            if rec is None:
                self._orphan(event)
                continue
            if event.status is not None and event.status not in self.lifecycle:
                self.warnings.append(Problem(
                    message=f"journal event {event.id} sets {rec.id} to {event.status!r}, which is not a status "
                            f"of the lifecycle in diasporatrack.yaml",
                    path=display_path(self.journal.path)))
            if rec.history and rec.history[-1].sort_key >= event.sort_key:
                continue  # already in the cached row (another process saved it first)
            self._state[rec.id] = rec.apply(event)
            self._fresh_rows.pop(rec.id, None)
            self._unsaved.add(rec.id)

    def _orphan(self, event: Event) -> None:
        """An event for a recommendation not in the files: a warning, unless an edit removed it."""
        rec_id = event.recommendation
        if event.kind == "edit" and event.field is None:
            if event.new is None:  # removed on purpose: its history stays in the journal, quietly
                self._retired.add(rec_id)
                dropped = self._orphans.pop(rec_id, [])
                self.warnings = [w for w in self.warnings if all(w is not d for d in dropped)]
            return
        if rec_id in self._retired:
            return
        warning = Problem(message=f"journal event {event.id} is for unknown recommendation {rec_id!r}",
                          path=display_path(self.journal.path))
        self.warnings.append(warning)
        self._orphans.setdefault(rec_id, []).append(warning)
