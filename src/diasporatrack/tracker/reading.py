"""Reading a tracker: lookups by id or prefix, filters, progress, the plan and views of the past."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ..model import Event, Recommendation
from ..workspace import read_workspace
from .values import Filter, as_set, end_of_day, parse_date, resolve_ref, unknown

if TYPE_CHECKING:
    from . import Tracker
    from ..progress import Progress


class Reading:
    """Finding and filtering recommendations as they stand. Part of :class:`~diasporatrack.tracker.Tracker`."""

    def __iter__(self) -> Iterator[Recommendation]:
        return iter(self._state.values())

    def __len__(self) -> int:
        return len(self._state)

    def __contains__(self, rec_id: object) -> bool:
        return rec_id in self._state

    def resolve(self, ref: str) -> str:
        """The full id for an id or a unique prefix of one."""
        return resolve_ref(ref, self._state, "recommendation")

    def get(self, ref: str) -> Recommendation:
        """A recommendation by id or unique id prefix; :class:`NotFound` otherwise."""
        return self._state[self.resolve(ref)]

    def resolve_owner(self, ref: str) -> str:
        """The full owner id for an id or a unique prefix of one."""
        return resolve_ref(ref, self.owners, "owner")

    def resolve_source(self, ref: str) -> str:
        """The full source id for an id or a unique prefix of one."""
        return resolve_ref(ref, self.sources, "source")

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
        the weighted mean of its children; with ``progress_from: actions``
        (the workspace's setting, or the recommendation's own, which wins),
        one implemented by actions shows the mean of their status weights;
        otherwise its status weight counts (see :mod:`diasporatrack.progress`).
        The plan is read only when a recommendation asks for it.
        """
        from ..progress import Progress

        return Progress(self.lifecycle, self.workspace.children, self._state.__getitem__, self._action_weights,
                        basis=self.config.get("progress_from") or "status")

    def _action_weights(self) -> dict[str, list[float]]:
        """Recommendation id -> the status weights of the actions implementing it (``progress_from: actions``).

        Kept while neither the journal nor actions.yaml changed: scorers ask for progress once per recommendation.
        """
        from ..actions import ACTIONS_FILE

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
        from ..search import Narrowing, parse_terms

        terms = parse_terms(search) if search is not None else ()
        recs = [self._state[i] for i in self._query_ids(status=status, owner=owner, source=source, theme=theme,
                                                         addressed_to=addressed_to, response=response,
                                                         unowned=unowned, sdg=sdg, affected=affected,
                                                         author=author, where=where, terms=terms)]
        narrowing = Narrowing(
            search=terms,
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
        return self._query_ids(status=status, owner=owner, source=source, theme=theme, addressed_to=addressed_to,
                               response=response, unowned=unowned, sdg=sdg, affected=affected, author=author,
                               where=where)

    def _query_ids(self, *, status: Filter, owner: Filter, source: Filter, theme: Filter, addressed_to: Filter,
                   response: Filter, unowned: bool, sdg: Filter, affected: Filter, author: Filter, where: Filter,
                   terms: tuple[str, ...] = ()) -> list[str]:
        """:meth:`query_ids`; with search ``terms``, some ids without them may be left out (the cache's words
        index narrows first), and the caller checks the terms on what is left."""
        statuses = as_set(status)
        if statuses is not None:
            for name in statuses:
                if name not in self.lifecycle:
                    raise unknown("status", "statuses", name, self.lifecycle.names)
        owners = None
        if owner is not None:
            owners = set()
            for ref in as_set(owner) or ():
                owners |= self.owner_and_descendants(self.resolve_owner(ref))
        sources = {self.resolve_source(s) for s in as_set(source)} if source is not None else None
        from ..filters import FieldFilters
        from ..labels import label_key

        fields = FieldFilters.make(sdg=sdg, affected=affected, author=author, where=where)
        themes = {label_key(t) for t in as_set(theme)} if theme is not None else None
        addressees = {label_key(a) for a in as_set(addressed_to)} if addressed_to is not None else None
        responses = as_set(response)
        for name in responses or ():
            if name not in self.responses:
                raise unknown("response", "responses", name, self.responses.names)
        if statuses is sources is owners is themes is addressees is responses is None and not unowned \
                and not fields and not terms:
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
                                addressees=addressees, responses=responses, unowned=unowned, sdgs=fields.sdgs,
                                where_pairs=fields.where, terms=terms)
            if candidates is not None:
                chosen = set(candidates)  # in the recommendations' order, as without the cache
                candidates = [i for i in self._state if i in chosen]
                return [i for i in candidates if matches(self._state[i])]
        return [rec.id for rec in self._state.values() if matches(rec)]

    def rows_json(self, ids: Iterable[str]) -> Iterator[str]:
        """Each recommendation as compact JSON text (the form ``list --format json`` prints), one at a time."""
        ids = list(ids)
        rows = getattr(self._state, "rows_json", None)
        if rows is not None:
            return rows(ids)
        from ..cache import row_json

        fresh = self._fresh_rows  # made when the cache was written; dropped for anything changed since
        return (fresh.get(i) or row_json(self._state[i]) for i in ids)

    def plan(self):
        """The implementation plan (:class:`~diasporatrack.actions.Plan`): ``actions.yaml`` with the journal folded in.

        Actions with a problem are left out; ``plan().problems`` (and ``check()``) name them.
        """
        from ..actions import load_plan

        return load_plan(self)

    def history(self, ref: str) -> tuple[Event, ...]:
        """Every event of a recommendation, oldest first.

        A recommendation no longer in the files (removed by hand, or by
        ``import --update --prune``) keeps its history in the journal: asked
        for by its whole id, that history is given.
        """
        from ..errors import NotFound

        try:
            return self.get(ref).history
        except NotFound:
            gone = self.removed_history(ref)
            if not gone:
                raise
            return gone

    def removed_history(self, rec_id: str) -> tuple[Event, ...]:
        """The journaled events of ``rec_id`` when it is not in the workspace (empty when it is, or has none)."""
        if rec_id in self:
            return ()
        events = [e for e in self.journal.read(0)[0] if e.recommendation == rec_id and e.subject is None]
        return tuple(sorted(events, key=lambda e: e.sort_key))

    def as_of(self, day: str | dt.date) -> Tracker:
        """A read-only view of the workspace as it stood at the end of ``day`` (UTC).

        Edits of the YAML files journaled after ``day`` are undone; changes made
        to the files by hand cannot be, and show as they are now.
        """
        # A view of the past folds the authored files anew, never from the cache.
        workspace = self.workspace if self._events is not None else read_workspace(self.root)
        day = parse_date(day)
        cutoff = end_of_day(day)
        later = {e.id: e for e in self.journal.read(0)[0] if e.kind == "edit" and e.happened > cutoff}
        if later:  # the files as they were then: journaled edits made since are taken back
            from ..edits import undo_edits

            workspace = undo_edits(workspace, later.values())
        view = type(self)(workspace, self.journal, as_of=day, plugins=self._extra_plugins)
        view._plugins = self._plugins
        view._catch_up()
        return view
