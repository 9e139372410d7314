"""The activity log: every event across the workspace, newest first, filtered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .model import Event


def happened_on(event: Event) -> dt.date:
    """The day an event happened: the day it was recorded unless it says otherwise (``on``)."""
    return event.happened.date()


def subject_of(event: Event) -> str:
    """What an event is about: a recommendation's id, or ``source:ID`` / ``owner:ID``."""
    return f"{event.subject}:{event.recommendation}" if event.subject else event.recommendation


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
    """Every event of the journal, newest first: changes to recommendations, sources and owners.

    ``since`` and ``until`` are inclusive days, compared with the day the event
    happened (or, with ``recorded``, the day it was written down). ``by`` matches
    who made the change, ignoring case; ``owner`` keeps the recommendations an
    owner or its expert groups hold now (and edits of those owners); ``source``
    keeps those of a source (and edits of its source block).
    """
    names = {name.casefold() for name in by}
    owners: set[str] | None = None
    if owner:
        owners = set()
        for ref in owner:
            owners |= tracker.owner_and_descendants(tracker.resolve_owner(ref))
    sources = {tracker.resolve_source(ref) for ref in source} or None
    events, _, _ = tracker.journal.read(0)
    found: dict[str, Event] = {}
    for event in events:
        day = event.at.date() if recorded else happened_on(event)
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        if names and event.by.casefold() not in names:
            continue
        if not _concerns(tracker, event, owners, sources):
            continue
        found.setdefault(event.id, event)
    key = (lambda e: (e.at, e.id)) if recorded else (lambda e: (happened_on(e), e.at, e.id))
    return sorted(found.values(), key=key, reverse=True)


def _concerns(tracker, event: Event, owners: set[str] | None, sources: set[str] | None) -> bool:
    subject = event.subject
    if subject == "owner":
        return sources is None and (owners is None or event.recommendation in owners)
    if subject == "source":
        return owners is None and (sources is None or event.recommendation in sources)
    rec = tracker._state.get(event.recommendation)
    if rec is None:  # removed since: its events stay in the journal and in the log
        return owners is None and sources is None
    return (sources is None or rec.source in sources) and (owners is None or not owners.isdisjoint(rec.owners))
