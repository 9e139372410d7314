"""Finding reminders: every rule over the recommendations (and the plan rules over the actions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from ..contacts import contact_of
from .values import Reminder

if TYPE_CHECKING:
    from ..protocols import Context
    from ..tracker import Tracker


def collect(tracker: Tracker, context: Context, *, owner: str | None = None,
            rules: Iterable[str] | None = None) -> list[Reminder]:
    """Every reminder the rules give today, for one owner (and those under it) if asked."""
    registry = tracker.plugins.reminder_rules
    chosen = [registry[name] for name in rules] if rules else list(registry)
    wanted = tracker.owner_and_descendants(tracker.resolve_owner(owner)) if owner else None
    found: dict[str, Reminder] = {}
    from ..plugins import output_to_stderr

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
    from ..actions import checked_plan
    from ..plugins import PluginError, _describe

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
    from ..plugins import PluginError, _describe

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
