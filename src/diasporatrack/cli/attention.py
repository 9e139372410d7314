"""`score` and `remind`: what needs attention, ranked or delivered."""

from __future__ import annotations

import argparse
import sys

from ..errors import InputError
from .common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    add_as_of,
    add_filters,
    add_format,
    open_tracker,
    query,
    shorten,
    table,
    title_width,
    to_json,
)

COMMANDS = ("score", "remind")


def cmd_score(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    if args.explain:
        rec = tracker.get(args.explain)
        score = tracker.score(args.scorer, [rec], today=args.today)[rec.id]
        if args.format == "json":
            print(to_json({"id": rec.id, "scorer": args.scorer, "score": score.value,
                         "terms": [{"name": t.name, "value": t.value, "reason": t.reason} for t in score.terms]}))
        else:
            print(f"{rec.id}: {args.scorer} {score.value:g}")
            print(score.explain())
        return EXIT_OK
    if args.limit is not None and args.limit < 1:
        raise InputError(f"--limit must be 1 or more, not {args.limit}")
    recs = query(tracker, args)
    scores = tracker.score(args.scorer, recs, today=args.today)
    ranked = sorted(recs, key=lambda r: (-scores[r.id].value, r.id))[: args.limit]
    if args.format == "json":
        print(to_json([{"id": r.id, "score": scores[r.id].value, "status": r.status, "title": r.title}
                     for r in ranked]))
    elif ranked:
        width = title_width()
        print(table([(r.id, f"{scores[r.id].value:.2f}", r.status, shorten(r.title, width)) for r in ranked],
                     ("id", args.scorer, "status", "title")))
    return EXIT_OK


def cmd_remind(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from ..plugins import output_to_stderr
    from ..reminders import remind

    tracker = open_tracker(args)
    channels = args.channel or ([] if args.format == "json" else ["console"])
    # With JSON on stdout, nothing a channel prints may land in it.
    with output_to_stderr() if args.format == "json" else nullcontext():
        result = remind(
            tracker,
            channels=channels,
            today=args.today,
            owner=args.owner,
            dry_run=args.dry_run,
            by=args.by,
            on_wait=lambda message: print(f"diasporatrack: {message}", file=sys.stderr, flush=True),
            calendar_file=args.calendar_file,
        )
    if args.format == "json":
        print(to_json([{"key": r.key, "rule": r.rule, "recommendation": r.recommendation, "title": r.title,
                      "reason": r.reason, "since": r.since.isoformat(), "owner": r.owner, "contact": r.contact}
                     for r in result.reminders], bulk=True))
    elif not result.reminders:
        print("nothing needs attention", file=sys.stderr)
    for warning in dict.fromkeys(d.error for d in result.skipped):  # once each, not once per rule
        print(f"diasporatrack: warning: {warning}", file=sys.stderr)
    for name, why in result.not_run.items():
        print(f"diasporatrack: warning: channel {name!r} {why}", file=sys.stderr)
    failed: dict[str, list] = {}
    for delivery in result.failures:  # one line per cause (a digest, a server), naming what it held back
        failed.setdefault(delivery.error or "not delivered", []).append(delivery.reminder)
    for error, reminders in failed.items():
        names = [f"{r.recommendation} ({r.rule})" for r in reminders]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        print(f"diasporatrack: error: {error} [not delivered: {shown}]", file=sys.stderr)
    for name, deliveries in result.deliveries.items():
        if name != "console":
            sent = sum(1 for d in deliveries if d.ok)
            verb = "would deliver" if args.dry_run else "delivered"
            print(f"{name}: {verb} {sent} reminder{'s' * (sent != 1)}", file=sys.stderr)
    return EXIT_PROBLEMS if result.failures else EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser("score", help="rank recommendations by a scorer; --explain shows each term")
    p.add_argument("--scorer", default="urgency", help="scorer name (default: %(default)s)")
    p.add_argument("--explain", metavar="ID", help="explain one recommendation's score term by term")
    p.add_argument("--today", metavar="DATE", help="score as if today were DATE (YYYY-MM-DD)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="show only the N highest")
    add_filters(p)
    add_format(p)
    add_as_of(p)
    p.set_defaults(func=cmd_score)

    channels = ", ".join(plugins.reminder_channels.names()) if plugins is not None else "console, email, calendar"
    p = sub.add_parser("remind", help="what needs attention today, delivered once per channel")
    p.add_argument("--channel", action="append", metavar="NAME", help=f"one of: {channels} (repeatable; "
                   "default: console)")
    p.add_argument("--dry-run", action="store_true", help="show what would be sent; send and record nothing")
    p.add_argument("--today", metavar="DATE", help="run as if today were DATE (YYYY-MM-DD)")
    p.add_argument("--owner", help="only reminders for this owner and the owners under it")
    p.add_argument("--calendar-file", metavar="PATH", help="the .ics file of the calendar channel")
    p.add_argument("--by", help="who sends the reminders (recorded in the journal)")
    add_format(p)
    p.set_defaults(func=cmd_remind)
