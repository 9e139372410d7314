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
            rules: Iterable[str] | None = None, select: bool = True) -> list[Reminder]:
    """Every reminder the rules give today, for one owner (and those under it) if asked.

    A rule that declares what it needs (``wants``, see :mod:`.candidates`)
    is run only on the recommendations that have it, and a recommendation
    no rule wants is never built; ``select=False`` runs every rule on every
    active recommendation (the answer is the same: the tests compare them).
    """
    from ..plugins import output_to_stderr
    from .candidates import candidates

    registry = tracker.plugins.reminder_rules
    chosen = [registry[name] for name in rules] if rules else list(registry)
    wanted = tracker.owner_and_descendants(tracker.resolve_owner(owner)) if owner else None
    found: dict[str, Reminder] = {}
    checks = [_checker(tracker, rule) for rule in chosen]
    complete = _completer(tracker)
    with output_to_stderr():  # what rules print goes to stderr, once for the whole run
        declared = [_declared(tracker, rule, context) if select else None for rule in chosen]
        todo = candidates(tracker, declared, context.today)
        recs = _built(tracker, [rec_id for rec_id, _ in todo])
        for (rec_id, which), rec in zip(todo, recs):
            for i in which:
                for reminder in checks[i](rec, context):
                    if wanted is not None and reminder.owner not in wanted:
                        continue
                    if reminder.key not in found:
                        found[reminder.key] = complete(reminder)
    if rules is None:
        for reminder in _plan_reminders(tracker, context):
            if wanted is None or reminder.owner in wanted:
                found.setdefault(reminder.key, complete(reminder))
    return sorted(found.values(), key=lambda r: (r.owner or "", r.recommendation, r.rule))


def _declared(tracker: Tracker, rule, context: Context):
    """A rule's declaration (``wants``), its failure named like a failure of ``check``."""
    from ..plugins import PluginError, _describe
    from .candidates import wants_of

    try:
        return wants_of(rule, context)
    except BaseException as err:  # noqa: BLE001 - as in check()
        plugin = tracker.plugins.reminder_rules.owners.get(rule.name, "?")
        raise PluginError(f"plugin {plugin!r} failed in reminder rule {rule.name!r} (wants): "
                          f"{_describe(err)}") from err


def _built(tracker: Tracker, ids: list[str]) -> list:
    """These recommendations, built at once (the cache reads their rows in one pass)."""
    state = tracker._state
    preload = getattr(state, "preload", None)
    if preload is not None:
        preload(ids)
    return [state[i] for i in ids]


def _plan_reminders(tracker: Tracker, context: Context) -> list[Reminder]:
    """What the plan rules say of every unfinished action (none without an actions.yaml)."""
    from ..actions import checked_plan

    plan = checked_plan(tracker)
    found: list[Reminder] = []
    registry = tracker.plugins.plan_rules
    for action in plan:
        if not plan.lifecycle.is_active(action.status):
            continue
        for rule in registry:
            plugin = registry.owners.get(rule.name, "?")
            got = _answers(plugin, f"plan rule {rule.name!r}", action.id, "check_action",
                           lambda: rule.check_action(action, plan, context))  # noqa: B023 - called at once
            for item in got:
                found.append(item if item.subject else attrs.evolve(item, subject="action"))
    return found


def _completer(tracker: Tracker):
    """Fill in the owner's name and contact (else the nearest parent's) that a rule left out.

    Done here, once, so a plugin's rule reaches the same people as a built-in one.
    Each owner's name and contact are looked up once per run.
    """
    people: dict[str, tuple[str, str | None]] = {}

    def complete(reminder: Reminder) -> Reminder:
        if reminder.owner is None:
            return reminder
        if reminder.owner not in people:
            known = tracker.owners.get(reminder.owner)
            people[reminder.owner] = (known.name if known else reminder.owner, contact_of(tracker, reminder.owner))
        name, contact = people[reminder.owner]
        changes = {}
        if reminder.contact is None:
            changes["contact"] = contact
        if reminder.owner_name is None:
            changes["owner_name"] = name
        return attrs.evolve(reminder, **changes) if changes else reminder

    return complete


def _checker(tracker: Tracker, rule):
    """``rule.check`` with its failures and wrong answers named after the plugin."""
    plugin = tracker.plugins.reminder_rules.owners.get(rule.name, "?")
    check, what = rule.check, f"reminder rule {rule.name!r}"

    def run(rec, context) -> list[Reminder]:
        return _answers(plugin, what, rec.id, "check", lambda: check(rec, context))

    return run


def _answers(plugin: str, what: str, about: str, method: str, call) -> list[Reminder]:
    """What a rule's ``call()`` returns, each a Reminder, or a PluginError naming the plugin, the rule and the item."""
    from ..plugins import PluginError, _describe

    try:
        found = list(call() or ())
    except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in a rule are named too
        raise PluginError(f"plugin {plugin!r} failed in {what} for {about}: {_describe(err)}") from err
    for item in found:
        if not isinstance(item, Reminder):
            raise PluginError(f"plugin {plugin!r} returned {type(item).__name__} from {what} "
                              f"({method}() must return diasporatrack.Reminder values)")
    return found

