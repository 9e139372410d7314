"""Dates that scorers, reminders and calendars agree on."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .errors import InputError

DEFAULT_DUE_SOON_DAYS = 14
DEFAULT_STALE_DAYS = 60

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


def reminder_windows(config: dict) -> tuple[int, int]:
    """``(due_soon_days, stale_days)`` from the ``reminders:`` settings."""
    section = config.get("reminders") or {}
    due_soon = section.get("due_soon_days", DEFAULT_DUE_SOON_DAYS)
    stale = section.get("stale_days", DEFAULT_STALE_DAYS)
    for name, value in (("due_soon_days", due_soon), ("stale_days", stale)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(f"diasporatrack.yaml: reminders.{name} must be a whole number of days, not {value!r}")
    return due_soon, stale
