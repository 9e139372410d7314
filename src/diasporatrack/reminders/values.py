"""The values reminders are made of: a reminder, a delivery, what one run found and did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

REMINDED = "reminded"


@attrs.frozen(kw_only=True)
class Reminder:
    """One reason one recommendation needs one owner's attention.

    Rules make them: ``rule`` (the rule's name), ``recommendation`` (its
    id), ``title``, ``reason`` (why, in words), ``since`` (the day it first
    applied) and ``period`` (which occurrence: a week, a due date; a new period
    is a new reminder). ``owner`` is an owner id, or None for the unowned.
    A rule may leave ``owner_name`` and ``contact`` out: ``remind`` fills them
    in from owners.yaml, the contact falling back to the nearest parent's.
    """

    rule: str
    recommendation: str
    title: str
    reason: str
    since: dt.date
    period: str
    owner: str | None = None
    owner_name: str | None = None
    contact: str | None = None
    subject: str | None = None  # "action": ``recommendation`` holds an action's id (a plan rule's reminder)

    @property
    def key(self) -> str:
        """Same key, same reminder: it is delivered once per channel."""
        return f"{self.rule}:{self.recommendation}:{self.period}:{self.owner or '-'}"


@attrs.frozen(kw_only=True)
class Delivery:
    """What a channel did with one reminder: delivered (``ok``), or why not (``error``).

    ``recipient`` is where it went (an address, a file), recorded in the
    journal. ``skipped`` marks a reminder there was nobody to deliver to (no
    contact): reported as a warning, not a failure, and not recorded.
    """

    reminder: Reminder
    ok: bool
    recipient: str | None = None
    error: str | None = None
    skipped: bool = False


def addressed(rec_id: str, owners: Sequence[str], **fields) -> list[Reminder]:
    """The same reminder once per owner, or once for nobody if unowned.

    Names and contacts are filled in by :func:`collect`, for every rule alike.
    """
    if not owners:
        return [Reminder(recommendation=rec_id, **fields)]
    return [Reminder(recommendation=rec_id, owner=owner, **fields) for owner in owners]


@attrs.frozen
class RemindResult:
    """What one ``remind`` run found and did, per channel.

    ``not_run`` names the channels that were left out, with why (a channel
    without a ``dry_run`` argument, under ``dry_run``).
    """

    reminders: tuple[Reminder, ...]
    deliveries: dict[str, tuple[Delivery, ...]]
    not_run: dict[str, str] = attrs.field(factory=dict)

    @property
    def failures(self) -> list[Delivery]:
        return [d for ds in self.deliveries.values() for d in ds if not d.ok and not d.skipped]

    @property
    def skipped(self) -> list[Delivery]:
        return [d for ds in self.deliveries.values() for d in ds if d.skipped]
