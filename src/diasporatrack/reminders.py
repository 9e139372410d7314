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

import contextlib
import datetime as dt
import errno
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from .errors import InputError, LockTimeout, Problem, WorkspaceError
from .contacts import contact_of
from .model import Event
from .workspace import display_path

try:
    import fcntl
except ImportError:  # Windows: no flock; one run at a time is then up to the user
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from .protocols import Context
    from .tracker import Tracker

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
            if rec.draft or not tracker.lifecycle.is_active(rec.status):
                continue  # drafts wait for a person to review them before anyone is reminded
            for rule in chosen:
                for reminder in _run_rule(tracker, rule, rec, context):
                    if wanted is not None and reminder.owner not in wanted:
                        continue
                    found.setdefault(reminder.key, _completed(tracker, reminder))
    if rules is None:
        for reminder in _plan_reminders(tracker, context):
            if wanted is None or reminder.owner in wanted:
                found.setdefault(reminder.key, _completed(tracker, reminder))
    return sorted(found.values(), key=lambda r: (r.owner or "", r.recommendation, r.rule))


def _plan_reminders(tracker: Tracker, context: Context) -> list[Reminder]:
    """What the plan rules say of every unfinished action (none without an actions.yaml)."""
    from .actions import checked_plan
    from .plugins import PluginError, _describe

    plan = checked_plan(tracker)
    found: list[Reminder] = []
    registry = tracker.plugins.plan_rules
    for action in plan:
        if not plan.lifecycle.is_active(action.status):
            continue
        for rule in registry:
            plugin = registry.owners.get(rule.name, "?")
            try:
                got = list(rule.check_action(action, plan, context) or ())
            except BaseException as err:  # noqa: BLE001 - a plan rule's failure is named like any rule's
                raise PluginError(f"plugin {plugin!r} failed in plan rule {rule.name!r} for {action.id}: "
                                  f"{_describe(err)}") from err
            for item in got:
                if not isinstance(item, Reminder):
                    raise PluginError(f"plugin {plugin!r} returned {type(item).__name__} from plan rule "
                                      f"{rule.name!r} (check_action() must return diasporatrack.Reminder values)")
                found.append(item if item.subject else attrs.evolve(item, subject="action"))
    return found


def _completed(tracker: Tracker, reminder: Reminder) -> Reminder:
    """Fill in the owner's name and contact (else the nearest parent's) that a rule left out.

    Done here, once, so a plugin's rule reaches the same people as a built-in one.
    """
    if reminder.owner is None:
        return reminder
    changes = {}
    if reminder.contact is None:
        changes["contact"] = contact_of(tracker, reminder.owner)
    if reminder.owner_name is None:
        known = tracker.owners.get(reminder.owner)
        changes["owner_name"] = known.name if known else reminder.owner
    return attrs.evolve(reminder, **changes)


def _run_rule(tracker: Tracker, rule, rec, context) -> list[Reminder]:
    from .plugins import PluginError, _describe

    plugin = tracker.plugins.reminder_rules.owners.get(rule.name, "?")
    try:
        found = list(rule.check(rec, context) or ())
    except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in a rule are named too
        raise PluginError(f"plugin {plugin!r} failed in reminder rule {rule.name!r} for {rec.id}: "
                          f"{_describe(err)}") from err
    for item in found:
        if not isinstance(item, Reminder):
            raise PluginError(f"plugin {plugin!r} returned {type(item).__name__} from reminder rule {rule.name!r} "
                              "(check() must return diasporatrack.Reminder values)")
    return found


def already_sent(tracker: Tracker, channel: str) -> set[str]:
    """Keys of reminders this channel delivered before, from the journal."""
    from .actions import load_plan

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
    from .errors import DiasporatrackError
    from .plugins import PluginError, _describe

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
    from .journal import ACTION_VERSION, new_event_id
    from .tracker import current_actor

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


LOCK_NAME = ".remind.lock"
LOCK_TIMEOUT = 60.0  # seconds a run waits for another one to finish; remind(lock_timeout=...) overrides


@contextlib.contextmanager
def reminder_lock(root: Path, timeout: float | None = None,
                  on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the workspace's reminder lock: one run that delivers and records at a time.

    Held from before the journal is read until what was delivered is
    recorded, so a second run (cron and a person, two cron jobs) waits, up to
    ``timeout`` seconds, then sees what the first one sent. ``on_wait`` is told
    once, in words, that another run is active. The lock is ``flock`` on
    ``.remind.lock`` in the workspace, a plain file that is never read.
    """
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    path = root / LOCK_NAME
    shown = display_path(root) / LOCK_NAME  # never the target of a planted link
    # No following a link planted in a cloned workspace, no blocking on a FIFO.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as err:
        reason = ("is a symbolic link: the reminder lock must be a plain file; remove the link"
                  if err.errno == errno.ELOOP else f"cannot open the reminder lock: {err.strerror}")
        raise WorkspaceError([Problem(message=reason, path=shown)]) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise WorkspaceError([Problem(message="is not a plain file: the reminder lock must be one; remove it",
                                          path=shown)])
        if fcntl is not None:
            _acquire(fd, shown, timeout, on_wait)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock, also when the process dies


def _acquire(fd: int, shown: Path, timeout: float, on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as err:  # a file system without locks
            raise LockTimeout(f"{shown}: cannot take the reminder lock: {err.strerror}") from None
        left = deadline - time.monotonic()
        if left <= 0:
            raise LockTimeout(f"another remind run still holds {shown} after {timeout:g} s; nothing was sent "
                              "(run again when it has finished)")
        if not told and on_wait is not None:
            on_wait(f"another remind run is active (it holds {shown}); waiting up to {timeout:g} s for it to finish")
            told = True
        time.sleep(min(0.05, left))


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
    guard = reminder_lock(tracker.root, lock_timeout, on_wait) if records else contextlib.nullcontext()
    with guard:
        if records:
            tracker.refresh()  # what another run recorded while this one waited is sent already
        found = collect(tracker, context, owner=owner)
        deliveries = {name: tuple(deliver(tracker, name, found, context, dry_run=dry_run, by=by))
                      for name in channels if name not in not_run}
    return RemindResult(tuple(found), deliveries, not_run)
