"""`log`: what changed across the workspace, and by whom, newest first."""

from __future__ import annotations

import argparse
import sys

from ..activity import activity, happened_on, subject_of
from ..journal import event_to_dict
from .common import (
    EXIT_OK,
    add_format,
    open_tracker,
    shorten,
    table,
    title_width,
    to_json,
)

COMMANDS = ("log",)


def cmd_log(args: argparse.Namespace) -> int:
    from ..tracker import parse_date

    tracker = open_tracker(args)
    since = parse_date(args.since, "--since date") if args.since else None
    until = parse_date(args.until, "--until date") if args.until else None
    events = activity(tracker, since=since, until=until, by=args.by or (), owner=args.owner or (),
                      source=args.source or (), recorded=args.recorded)
    if args.limit is not None:
        events = events[: args.limit]
    if args.format == "json":
        print(to_json([event_to_dict(e) for e in events], bulk=True))
    elif not events:
        print("no changes recorded in that span", file=sys.stderr)
    else:
        width = title_width()
        rows = [(happened_on(e).isoformat(), e.at.strftime("%Y-%m-%d %H:%M"), e.by, subject_of(e),
                 shorten(e.describe(), width)) for e in events]
        print(table(rows, ("day", "recorded (utc)", "by", "subject", "change")))
    return EXIT_OK


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def register(sub, plugins) -> None:
    p = sub.add_parser("log", help="every change across the workspace, newest first: what, when and by whom")
    p.add_argument("--since", metavar="DATE", help="only changes on or after DATE (the day they happened)")
    p.add_argument("--until", metavar="DATE", help="only changes on or before DATE")
    p.add_argument("--recorded", action="store_true",
                   help="--since/--until compare the day a change was recorded, not the day it happened")
    p.add_argument("--by", action="append", metavar="NAME", help="only changes made by NAME (repeatable)")
    p.add_argument("--owner", action="append", help="only recommendations this owner or its groups hold")
    p.add_argument("--source", action="append", help="only recommendations of this source")
    p.add_argument("--limit", type=_positive, metavar="N", help="only the N newest changes")
    add_format(p)
    p.set_defaults(func=cmd_log)
