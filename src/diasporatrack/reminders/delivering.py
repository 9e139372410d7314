"""Delivering reminders through a channel, once each, and recording what got through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import Event
from .values import REMINDED, Delivery, Reminder

if TYPE_CHECKING:
    from ..protocols import Context
    from ..tracker import Tracker


def already_sent(tracker: Tracker, channel: str) -> set[str]:
    """Keys of reminders this channel delivered before, from the journal."""
    from ..actions import load_plan

    sent = set()
    histories = [rec.history for rec in tracker] + [a.history for a in load_plan(tracker)]
    for history in histories:
        for event in history:
            if event.kind == REMINDED and event.data.get("channel") == channel:
                sent.add(event.data.get("key"))
    return sent


def takes_dry_run(channel: object) -> bool:
    """Whether a channel's ``deliver`` names a ``dry_run`` argument.

    Channels written before the argument existed keep working, called as
    they were (the way pluggy calls an implementation with only the
    arguments it names); under ``--dry-run`` they are not called at all,
    since nothing says they would hold back.
    """
    import inspect  # only remind pays for it

    try:
        parameter = inspect.signature(channel.deliver).parameters.get("dry_run")
    except (TypeError, ValueError):  # no signature to read (a builtin): assume the old form
        return False
    return parameter is not None and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)


def deliver(tracker: Tracker, channel_name: str, reminders: Sequence[Reminder], context: Context, *,
            dry_run: bool = False, by: str | None = None) -> list[Delivery]:
    """Deliver through one channel what it has not delivered before; record what got through.

    A channel that only shows reminders (``records = False``, like the
    console) shows them all and records nothing. Under ``dry_run`` a channel
    without a ``dry_run`` argument is not called (see :func:`takes_dry_run`).
    A channel that yields its deliveries (a generator) has each one recorded
    as it comes, so what went out before a crash or a failure is not sent
    again; a returned list is checked whole, then recorded.
    """
    from ..errors import DiasporatrackError
    from ..plugins import PluginError, _describe

    channel = tracker.plugins.reminder_channels[channel_name]
    plugin = tracker.plugins.reminder_channels.owners.get(channel.name, "?")
    record = getattr(channel, "records", True)
    if record:
        sent = already_sent(tracker, channel.name)
        reminders = [r for r in reminders if r.key not in sent]
    modern = takes_dry_run(channel)
    if not reminders or (dry_run and not modern):
        return []
    record = record and not dry_run

    def write(done: Sequence[Delivery]) -> None:
        tracker.record_events([reminded_event(tracker, d, channel.name, context.today, by) for d in done if d.ok])

    deliveries: list[Delivery] = []
    try:
        produced = channel.deliver(reminders, context, dry_run=dry_run) if modern else channel.deliver(reminders, context)
        streaming = not isinstance(produced, (list, tuple))
        for item in produced:
            if not isinstance(item, Delivery):
                raise PluginError(f"plugin {plugin!r} returned {type(item).__name__} from reminder channel "
                                  f"{channel.name!r} (deliver() must return diasporatrack.Delivery values)")
            deliveries.append(item)
            if record and streaming:
                write([item])
    except DiasporatrackError:
        raise
    except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in a channel are named too
        raise PluginError(f"plugin {plugin!r} failed in reminder channel {channel.name!r}: {_describe(err)}") from err
    if record and not streaming:
        write(deliveries)
    return deliveries


def reminded_event(tracker: Tracker, delivery: Delivery, channel: str, today: dt.date, by: str | None) -> Event:
    from ..journal import ACTION_VERSION, new_event_id
    from ..tracker import current_actor

    reminder = delivery.reminder
    return Event(
        id=new_event_id(),
        at=dt.datetime.now(dt.timezone.utc),
        by=current_actor(by),
        recommendation=reminder.recommendation,
        kind=REMINDED,
        subject=reminder.subject,
        v=ACTION_VERSION if reminder.subject else 1,
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
