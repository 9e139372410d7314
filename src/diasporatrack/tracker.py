"""The Tracker: a workspace's recommendations as they stand, and the way to change them.

State is never stored: it is the authored YAML with the journal's events
folded in ``(at, id)`` order. Changes are appended to the journal under its
lock; before deciding whether a change is allowed, the tracker catches up
with anything other processes appended since it was opened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import getpass
import os
from collections.abc import Collection, Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .errors import DiasporatrackError, InputError, NotFound, Problem, TransitionError, WorkspaceError
from .journal import (
    ACTION_VERSION, ATTRIBUTION_VERSION, HAPPENED_VERSION, JOURNAL_NAME, PROGRESS_VERSION, Journal, new_event_id,
)
from .lifecycle import Lifecycle, Responses
from .model import Event, Owner, Recommendation, Source
from .workspace import Workspace, display_path, find_root, read_workspace

if TYPE_CHECKING:
    from .plugins import Plugins
    from .progress import Progress
    from .protocols import Context, Score

USER_ENV = "DIASPORATRACK_USER"
FUTURE_TOLERANCE = dt.timedelta(days=1)  # clocks disagree; an event further ahead is set aside

Filter = str | Collection[str] | None


def current_actor(by: str | None = None) -> str:
    """Who is acting: ``by``, else ``$DIASPORATRACK_USER``, else the login name."""
    if by:
        return by
    if os.environ.get(USER_ENV):
        return os.environ[USER_ENV]
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return "unknown"


def parse_date(value: str | dt.date, what: str = "date") -> dt.date:
    """A date from ``YYYY-MM-DD`` text, with an error that says what was wrong."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"bad {what} {value!r}: expected YYYY-MM-DD") from None


def parse_percent(value: float | str) -> float:
    """A progress percentage from 0 to 100 (decimals allowed), from a number or its text."""
    try:
        number = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        raise InputError(f"bad progress {value!r}: expected a number from 0 to 100") from None
    if not 0 <= number <= 100:  # also refuses nan
        raise InputError(f"bad progress {value!r}: expected a number from 0 to 100")
    return int(number) if number.is_integer() else number


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.timezone.utc)


def _as_set(value: Filter) -> set[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {value}
    return set(value)


class Tracker:
    """The recommendations of one workspace, their state and their history.

    Open one with :meth:`Tracker.open`; iterate it for recommendations.
    """

    def __init__(
        self, workspace: Workspace, journal: Journal, as_of: dt.date | None = None, plugins: Iterable[Any] = ()
    ) -> None:
        self.workspace = workspace
        self.journal = journal
        self.as_of_date = as_of
        self.warnings: list[Problem] = []
        self._state: MutableMapping[str, Recommendation] = dict(workspace.recommendations)
        self._offset = 0
        self._events: list[Event] | None = []  # None when opened from the cache: not all are in memory
        self._last: tuple[dt.datetime, str] | None = None  # sort key of the last event folded
        self._event_count = 0
        self._seen: dict[str, Event] = {}  # by id: one event twice counts once, two different ones are an error
        self.set_aside: list[Problem] = []  # events dated ahead of the clock, not folded (see _admit)
        self._retired: set[str] = set()  # recommendations removed by an edit: their old events stay quiet
        self._orphans: dict[str, list[Problem]] = {}  # warnings about events of unknown recommendations
        self._authored: tuple[Any, Workspace] | None = None  # files' fingerprint, workspace: after a write
        self._cache_token: str | None = None  # names the authored content, when this tracker keeps a cache
        self._fresh_rows: dict[str, str] = {}  # JSON rows made while writing the cache
        self._unsaved: set[str] = set()  # changed since the cache last saw this tracker's state
        self._cache_base: Any = None  # the journal mark that state was complete at
        self._extra_plugins = tuple(plugins)
        self._plugins: Plugins | None = None

    # --- opening ----------------------------------------------------------

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
        from . import cache as cache_module

        lock = cache_module.WriterLock(cache_module.cache_path(path))
        try:
            # Look at the cache; if it is stale or missing, become its one writer (bring it up to date by
            # re-reading the changed files, or read everything), or wait for the process that is.
            for _ in range(4):
                files = cache_module.scan(path)
                found = cls._from_cache(path, files, plugins)
                if isinstance(found, Tracker):
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
        from . import cache as cache_module

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
        except _Stale:
            return None
        return tracker

    def _mark(self):
        from .cache import JournalMark

        try:
            inode = self.journal.path.stat().st_ino
        except FileNotFoundError:
            inode = None
        last = (self._last[0].isoformat(), self._last[1]) if self._last else None
        return JournalMark(self._offset, inode, JournalMark.tail_of(self.journal.path, self._offset), last,
                           self._event_count)

    def _write_cache(self, files: Any, lock: Any, detached: bool = False) -> None:
        """Write the whole cache from this tracker's state; ``files`` were scanned before they were read."""
        from . import cache as cache_module

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
        from .cache import cache_path, save_rows

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

    @property
    def plugins(self) -> Plugins:
        """The plugin manager, loaded the first time something needs it."""
        if self._plugins is None:
            from .plugins import Plugins

            self._plugins = Plugins(self.root, self.config, self._extra_plugins)
        return self._plugins

    @property
    def root(self) -> Path:
        return self.workspace.root

    @property
    def lifecycle(self) -> Lifecycle:
        return self.workspace.lifecycle

    @property
    def responses(self) -> Responses:
        """The vocabulary of the addressee's responses (supported, noted, ...)."""
        return self.workspace.responses

    @property
    def sources(self) -> dict[str, Source]:
        return self.workspace.sources

    @property
    def owners(self) -> dict[str, Owner]:
        return self.workspace.owners

    @property
    def config(self) -> dict:
        return self.workspace.config

    @property
    def problems(self) -> list[Problem]:
        """Every error in the authored files; ``warnings`` has the journal's notices."""
        return self.workspace.problems

    # --- folding the journal ----------------------------------------------

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
            raise _Stale()  # opened from the cache: the caller reads everything again
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
        cutoff = _end_of_day(self.as_of_date) if self.as_of_date else None
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
        except _Stale:
            self._reload()

    def _reload(self) -> None:
        from . import cache as cache_module

        lock = cache_module.WriterLock(cache_module.cache_path(self.root))
        files = cache_module.scan(self.root)  # before the read: a file changed during it is seen as changed
        fresh = Tracker.load(self.root)
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
        except _Stale:  # a merged event sorts before those folded: read everything again
            self._reload()
            return True

    _FOLDED = ("workspace", "warnings", "_state", "_offset", "_events", "_last", "_event_count", "_seen",
               "_retired", "_orphans", "set_aside")

    def _take(self, fresh: Tracker) -> None:
        for name in self._FOLDED:
            setattr(self, name, getattr(fresh, name))

    def _adopt(self, workspace: Workspace) -> None:
        """After the YAML files were written (under the lock): fold the journal again on ``workspace``."""
        from . import cache as cache_module

        fresh = Tracker(workspace, self.journal, plugins=self._extra_plugins)
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

    # --- reading ----------------------------------------------------------

    def __iter__(self) -> Iterator[Recommendation]:
        return iter(self._state.values())

    def __len__(self) -> int:
        return len(self._state)

    def __contains__(self, rec_id: object) -> bool:
        return rec_id in self._state

    def resolve(self, ref: str) -> str:
        """The full id for an id or a unique prefix of one."""
        return _resolve(ref, self._state, "recommendation")

    def get(self, ref: str) -> Recommendation:
        """A recommendation by id or unique id prefix; :class:`NotFound` otherwise."""
        return self._state[self.resolve(ref)]

    def resolve_owner(self, ref: str) -> str:
        """The full owner id for an id or a unique prefix of one."""
        return _resolve(ref, self.owners, "owner")

    def resolve_source(self, ref: str) -> str:
        """The full source id for an id or a unique prefix of one."""
        return _resolve(ref, self.sources, "source")

    def owner_and_descendants(self, owner_id: str) -> set[str]:
        """An owner with every owner under it (an organisation and its expert groups)."""
        found = {owner_id}
        grew = True
        while grew:
            grew = False
            for owner in self.owners.values():
                if owner.parent in found and owner.id not in found:
                    found.add(owner.id)
                    grew = True
        return found

    def children(self, ref: str) -> list[Recommendation]:
        """The recommendations whose ``parent`` is this one (its cluster), in file order."""
        return [self._state[i] for i in self.workspace.children.get(self.resolve(ref), ())]

    def progress(self) -> Progress:
        """Progress as it stands now: ``tracker.progress().reading(rec)`` says how much and why.

        A recommendation's own ``progress`` wins; a parent without one shows
        the weighted mean of its children; with ``progress_from: actions``,
        one implemented by actions shows the mean of their status weights;
        otherwise its status weight counts (see :mod:`diasporatrack.progress`).
        """
        from .progress import Progress

        actions = self._action_weights() if self.config.get("progress_from") == "actions" else {}
        return Progress(self.lifecycle, self.workspace.children, self._state.__getitem__, actions)

    def _action_weights(self) -> dict[str, list[float]]:
        """Recommendation id -> the status weights of the actions implementing it (``progress_from: actions``).

        Kept while neither the journal nor actions.yaml changed: scorers ask for progress once per recommendation.
        """
        from .actions import ACTIONS_FILE

        try:
            found = os.stat(self.root / ACTIONS_FILE)
            key: tuple = (self._event_count, self._last, found.st_mtime_ns, found.st_size)
        except OSError:
            key = (self._event_count, self._last, None, None)
        kept = getattr(self, "_weights", None)
        if kept is not None and kept[0] == key:
            return kept[1]
        plan = self.plan()
        weights: dict[str, list[float]] = {}
        for action in plan:
            for rec_id in action.implements:
                weights.setdefault(rec_id, []).append(plan.lifecycle[action.status].weight)
        self._weights = (key, weights)
        return weights

    def query(
        self,
        *,
        status: Filter = None,
        owner: Filter = None,
        source: Filter = None,
        theme: Filter = None,
        addressed_to: Filter = None,
        response: Filter = None,
        unowned: bool = False,
        sdg: Filter = None,
        affected: Filter = None,
        author: Filter = None,
        where: Filter = None,
        search: str | None = None,
        overdue: bool = False,
        due_before: str | dt.date | None = None,
        due_after: str | dt.date | None = None,
        changed_since: str | dt.date | None = None,
        today: str | dt.date | None = None,
    ) -> list[Recommendation]:
        """Recommendations matching every given filter (each a value or a collection).

        ``owner`` matches the owner and any owner under it (an organisation's
        expert groups); labels (``theme``, ``addressed_to``, ``affected``
        groups of persons, ``author``) ignore case, accents and punctuation;
        owner and source ids may be unique prefixes. ``sdg`` names goals or
        targets (a goal also finds its targets); ``where`` is ``KEY=VALUE``
        on the ``extra`` fields (see :mod:`diasporatrack.filters`). ``search`` is free text: every word
        (or "quoted phrase") must begin a word of some text field, ignoring
        case and accents (see :mod:`diasporatrack.search`). ``overdue`` means
        past ``due`` (before ``today``, default: today in UTC) and not in a
        final status; ``due_before``/``due_after`` are strict;
        ``changed_since`` keeps what had an event on or after that day.
        """
        recs = [self._state[i] for i in self.query_ids(status=status, owner=owner, source=source, theme=theme,
                                                        addressed_to=addressed_to, response=response,
                                                        unowned=unowned, sdg=sdg, affected=affected,
                                                        author=author, where=where)]
        from .search import Narrowing, parse_terms

        narrowing = Narrowing(
            search=parse_terms(search) if search is not None else (),
            overdue=overdue,
            due_before=parse_date(due_before, "--due-before date") if due_before is not None else None,
            due_after=parse_date(due_after, "--due-after date") if due_after is not None else None,
            changed_since=parse_date(changed_since, "--changed-since date") if changed_since is not None else None,
            today=parse_date(today, "today") if today is not None else None,
        )
        if not narrowing:
            return recs
        lifecycle = self.lifecycle
        return narrowing.select(recs, lambda name: name in lifecycle and lifecycle[name].final)

    def query_ids(
        self,
        *,
        status: Filter = None,
        owner: Filter = None,
        source: Filter = None,
        theme: Filter = None,
        addressed_to: Filter = None,
        response: Filter = None,
        unowned: bool = False,
        sdg: Filter = None,
        affected: Filter = None,
        author: Filter = None,
        where: Filter = None,
    ) -> list[str]:
        """Like :meth:`query`, but only the ids (cheaper: nothing is built that is not needed)."""
        statuses = _as_set(status)
        if statuses is not None:
            for name in statuses:
                if name not in self.lifecycle:
                    raise _unknown("status", "statuses", name, self.lifecycle.names)
        owners = None
        if owner is not None:
            owners = set()
            for ref in _as_set(owner) or ():
                owners |= self.owner_and_descendants(self.resolve_owner(ref))
        sources = {self.resolve_source(s) for s in _as_set(source)} if source is not None else None
        from .filters import FieldFilters
        from .labels import label_key

        fields = FieldFilters.make(sdg=sdg, affected=affected, author=author, where=where)
        themes = {label_key(t) for t in _as_set(theme)} if theme is not None else None
        addressees = {label_key(a) for a in _as_set(addressed_to)} if addressed_to is not None else None
        responses = _as_set(response)
        for name in responses or ():
            if name not in self.responses:
                raise _unknown("response", "responses", name, self.responses.names)
        if statuses is sources is owners is themes is addressees is responses is None and not unowned \
                and not fields:
            return list(self._state)

        def matches(rec: Recommendation) -> bool:
            return not (
                (statuses is not None and rec.status not in statuses)
                or (sources is not None and rec.source not in sources)
                or (owners is not None and owners.isdisjoint(rec.owners))
                or (unowned and rec.owners)
                or (themes is not None and themes.isdisjoint(label_key(t) for t in rec.themes))
                or (addressees is not None and addressees.isdisjoint(label_key(a) for a in rec.addressed_to))
                or (responses is not None and rec.response not in responses)
                or (fields and not fields.matches(rec))
            )

        select = getattr(self._state, "select_ids", None)
        if select is not None:  # the cache narrows by its indexes; the rows it gives are checked here
            candidates = select(statuses=statuses, sources=sources, owners=owners, themes=themes,
                                addressees=addressees, responses=responses, unowned=unowned)
            if candidates is not None:
                return [i for i in candidates if matches(self._state[i])]
        return [rec.id for rec in self._state.values() if matches(rec)]

    def rows_json(self, ids: Iterable[str]) -> Iterator[str]:
        """Each recommendation as compact JSON text (the form ``list --format json`` prints), one at a time."""
        ids = list(ids)
        rows = getattr(self._state, "rows_json", None)
        if rows is not None:
            return rows(ids)
        from .cache import row_json

        fresh = self._fresh_rows  # made when the cache was written; dropped for anything changed since
        return (fresh.get(i) or row_json(self._state[i]) for i in ids)

    def plan(self):
        """The implementation plan (:class:`~diasporatrack.actions.Plan`): ``actions.yaml`` with the journal folded in.

        Actions with a problem are left out; ``plan().problems`` (and ``check()``) name them.
        """
        from .actions import load_plan

        return load_plan(self)

    def history(self, ref: str) -> tuple[Event, ...]:
        """Every event of a recommendation, oldest first."""
        return self.get(ref).history

    def as_of(self, day: str | dt.date) -> Tracker:
        """A read-only view of the workspace as it stood at the end of ``day`` (UTC).

        Edits of the YAML files journaled after ``day`` are undone; changes made
        to the files by hand cannot be, and show as they are now.
        """
        # A view of the past folds the authored files anew, never from the cache.
        workspace = self.workspace if self._events is not None else read_workspace(self.root)
        day = parse_date(day)
        cutoff = _end_of_day(day)
        later = {e.id: e for e in self.journal.read(0)[0] if e.kind == "edit" and e.happened > cutoff}
        if later:  # the files as they were then: journaled edits made since are taken back
            from .edits import undo_edits

            workspace = undo_edits(workspace, later.values())
        view = Tracker(workspace, self.journal, as_of=day, plugins=self._extra_plugins)
        view._plugins = self._plugins
        view._catch_up()
        return view

    # --- changing ---------------------------------------------------------

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
        on = self._happened_on(at)
        overridden = False
        plugins = self.plugins  # a plugin that cannot load stops the change before anything is written
        with self.journal.locked() as fh:
            self._catch_up_locked()
            now = self._state[rec_id]
            rec = self.as_of(on).get(rec_id) if on is not None else now  # as it stood that day
            if status is not None:
                if status not in self.lifecycle:
                    raise _unknown("status", "statuses", status, self.lifecycle.names)
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
            removed = tuple(_current_owner(o, rec) for o in removed)
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
                at=_next_time(self._last[0] if self._last else None),
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
                links=tuple(links),
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
        cutoff = _end_of_day(on)
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
                                  f"could not follow {status!r} on {on} (allowed after {status!r}: {allowed}); "
                                  "use --force to record it anyway") from None
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
            except _Stale:
                self._reload()
        self._persist_cache()

    def respond(self, ref: str, response: str, *, note: str | None = None, by: str | None = None,
                for_owner: str | None = None, public_note: bool = False,
                at: str | dt.date | None = None) -> Recommendation:
        """Record how the addressee responded (supported, noted, ...), with who and why.

        The response is a dimension of its own beside the status: any
        response may follow any other one. ``for_owner`` and ``public_note``
        are as for :meth:`update`. Returns the recommendation afterwards.
        """
        if self.as_of_date is not None:
            raise InputError("this is a view of the past (as_of); it cannot be changed")
        if self.workspace.problems:
            raise WorkspaceError(self.workspace.problems)
        if response not in self.responses:
            raise _unknown("response", "responses", response, self.responses.names)
        rec_id = self.resolve(ref)
        note = note if note and note.strip() else None
        for_owner, public_note = self._attribution(for_owner, public_note, note)
        on = self._happened_on(at)
        plugins = self.plugins
        with self.journal.locked() as fh:
            self._catch_up_locked()  # decide on the response as it stands now, not as it was read
            current = (self.as_of(on) if on is not None else self).get(rec_id).response
            if current == response:
                raise InputError(f"the response to {rec_id} already is {response!r}")
            event = Event(id=new_event_id(), at=_next_time(self._last[0] if self._last else None),
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
                last = max(event.at, _next_time(last))
                stamped.append(attrs.evolve(event, at=last))
            self._offset = self.journal.append(fh, stamped)
            self._fold(stamped)
            self._persist_cache()
        plugins.notify(self, stamped)

    # --- writing the YAML files (see diasporatrack.authoring) -----------------

    def add_recommendation(self, source: str, fields: dict[str, Any], *, id: str | None = None,
                           by: str | None = None) -> Recommendation:
        """Append a recommendation to a source's file; see :func:`~diasporatrack.authoring.add_recommendation`."""
        from . import authoring

        return authoring.add_recommendation(self, source, fields, id=id, by=by)

    def set_fields(self, ref: str, *, add: dict[str, Iterable[str]] | None = None,
                   remove: dict[str, Iterable[str]] | None = None, by: str | None = None,
                   **changes: Any) -> Recommendation:
        """Change authored fields (``title=...``, ``themes=[...]``, ``quote=None`` removes);
        see :func:`~diasporatrack.authoring.set_fields`."""
        from . import authoring

        return authoring.set_fields(self, ref, changes, add=add, remove=remove, by=by)

    def remove_recommendation(self, ref: str, *, by: str | None = None) -> Recommendation:
        """Take a recommendation out of its file; its history stays in the journal."""
        from . import authoring

        return authoring.remove_recommendation(self, ref, by=by)

    def move_recommendation(self, ref: str, to_source: str, *, by: str | None = None) -> Recommendation:
        """Move a recommendation's lines to another source's file."""
        from . import authoring

        return authoring.move_recommendation(self, ref, to_source, by=by)

    def add_source(self, fields: dict[str, Any], *, path: str | os.PathLike[str] | None = None,
                   by: str | None = None) -> Source:
        """Create a source file; see :func:`~diasporatrack.authoring.add_source`."""
        from . import authoring

        return authoring.add_source(self, fields, path=path, by=by)

    def set_source_fields(self, ref: str, *, add: dict[str, Iterable[str]] | None = None,
                          remove: dict[str, Iterable[str]] | None = None, by: str | None = None,
                          **changes: Any) -> Source:
        """Change fields of a source's ``source:`` block."""
        from . import authoring

        return authoring.set_source_fields(self, ref, changes, add=add, remove=remove, by=by)

    def add_owner(self, fields: dict[str, Any], *, by: str | None = None) -> Owner:
        """Add an owner to ``owners.yaml``."""
        from . import authoring

        return authoring.add_owner(self, fields, by=by)

    def set_owner_fields(self, ref: str, *, by: str | None = None, **changes: Any) -> Owner:
        """Change fields of an owner in ``owners.yaml``."""
        from . import authoring

        return authoring.set_owner_fields(self, ref, changes, by=by)

    # --- plugins at work ----------------------------------------------------

    def check(self, *, require_archive: bool = False) -> list[Problem]:
        """Every problem: the files', the quotes' (proven against archived sources), then plugins'.

        Warnings (a changed archive, journal notices) are added to ``warnings``.
        ``require_archive`` makes a source without an archived text a problem.
        """
        if self._events is None:  # opened from the cache, which keeps no file locations
            full = Tracker.load(self.root, plugins=self._extra_plugins)
            full._plugins = self._plugins
            found = full.check(require_archive=require_archive)
            self.warnings = full.warnings
            return found
        from .plugins import output_to_stderr
        from .quotes import check_quotes

        from .actions import load_plan

        found = list(self.problems) + load_plan(self).problems + self.set_aside + self.contact_problems()
        quote_problems, quote_warnings = check_quotes(self, require_archive=require_archive)
        found += quote_problems
        self.warnings.extend(w for w in quote_warnings if w not in self.warnings)
        plugins = self.plugins
        with output_to_stderr():  # once for all recommendations: what validators print goes to stderr
            for rec in self._state.values():
                where = self.workspace.locations.get(rec.id)
                for plugin, message in plugins.validate(rec, self):
                    found.append(Problem(message=f"{rec.id}: {message} [{plugin}]",
                                         path=where.path if where else None, line=where.line if where else None))
        return found

    def contact_problems(self) -> list[Problem]:
        """Owners' e-mail addresses no mail can be sent to, located in owners.yaml.

        ``validate`` reports them; they do not stop the workspace from
        opening, since only the reminders to those owners can fail.
        """
        from .contacts import contact_problem

        found = []
        for owner in self.owners.values():
            problem = contact_problem(owner.email) if owner.email else None
            if problem is not None:
                where = (self.workspace.locations.get(f"owner:{owner.id}#email")
                         or self.workspace.locations.get(f"owner:{owner.id}"))
                found.append(Problem(message=f"owner {owner.id!r}: email: {problem}",
                                     path=where.path if where else None, line=where.line if where else None))
        return found

    def context(self, today: str | dt.date | None = None) -> Context:
        """What scorers and reminder rules get to see."""
        from .protocols import Context

        day = parse_date(today, "date") if today is not None else dt.date.today()
        return Context(tracker=self, today=day)

    def score(self, scorer: str = "urgency", recommendations: Iterable[Recommendation] | None = None,
              today: str | dt.date | None = None) -> dict[str, Score]:
        """Scores by recommendation id, each able to explain itself term by term."""
        chosen = self.plugins.scorers[scorer]
        context = self.context(today)
        recs = self if recommendations is None else recommendations
        out = {}
        from .plugins import PluginError, _describe, output_to_stderr
        from .protocols import Score

        plugin = self.plugins.scorers.owners[scorer]
        with output_to_stderr():
            for rec in recs:
                try:
                    result = chosen.score(rec, context)
                except DiasporatrackError:
                    raise
                except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in a scorer are named too
                    raise PluginError(f"plugin {plugin!r} failed in scorer {scorer!r} for {rec.id}: "
                                      f"{_describe(err)}") from err
                if not isinstance(result, Score):
                    raise PluginError(f"plugin {plugin!r} returned {type(result).__name__} from scorer "
                                      f"{scorer!r} (score() must return a diasporatrack.protocols.Score)")
                out[rec.id] = result
        return out

    def export(self, format: str, recommendations: Iterable[Recommendation] | None = None, *,
               public: bool | None = None) -> str | bytes | dict[str, bytes]:
        """The recommendations (default: all) in an exporter's format.

        A folder exporter (``folder = True``, such as ``site``) returns a dict of relative file names to
        bytes; :func:`diasporatrack.files.write_folder` writes it.

        ``public`` (default: the exporter's own ``public`` attribute, true for
        published artefacts such as ``html`` and ``sqlite``) hands the
        exporter a :class:`~diasporatrack.publish.PublishedView`: no e-mail
        address, no member's name, no private note, and only what the
        ``publish:`` settings choose. ``public=False`` exports everything.
        """
        exporter = self.plugins.exporters[format]
        recs = list(self if recommendations is None else recommendations)
        from .plugins import PluginError, _describe, output_to_stderr

        source: Any = self
        if public is None:
            public = getattr(exporter, "public", False) is True
        if public:
            source = self.published()
            recs = source.select(recs)
        plugin = self.plugins.exporters.owners[format]
        try:
            with output_to_stderr():
                data = exporter.export(source, recs)
        except DiasporatrackError:
            raise
        except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in an exporter are named too
            raise PluginError(f"plugin {plugin!r} failed in exporter {format!r}: {_describe(err)}") from err
        if getattr(exporter, "folder", False) is True:
            # A folder exporter (``site``) returns its files by relative name; write_folder checks the names.
            if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, bytes)
                                                     for k, v in data.items()):
                raise PluginError(f"plugin {plugin!r} returned {type(data).__name__} from folder exporter "
                                  f"{format!r} (export() must return a dict of file names to bytes)")
            return data
        if not isinstance(data, (str, bytes)):
            raise PluginError(f"plugin {plugin!r} returned {type(data).__name__} from exporter {format!r} "
                              "(export() must return str or bytes)")
        return data

    def published(self):
        """This tracker as the public may see it, under the workspace's ``publish:`` settings."""
        from .publish import Profile, PublishedView

        profile = Profile.from_config(self.config)
        unknown = [s for s in profile.sources or () if s not in self.sources]
        if unknown:
            raise InputError(f"publish: sources: no source {unknown[0]!r}{_hint(unknown[0], self.sources)}")
        return PublishedView(self, profile)


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


class _Stale(Exception):
    """The cache cannot be brought up to date incrementally: read everything."""


def _next_time(last: dt.datetime | None) -> dt.datetime:
    """Now, but never before the last event: keeps one clone's order stable."""
    now = dt.datetime.now(dt.timezone.utc)
    if last is not None and now <= last:
        now = last + dt.timedelta(microseconds=1)
    return now


def _current_owner(ref: str, rec: Recommendation) -> str:
    """One of ``rec``'s owners by id or unique prefix."""
    matches = [o for o in rec.owners if o == ref] or [o for o in rec.owners if o.startswith(ref)]
    if len(matches) != 1:
        current = ", ".join(rec.owners) or "none"
        raise InputError(f"{ref!r} is not an owner of {rec.id} (owners: {current})")
    return matches[0]


def _unknown(what: str, plural: str, name: str, names: list[str]) -> InputError:
    return InputError(f"unknown {what} {name!r}{_hint(name, names)}; {plural} are: {', '.join(names)}")


def _hint(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _resolve(ref: str, items: dict, what: str) -> str:
    if ref in items:
        return ref
    matches = [key for key in items if key.startswith(ref)] if ref else []
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no {what} {ref!r}{_hint(ref, items)}")
    shown = ", ".join(sorted(matches)[:5]) + (", ..." if len(matches) > 5 else "")
    raise NotFound(f"{what} prefix {ref!r} is ambiguous: {shown}")
