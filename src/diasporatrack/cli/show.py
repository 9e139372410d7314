"""`show` and `history`: one recommendation, and who changed what, when and why."""

from __future__ import annotations

import argparse
import sys
import textwrap

from ..journal import event_to_dict
from ..serialize import recommendation_to_dict
from .common import EXIT_OK, add_as_of, add_format, add_id, open_tracker, table, to_json

COMMANDS = ("show", "history")


def cmd_show(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    rec = tracker.get(args.id)
    if args.format == "json":
        print(to_json(recommendation_to_dict(rec, history=True)))
        return EXIT_OK
    source = tracker.sources[rec.source]
    owners = [f"{o} ({tracker.owners[o].name})" if o in tracker.owners else o for o in rec.owners]
    definition = tracker.lifecycle[rec.status].definition if rec.status in tracker.lifecycle else "(not in the lifecycle)"
    fields = [
        ("id", rec.id),
        ("title", rec.title),
        ("status", f"{rec.status}: {definition}"),
        ("response", f"{rec.response}: {tracker.responses[rec.response].definition}"
                     if rec.response in tracker.responses else rec.response),
        ("source", f"{source.id}: {source.title}" + (f" ({source.date})" if source.date else "")),
        ("author", rec.author),
        ("addressed to", ", ".join(rec.addressed_to)),
        ("owners", ", ".join(owners) or "none"),
        ("themes", ", ".join(rec.themes)),
        ("due", rec.due),
        ("review every", f"{rec.review_every} days" if rec.review_every else None),
        ("impact", rec.impact),
        ("links", ", ".join(rec.links)),
        ("updated", rec.updated.strftime("%Y-%m-%d %H:%M UTC") if rec.updated else "never"),
    ]
    for name, value in fields:
        if value:
            print(f"{name + ':':<14}{value}")
    print()
    print(textwrap.fill(" ".join(rec.text.split()), width=78))
    if rec.quote:
        print()
        print(textwrap.fill(f"“{rec.quote}”", width=78, initial_indent="  > ", subsequent_indent="    "))
    if rec.history:
        print()
        print(history_table(rec.history))
    return EXIT_OK


def history_table(events) -> str:
    rows = [(e.at.strftime("%Y-%m-%d %H:%M"), e.by, e.describe()) for e in events]
    return table(rows, ("when (utc)", "by", "change"))


def cmd_history(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    events = tracker.history(args.id)
    if args.format == "json":
        print(to_json([event_to_dict(e) for e in events]))
    elif not events:
        print(f"{tracker.resolve(args.id)}: no changes recorded yet", file=sys.stderr)
    else:
        print(history_table(events))
    return EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser("show", help="show one recommendation with its history")
    add_id(p)
    add_format(p)
    add_as_of(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("history", help="who changed what, when and why")
    add_id(p)
    add_format(p)
    p.set_defaults(func=cmd_history)
