"""Which recommendations a rule could speak of, told before any of them is built.

A rule may declare what a recommendation must have before its ``check``
can give a reminder (:class:`Wants`, from the rule's optional
``wants(context)`` method). ``remind`` then reads a few facts of every
active recommendation (from the cache's columns when the workspace is
cached) and calls ``check`` only for those the declaration lets through;
a recommendation no rule wants is never unpickled. A declaration must be
wide enough: whatever it lets out must be something ``check`` would say
nothing about (the tests compare both ways on generated workspaces). A
rule without ``wants`` sees every active recommendation, as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

import attrs

if TYPE_CHECKING:
    from ..model import Recommendation
    from ..tracker import Tracker


@attrs.frozen(kw_only=True)
class Wants:
    """What a recommendation needs before a rule can remind of it; every condition given must hold.

    ``due_within``: a due date between ``today + first`` and ``today + last``
    days, both included (None leaves that end open: ``(None, -1)`` is
    "past due"). ``unowned``: nobody owns it. ``review_due``: it has a review
    cadence and ``review_every`` days have passed since its last activity.
    ``quiet_for``: its last activity is at least that many days ago. The
    last activity is the day of its last event, else its source's date (as
    :func:`diasporatrack.schedule.last_activity` says); none means no
    candidate for ``review_due`` and ``quiet_for``.
    """

    due_within: tuple[int | None, int | None] | None = None
    unowned: bool = False
    review_due: bool = False
    quiet_for: int | None = None

    def admits(self, facts: Facts, today: dt.date) -> bool:
        if self.unowned and facts.owned:
            return False
        if self.due_within is not None:
            if facts.due is None:
                return False
            days = (facts.due - today).days
            first, last = self.due_within
            if (first is not None and days < first) or (last is not None and days > last):
                return False
        if self.review_due or self.quiet_for is not None:
            if facts.last is None:
                return False
            quiet = (today - facts.last).days
            if self.quiet_for is not None and quiet < self.quiet_for:
                return False
            if self.review_due and (not facts.review_every or quiet < facts.review_every):
                return False
        return True


class Facts(NamedTuple):
    """What a declaration looks at, for one recommendation: read from the cache without building it."""

    id: str
    due: dt.date | None
    owned: bool
    review_every: int | None
    last: dt.date | None  # the last activity: the day of the last event, else the source's date


def wants_of(rule: object, context) -> Wants | None:
    """The rule's declaration for today, or None (the rule sees every active recommendation)."""
    ask = getattr(rule, "wants", None)
    if ask is None:
        return None
    found = ask(context)
    if found is not None and not isinstance(found, Wants):
        raise TypeError(f"wants() must return diasporatrack.reminders.Wants or None, not {type(found).__name__}")
    return found


def active_facts(tracker: Tracker) -> Iterator[Facts]:
    """The facts of every active recommendation that is not a draft, in the tracker's order."""
    days = {sid: source.date for sid, source in tracker.sources.items()}
    cached = getattr(tracker._state, "reminder_facts", None)
    rows = cached(tracker.lifecycle) if cached is not None else None
    if rows is None:
        rows = (_facts_row(rec) for rec in tracker if not rec.draft and tracker.lifecycle.is_active(rec.status))
    for rec_id, due, owned, review_every, updated, source in rows:
        yield Facts(rec_id, due, owned, review_every, updated if updated is not None else days.get(source))


def _facts_row(rec: Recommendation) -> tuple:
    updated = rec.updated
    return (rec.id, rec.due, bool(rec.owners), rec.review_every, updated.date() if updated is not None else None,
            rec.source)


def candidates(tracker: Tracker, declared: list[Wants | None], today: dt.date) -> list[tuple[str, list[int]]]:
    """Each active recommendation some rule wants, in the tracker's order, with the positions of those rules."""
    found = []
    for facts in active_facts(tracker):
        chosen = [i for i, wants in enumerate(declared) if wants is None or wants.admits(facts, today)]
        if chosen:
            found.append((facts.id, chosen))
    return found
