"""Reminders: what needs whose attention today, delivered once.

Rules (plugins) look at each recommendation and say why it needs attention;
each reminder is addressed to one owner (or to nobody, for the unowned).
Channels (plugins) deliver them. Every reminder has a key (rule,
recommendation, period, recipient); a delivery is recorded in the journal as
a ``reminded`` event, and a reminder already recorded for the same channel
is not delivered again. A failed delivery is not recorded, so the next run
retries it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from .errors import InputError
from .model import Event

if TYPE_CHECKING:
    from .protocols import Context
    from .tracker import Tracker

REMINDED = "reminded"


@attrs.frozen(kw_only=True)
class Reminder:
    """One reason one recommendation needs one owner's attention."""

    rule: str
    recommendation: str
    title: str
    reason: str
    since: dt.date
    period: str
    owner: str | None = None
    owner_name: str | None = None
    contact: str | None = None

    @property
    def key(self) -> str:
        """Same key, same reminder: it is delivered once per channel."""
        return f"{self.rule}:{self.recommendation}:{self.period}:{self.owner or '-'}"


@attrs.frozen(kw_only=True)
class Delivery:
    """What a channel did with one reminder: delivered, or why not."""

    reminder: Reminder
    ok: bool
    recipient: str | None = None
    error: str | None = None
    skipped: bool = False  # nothing to deliver to (no contact): reported, not a failure


def contact_of(tracker: Tracker, owner_id: str) -> str | None:
    """An owner's e-mail, else the nearest parent's (an expert group's organisation)."""
    seen = set()
    current = tracker.owners.get(owner_id)
    while current is not None and current.id not in seen:
        if current.email:
            return current.email
        seen.add(current.id)
        current = tracker.owners.get(current.parent) if current.parent else None
    return None


def addressed(tracker: Tracker, rec_id: str, owners: Sequence[str], **fields) -> list[Reminder]:
    """The same reminder once per owner, or once for nobody if unowned."""
    if not owners:
        return [Reminder(recommendation=rec_id, **fields)]
    out = []
    for owner in owners:
        known = tracker.owners.get(owner)
        out.append(Reminder(recommendation=rec_id, owner=owner, owner_name=known.name if known else owner,
                            contact=contact_of(tracker, owner), **fields))
    return out


def collect(tracker: Tracker, context: Context, *, owner: str | None = None,
            rules: Iterable[str] | None = None) -> list[Reminder]:
    """Every reminder the rules give today, for one owner (and those under it) if asked."""
    registry = tracker.plugins.reminder_rules
    chosen = [registry[name] for name in rules] if rules else list(registry)
    wanted = tracker.owner_and_descendants(tracker.resolve_owner(owner)) if owner else None
    found: dict[str, Reminder] = {}
    from .plugins import output_to_stderr

    with output_to_stderr():  # what rules print goes to stderr, once for the whole run
        for rec in tracker:
            if not tracker.lifecycle.is_active(rec.status):
                continue
            for rule in chosen:
                for reminder in _run_rule(tracker, rule, rec, context):
                    if wanted is not None and reminder.owner not in wanted:
                        continue
                    found.setdefault(reminder.key, reminder)
    return sorted(found.values(), key=lambda r: (r.owner or "", r.recommendation, r.rule))


def _run_rule(tracker: Tracker, rule, rec, context) -> list[Reminder]:
    try:
        return list(rule.check(rec, context) or ())
    except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in a rule are named too
        from .plugins import PluginError, _describe

        plugin = tracker.plugins.reminder_rules.owners.get(rule.name, "?")
        raise PluginError(f"plugin {plugin!r} failed in reminder rule {rule.name!r} for {rec.id}: "
                          f"{_describe(err)}") from err


def already_sent(tracker: Tracker, channel: str) -> set[str]:
    """Keys of reminders this channel delivered before, from the journal."""
    sent = set()
    for rec in tracker:
        for event in rec.history:
            if event.kind == REMINDED and event.data.get("channel") == channel:
                sent.add(event.data.get("key"))
    return sent


def deliver(tracker: Tracker, channel_name: str, reminders: Sequence[Reminder], context: Context, *,
            dry_run: bool = False, by: str | None = None) -> list[Delivery]:
    """Deliver through one channel what it has not delivered before; record what got through.

    A channel that only shows reminders (``records = False``, like the
    console) shows them all and records nothing.
    """
    channel = tracker.plugins.reminder_channels[channel_name]
    records = getattr(channel, "records", True)
    if records:
        sent = already_sent(tracker, channel.name)
        reminders = [r for r in reminders if r.key not in sent]
    if not reminders:
        return []
    options = dict(context.settings)
    options["dry_run"] = dry_run
    try:
        deliveries = list(channel.deliver(reminders, attrs.evolve(context, settings=options)))
    except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in a channel are named too
        from .errors import DiasporatrackError
        from .plugins import PluginError, _describe

        if isinstance(err, DiasporatrackError):
            raise
        plugin = tracker.plugins.reminder_channels.owners.get(channel.name, "?")
        raise PluginError(f"plugin {plugin!r} failed in reminder channel {channel.name!r}: {_describe(err)}") from err
    if records and not dry_run:
        tracker.record_events([reminded_event(tracker, d, channel.name, context.today, by)
                               for d in deliveries if d.ok])
    return deliveries


def reminded_event(tracker: Tracker, delivery: Delivery, channel: str, today: dt.date, by: str | None) -> Event:
    from .journal import new_event_id
    from .tracker import current_actor

    reminder = delivery.reminder
    return Event(
        id=new_event_id(),
        at=dt.datetime.now(dt.timezone.utc),
        by=current_actor(by),
        recommendation=reminder.recommendation,
        kind=REMINDED,
        data={
            "key": reminder.key,
            "rule": reminder.rule,
            "period": reminder.period,
            "channel": channel,
            "owner": reminder.owner,
            "recipient": delivery.recipient,
            "day": today.isoformat(),
            "summary": f"{reminder.rule} via {channel}" + (f" to {delivery.recipient}" if delivery.recipient else ""),
        },
    )


def settings(config: dict) -> dict:
    """The ``reminders:`` section of ``diasporatrack.yaml``, checked."""
    section = config.get("reminders") or {}
    known = {"due_soon_days", "stale_days", "email", "calendar_file"}
    for key in section:
        if key not in known:
            raise InputError(f"diasporatrack.yaml: reminders: unknown setting {key!r}; known: {', '.join(sorted(known))}")
    return dict(section)


@attrs.frozen
class RemindResult:
    """What one ``remind`` run found and did, per channel."""

    reminders: tuple[Reminder, ...]
    deliveries: dict[str, tuple[Delivery, ...]]

    @property
    def failures(self) -> list[Delivery]:
        return [d for ds in self.deliveries.values() for d in ds if not d.ok and not d.skipped]

    @property
    def skipped(self) -> list[Delivery]:
        return [d for ds in self.deliveries.values() for d in ds if d.skipped]


def remind(
    tracker: Tracker,
    *,
    channels: Sequence[str] = ("console",),
    today: dt.date | str | None = None,
    owner: str | None = None,
    dry_run: bool = False,
    by: str | None = None,
    **overrides: object,
) -> RemindResult:
    """Find today's reminders and deliver them through ``channels``.

    ``overrides`` replace settings of the ``reminders:`` section for this run
    (``calendar_file``, ``stdout``). Channels are checked before anything is
    sent, so an unknown channel sends nothing.
    """
    context = tracker.context(today)
    options = settings(tracker.config)
    options.update({k: v for k, v in overrides.items() if v is not None})
    context = attrs.evolve(context, settings=options)
    for name in channels:
        tracker.plugins.reminder_channels[name]  # fail early on a typo
    found = collect(tracker, context, owner=owner)
    deliveries = {name: tuple(deliver(tracker, name, found, context, dry_run=dry_run, by=by)) for name in channels}
    return RemindResult(tuple(found), deliveries)
