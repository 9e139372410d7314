"""Dates that scorers, reminders and calendars agree on."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Recommendation
    from .tracker import Tracker


def last_activity(rec: Recommendation, tracker: Tracker) -> dt.date | None:
    """The day something last happened: the last journal event, else the source's date."""
    if rec.updated is not None:
        return rec.updated.date()
    source = tracker.sources.get(rec.source)
    return source.date if source is not None else None


def next_review(rec: Recommendation, tracker: Tracker) -> dt.date | None:
    """When a recommendation with a review cadence should next be looked at."""
    if not rec.review_every:
        return None
    start = last_activity(rec, tracker)
    return start + dt.timedelta(days=rec.review_every) if start is not None else None
