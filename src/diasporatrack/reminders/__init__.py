"""Reminders: what needs whose attention today, delivered once.

Rules (plugins) look at each recommendation and say why it needs attention;
each reminder is addressed to one owner (or to nobody, for the unowned).
Channels (plugins) deliver them. Every reminder has a key (rule,
recommendation, period, recipient); a delivery is recorded in the journal as
a ``reminded`` event, and a reminder already recorded for the same channel
is not delivered again. A failed delivery is not recorded, so the next run
retries it.

One module per job: ``values`` (the reminder, the delivery, a run's result),
``candidates`` (what a rule declares it needs), ``collecting`` (running the rules), ``delivering`` (channels and the
journal), ``lock`` (one delivering run at a time); this module runs them in
order (:func:`remind`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from ..errors import InputError
from .candidates import Wants
from .collecting import collect
from .delivering import already_sent, deliver, reminded_event, takes_dry_run
from .lock import LOCK_NAME, LOCK_TIMEOUT, reminder_lock
from .values import REMINDED, Delivery, Reminder, RemindResult, addressed

if TYPE_CHECKING:
    from ..tracker import Tracker

__all__ = ["LOCK_NAME", "LOCK_TIMEOUT", "NOT_RUN", "REMINDED", "Delivery", "RemindResult", "Reminder", "Wants", "addressed",
           "already_sent", "collect", "deliver", "remind", "reminded_event", "reminder_lock", "settings",
           "takes_dry_run"]


def settings(config: dict) -> dict:
    """The ``reminders:`` section of ``diasporatrack.yaml``, checked."""
    section = config.get("reminders") or {}
    known = {"due_soon_days", "stale_days", "email", "calendar_file"}
    for key in section:
        if key not in known:
            raise InputError(f"diasporatrack.yaml: reminders: unknown setting {key!r}; known: {', '.join(sorted(known))}")
    return dict(section)


NOT_RUN = ("not run: its deliver() takes no dry_run argument, so nothing says it would send nothing "
           "(a channel that ignores dry_run must not be used with --dry-run)")


def remind(
    tracker: Tracker,
    *,
    channels: Sequence[str] = ("console",),
    today: dt.date | str | None = None,
    owner: str | None = None,
    dry_run: bool = False,
    by: str | None = None,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    **overrides: object,
) -> RemindResult:
    """Find today's reminders and deliver them through ``channels``.

    ``overrides`` replace settings of the ``reminders:`` section for this run
    (``calendar_file``, ``stdout``). Channels are checked before anything is
    sent, so an unknown channel sends nothing. A run that may deliver and
    record takes the workspace's reminder lock first (:func:`reminder_lock`,
    waiting up to ``lock_timeout`` seconds, default :data:`LOCK_TIMEOUT`,
    then :class:`~diasporatrack.errors.LockTimeout`) and reads the journal
    again, so two runs never deliver the same reminder twice.
    """
    context = tracker.context(today)
    options = settings(tracker.config)
    options.update({k: v for k, v in overrides.items() if v is not None})
    context = attrs.evolve(context, settings=options)
    chosen = {name: tracker.plugins.reminder_channels[name] for name in channels}  # fail early on a typo
    not_run = {name: NOT_RUN for name, channel in chosen.items() if dry_run and not takes_dry_run(channel)}
    records = not dry_run and any(getattr(channel, "records", True) for channel in chosen.values())
    if records and tracker.as_of_date is not None:
        raise InputError("this is a view of the past (as_of); it cannot send reminders")
    timeout = LOCK_TIMEOUT if lock_timeout is None else lock_timeout  # read here: tests and users may change it
    guard = reminder_lock(tracker.root, timeout, on_wait) if records else contextlib.nullcontext()
    with guard:
        if records:
            tracker.refresh()  # what another run recorded while this one waited is sent already
        found = collect(tracker, context, owner=owner)
        deliveries = {name: tuple(deliver(tracker, name, found, context, dry_run=dry_run, by=by))
                      for name in channels if name not in not_run}
    return RemindResult(tuple(found), deliveries, not_run)
