"""`action list|show|add|set|update` and `indicator report`: the implementation plan."""

from __future__ import annotations

import argparse
import sys

from ..serialize import action_to_dict
from .common import (EXIT_OK, add_attribution, add_format, add_id, add_lang, completed, localizer, open_tracker,
                     say_fallbacks, shorten, table, title_width, to_json)

COMMANDS = ("action", "indicator")


def _indicator_lines(indicator) -> list[str]:
    if indicator.kind == "numeric":
        unit = f" {indicator.unit}" if indicator.unit else ""
        scale = f"baseline {indicator.baseline:g}, " if indicator.baseline is not None else ""
        scale += f"target {indicator.target:g}{unit}" if indicator.target is not None else unit.strip()
    else:
        scale = "levels: " + " < ".join(indicator.levels)
    every = f", every {indicator.cadence} days" if indicator.cadence else ""
    owner = f", reported by {indicator.owner}" if indicator.owner else ""
    lines = [f"  {indicator.id}: {indicator.title} ({scale}{every}{owner})"]
    for report in indicator.reports:
        extra = [report.event.note, report.event.evidence, ", ".join(report.event.links)]
        lines.append(f"    {report.on}  {report.value}" + "".join(f"  {x}" for x in extra if x))
    if not indicator.reports:
        lines.append("    (no reports yet)")
    return lines


def _plan(args: argparse.Namespace):
    from ..actions import checked_plan

    tracker = open_tracker(args)
    return tracker, checked_plan(tracker)


def cmd_action_list(args: argparse.Namespace) -> int:
    tracker, plan = _plan(args)
    actions = list(plan)
    if args.status:
        actions = [a for a in actions if a.status in args.status]
    if args.owner:
        wanted = set().union(*(tracker.owner_and_descendants(tracker.resolve_owner(o)) for o in args.owner))
        actions = [a for a in actions if wanted & set(a.owners)]
    if args.implements:
        rec_id = tracker.resolve(args.implements)
        actions = [a for a in actions if rec_id in a.implements]
    if args.format == "json":
        print(to_json([action_to_dict(a) for a in actions]))
        return EXIT_OK
    loc = localizer(tracker, args)
    rows = [(a.id, a.status, a.due or "", ", ".join(a.owners), ", ".join(a.implements),
             shorten(loc.action(a).text, title_width())) for a in actions]
    print(table(rows, ("id", "status", "due", "owners", "implements", "title")))
    say_fallbacks(loc)
    return EXIT_OK


def cmd_action_show(args: argparse.Namespace) -> int:
    tracker, plan = _plan(args)
    action = plan.get(args.id)
    if args.format == "json":
        print(to_json(action_to_dict(action, history=True)))
        return EXIT_OK
    definition = plan.lifecycle[action.status].definition
    loc = localizer(tracker, args)
    for name, value in (("id", action.id), ("title", loc.action(action).text),
                        ("status", f"{action.status}: {definition}"),
                        ("owners", ", ".join(action.owners)), ("start", action.start), ("due", action.due)):
        if value:
            print(f"{name + ':':<14}{value}")
    if action.description:
        print()
        print(" ".join(loc.action(action, "description").text.split()))
    print()
    print("implements:")
    for rec_id in action.implements:
        rec = tracker.get(rec_id)
        print(f"  {rec.id}  [{rec.status}]  {shorten(loc.rec(rec, 'title').text, title_width())}")
    if action.indicators:
        print()
        print("indicators:")
        for indicator in action.indicators:
            print("\n".join(_indicator_lines(indicator)))
    if action.history:
        print()
        print("history:")
        for event in action.history:
            print(f"  {event.at:%Y-%m-%d %H:%M}  {event.by}: {event.describe()}")
    say_fallbacks(loc)
    return EXIT_OK


def _fields(args: argparse.Namespace) -> dict:
    names = ("title", "description", "status", "start", "due")
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def cmd_action_add(args: argparse.Namespace) -> int:
    from ..actions import add_action

    tracker = open_tracker(args)
    fields = {"id": args.id, **_fields(args), "owners": args.owner or None,
              "implements": args.implements}  # whole ids: the file keeps what is typed, checked with the rest
    action = add_action(tracker, {k: v for k, v in fields.items() if v is not None}, by=args.by)
    print(f"{action.id}: added to actions.yaml ({action.status}), implements {', '.join(action.implements)}")
    return EXIT_OK


def cmd_action_set(args: argparse.Namespace) -> int:
    from ..actions import set_action_fields

    tracker = open_tracker(args)
    changes = _fields(args)
    for name in ("description", "start", "due"):  # 'none' takes the field out of the file
        if isinstance(changes.get(name), str) and changes[name].lower() == "none":
            changes[name] = None
    if args.translation:
        from ..actions import checked_plan
        from ..translations import with_entries

        changes["translations"] = with_entries(checked_plan(tracker).get(args.id).translations,
                                               args.translation) or None
    add = {"owners": args.add_owner, "implements": args.add_implements}
    remove = {"owners": args.remove_owner, "implements": args.remove_implements}
    action = set_action_fields(tracker, args.id, changes, add={k: v for k, v in add.items() if v},
                               remove={k: v for k, v in remove.items() if v}, by=args.by)
    print(f"{action.id}: written to actions.yaml")
    return EXIT_OK


def cmd_action_update(args: argparse.Namespace) -> int:
    from ..actions import update_action

    tracker = open_tracker(args)
    action = update_action(tracker, args.id, args.status, note=args.note, force=args.force, links=args.link,
                           evidence=args.evidence, by=args.by, for_owner=args.for_owner, public_note=args.public_note)
    print(f"{action.id}: {action.history[-1].describe()}")
    if args.force:
        print("(forced: the override is recorded)", file=sys.stderr)
    return EXIT_OK


def cmd_indicator_report(args: argparse.Namespace) -> int:
    from ..indicators import report_indicator

    tracker = open_tracker(args)
    indicator = report_indicator(tracker, args.indicator, args.value, on=args.on, note=args.note,
                                 links=args.link, evidence=args.evidence, by=args.by, for_owner=args.for_owner,
                                 public_note=args.public_note)
    # the series is ordered by the day measured: the report just made is the one recorded last
    recorded = max((r.event for r in indicator.reports), key=lambda e: e.at)
    print(f"{recorded.recommendation}/{indicator.id}: {recorded.describe()}")
    return EXIT_OK


def cmd_indicator_list(args: argparse.Namespace) -> int:
    import datetime as dt

    from ..serialize import indicator_to_dict

    tracker, plan = _plan(args)
    today = dt.datetime.now(dt.timezone.utc).date()
    only = plan.resolve(args.action) if args.action else None
    owners = set().union(*(tracker.owner_and_descendants(tracker.resolve_owner(o)) for o in args.owner or ()))
    rec_id = tracker.resolve(args.implements) if args.implements else None
    found = []
    for action in plan:
        if (only and action.id != only) or (rec_id and rec_id not in action.implements):
            continue
        for indicator in action.indicators:
            if owners and (indicator.owner or "") not in owners:
                continue
            due = indicator.next_due(action.start)  # every `cadence` days since the last report (or the start)
            if args.overdue and not (due is not None and due < today):
                continue
            if args.due_within is not None and not (due is not None and due <= today + dt.timedelta(args.due_within)):
                continue
            found.append((action, indicator, due))
    if args.format == "json":
        print(to_json([{"action": a.id, **indicator_to_dict(i), "next_due": d.isoformat() if d else None}
                       for a, i, d in found]))
        return EXIT_OK
    rows = []
    for action, indicator, due in found:
        last = indicator.last
        overdue = " (overdue)" if due is not None and due < today else ""
        rows.append((f"{action.id}/{indicator.id}", indicator.kind, f"{last.value} on {last.on}" if last else "-",
                     f"{due}{overdue}" if due else "", indicator.owner or "",
                     shorten(indicator.title, title_width())))
    print(table(rows, ("indicator", "kind", "last report", "next due", "owner", "title")))
    return EXIT_OK


def register(sub, plugins) -> None:
    group = sub.add_parser("action", help="the implementation plan: actions that implement recommendations")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)

    p = verbs.add_parser("list", help="every action of actions.yaml with its status, owners and recommendations")
    p.add_argument("--status", action="append", help="only actions in this status (repeatable)")
    completed(p.add_argument("--owner", action="append", help="only actions of this owner or its groups "
                             "(repeatable)"), "owners")
    completed(p.add_argument("--implements", metavar="ID", help="only actions implementing this recommendation"),
              "ids")
    add_lang(p)
    add_format(p)
    p.set_defaults(func=cmd_action_list)

    p = verbs.add_parser("show", help="one action: its fields, the recommendations it implements, its history")
    add_id(p, "an action id or unique prefix", complete="actions")
    add_lang(p)
    add_format(p)
    p.set_defaults(func=cmd_action_show)

    p = verbs.add_parser("add", help="add an action to actions.yaml (journaled)")
    p.add_argument("id", help="the new action's id")
    p.add_argument("--title", required=True)
    p.add_argument("--description")
    p.add_argument("--status", help="where it starts (default: the first action status)")
    p.add_argument("--start", metavar="DATE", help="start date YYYY-MM-DD")
    p.add_argument("--due", metavar="DATE", help="due date YYYY-MM-DD")
    completed(p.add_argument("--owner", action="append", help="an owner (repeatable)"), "owners")
    completed(p.add_argument("--implements", action="append", required=True, metavar="ID",
                             help="a recommendation it implements (repeatable, at least one)"), "ids")
    p.add_argument("--by", help="who makes the change (default: $DIASPORATRACK_USER, else your login)")
    p.set_defaults(func=cmd_action_add)

    p = verbs.add_parser("set", help="change fields of an action in actions.yaml (journaled)")
    add_id(p, "an action id or unique prefix", complete="actions")
    p.add_argument("--title")
    p.add_argument("--description", help="new description, or 'none' to remove it")
    p.add_argument("--start", metavar="DATE", help="start date YYYY-MM-DD, or 'none'")
    p.add_argument("--due", metavar="DATE", help="due date YYYY-MM-DD, or 'none'")
    for verb in ("add", "remove"):
        completed(p.add_argument(f"--{verb}-owner", action="append", default=[], metavar="OWNER",
                                 help=f"{verb} an owner (repeatable)"), "owners")
        completed(p.add_argument(f"--{verb}-implements", action="append", default=[], metavar="ID",
                                 help=f"{verb} a recommendation it implements (repeatable)"), "ids")
    p.add_argument("--translation", action="append", metavar="LANG:FIELD=TEXT",
                   help="a translation of the title or description, e.g. ur:title=... (repeatable; an empty "
                        "TEXT removes it)")
    p.add_argument("--by", help="who makes the change (default: $DIASPORATRACK_USER, else your login)")
    p.set_defaults(func=cmd_action_set)

    p = verbs.add_parser("update", help="change an action's status, with a note (journaled)")
    add_id(p, "an action id or unique prefix", complete="actions")
    p.add_argument("--status", required=True, help="the new status (see action_statuses in diasporatrack.yaml)")
    p.add_argument("--note", help="why: kept in the history")
    p.add_argument("--force", action="store_true", help="allow a change the actions' lifecycle forbids (recorded)")
    p.add_argument("--link", action="append", default=[], metavar="URL",
                   help="evidence: where the change can be checked (repeatable)")
    p.add_argument("--evidence", help="evidence: what the links show, in a few words")
    p.add_argument("--by", help="who makes the change (default: $DIASPORATRACK_USER, else your login)")
    add_attribution(p)
    p.set_defaults(func=cmd_action_update)

    group = sub.add_parser("indicator", help="the indicators of actions: list them, report a value")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    p = verbs.add_parser("list", help="every indicator with its last report and when the next one is due")
    completed(p.add_argument("--action", metavar="ID", help="only the indicators of this action"), "actions")
    completed(p.add_argument("--owner", action="append", help="only those reported by this owner or its groups "
                             "(repeatable)"), "owners")
    completed(p.add_argument("--implements", metavar="ID", help="only those of actions implementing this "
                             "recommendation"), "ids")
    p.add_argument("--overdue", action="store_true", help="only those whose next report is past due")
    p.add_argument("--due-within", type=int, metavar="DAYS", help="only those whose next report is due within DAYS "
                   "days (overdue ones included)")
    add_format(p)
    p.set_defaults(func=cmd_indicator_list)
    p = verbs.add_parser("report", help="record a value of an indicator in the journal")
    p.add_argument("indicator", metavar="ACTION/IND", help="the action's id (or unique prefix), /, the indicator's id")
    p.add_argument("value", help="a number, or one of a qualitative indicator's levels")
    p.add_argument("--on", metavar="DATE", help="the day it was measured (default: today)")
    p.add_argument("--note", help="what the value means: kept with the report")
    p.add_argument("--link", action="append", default=[], metavar="URL",
                   help="evidence: where the value can be checked (repeatable)")
    p.add_argument("--evidence", help="evidence: what the links show, in a few words")
    p.add_argument("--by", help="who reports (default: $DIASPORATRACK_USER, else your login)")
    add_attribution(p)
    p.set_defaults(func=cmd_indicator_report)
