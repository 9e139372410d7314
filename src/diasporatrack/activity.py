"""The activity log: every event across the workspace, newest first, filtered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .model import Event


def happened_on(event: Event) -> dt.date:
    """The day an event happened: the day it was recorded unless it says otherwise."""
    on = getattr(event, "on", None)
    return on if isinstance(on, dt.date) else event.at.date()


def activity(
    tracker,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by: Iterable[str] = (),
    owner: Iterable[str] = (),
    source: Iterable[str] = (),
    recorded: bool = False,
) -> list[Event]:
    """Every event of every recommendation, newest first.

    ``since`` and ``until`` are inclusive days, compared with the day the event
    happened (or, with ``recorded``, the day it was written down). ``by`` matches
    who made the change, ignoring case; ``owner`` keeps the recommendations an
    owner or its expert groups hold now; ``source`` keeps those of a source.
    """
    names = {name.casefold() for name in by}
    owners: set[str] | None = None
    if owner:
        owners = set()
        for ref in owner:
            owners |= tracker.owner_and_descendants(tracker.resolve_owner(ref))
    sources = {tracker.resolve_source(ref) for ref in source} or None
    found: list[Event] = []
    for rec in tracker:
        if sources is not None and rec.source not in sources:
            continue
        if owners is not None and owners.isdisjoint(rec.owners):
            continue
        for event in rec.history:
            day = event.at.date() if recorded else happened_on(event)
            if (since is not None and day < since) or (until is not None and day > until):
                continue
            if names and event.by.casefold() not in names:
                continue
            found.append(event)
    found.sort(key=lambda e: (happened_on(e), e.at, e.id) if not recorded else (e.at, e.id), reverse=True)
    return found
