"""How far a recommendation has come, from 0 to 1.

Three sources, the first that applies wins:

1. ``progress`` set on the recommendation (in its file, or later with
   ``update --progress``), a percentage;
2. for a parent (a cluster: a UPR cluster, a Decidim parent result, a stance
   point with the calls under it), the weighted mean of its children's
   progress; each child's ``weight`` defaults to 1;
3. with ``progress_from: actions`` (in ``diasporatrack.yaml`` for every
   recommendation, or on one recommendation, which overrides the setting
   either way), the mean of the status weights of the actions that implement
   it (when there are any);
4. the progress weight of its status (``proposed`` 0, ``implemented`` 1).

A mean of values that each lie in [0, 1] with positive weights lies between
the smallest and the largest of them, so a cluster never shows more or less
than its children allow unless its own progress is set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from .lifecycle import Lifecycle
from .model import Recommendation

SET, CHILDREN, ACTIONS, STATUS = "set", "children", "actions", "status"


@attrs.frozen
class Reading:
    """A recommendation's progress and where it comes from (``set``, ``children`` or ``status``)."""

    value: float  # 0 to 1
    basis: str

    @property
    def percent(self) -> float:
        return self.value * 100

    def describe(self) -> str:
        why = {SET: "set explicitly", CHILDREN: "mean of its children", ACTIONS: "mean of its actions",
               STATUS: "from its status"}[self.basis]
        return f"{self.percent:.4g}% ({why})"


class Progress:
    """Progress of recommendations, with clusters: ``of(rec)`` is a fraction from 0 to 1.

    ``lookup`` finds a recommendation by id (children are looked up only
    when a parent needs them) and ``children`` maps a parent id to its
    children's ids. Readings are remembered, so one instance computes each
    cluster once; make a new one after a change.
    """

    def __init__(self, lifecycle: Lifecycle, children: Mapping[str, Sequence[str]],
                 lookup: Callable[[str], Recommendation],
                 actions: Mapping[str, Sequence[float]] | Callable[[], Mapping[str, Sequence[float]]] | None = None,
                 *, basis: str | None = None) -> None:
        self.lifecycle = lifecycle
        self.children = children
        self.lookup = lookup
        # recommendation id -> its actions' status weights; a function is asked only when a reading needs it,
        # so a workspace where no recommendation takes its progress from actions never reads the plan.
        self._actions = actions or {}
        # The workspace's progress_from; without it, weights given at all mean "actions" (the older call).
        self.basis = basis or (ACTIONS if actions and not callable(actions) else STATUS)
        self._known: dict[str, Reading] = {}

    @property
    def actions(self) -> Mapping[str, Sequence[float]]:
        if callable(self._actions):
            self._actions = self._actions() or {}
        return self._actions

    def of(self, rec: Recommendation) -> float:
        return self.reading(rec).value

    def __call__(self, rec: Recommendation) -> float:
        return self.reading(rec).value

    def reading(self, rec: Recommendation, _visiting: frozenset[str] = frozenset()) -> Reading:
        known = self._known.get(rec.id)
        if known is not None:
            return known
        if rec.progress is not None:
            reading = Reading(rec.progress / 100, SET)
        else:
            kids = [k for k in self.children.get(rec.id, ()) if k not in _visiting]  # a loop is a file error
            if kids:
                visiting = _visiting | {rec.id}
                pairs = [(self.reading(child, visiting).value, child.weight or 1)
                         for child in (self.lookup(k) for k in kids)]
                total = sum(w for _, w in pairs)
                mean = sum(v * w for v, w in pairs) / total
                values = [v for v, _ in pairs]  # rounding must not take the mean outside them
                reading = Reading(min(max(mean, min(values)), max(values)), CHILDREN)
            elif (getattr(rec, "progress_from", None) or self.basis) == ACTIONS and self.actions.get(rec.id):
                weights = self.actions[rec.id]
                reading = Reading(min(max(sum(weights) / len(weights), min(weights)), max(weights)), ACTIONS)
            else:
                status = self.lifecycle[rec.status] if rec.status in self.lifecycle else None
                reading = Reading(status.weight if status else 0.0, STATUS)
        self._known[rec.id] = reading
        return reading


def children_of(recs: Mapping[str, Recommendation] | Sequence[Recommendation]) -> dict[str, tuple[str, ...]]:
    """Parent id -> its children's ids, in the order they were written."""
    values = recs.values() if isinstance(recs, Mapping) else recs
    found: dict[str, list[str]] = {}
    for rec in values:
        if rec.parent is not None:
            found.setdefault(rec.parent, []).append(rec.id)
    return {parent: tuple(kids) for parent, kids in found.items()}


def measure_for(tracker) -> Progress:
    """The progress of a tracker, or of a published view (computed from only what it publishes)."""
    if hasattr(tracker, "progress"):
        return tracker.progress()
    recs = {r.id: r for r in tracker}
    return Progress(tracker.lifecycle, children_of(recs), recs.__getitem__)
