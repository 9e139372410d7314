"""`update` and `respond`: record what happened to a recommendation, in the journal."""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_OK, add_attribution, add_id, completed, open_tracker

COMMANDS = ("update", "respond")


def cmd_update(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    clear_due = args.due is not None and args.due.lower() == "none"
    clear_progress = args.progress is not None and args.progress.lower() == "none"
    after = tracker.update(
        args.id,
        status=args.status,
        add_owners=args.add_owner,
        remove_owners=args.remove_owner,
        due=None if clear_due else args.due,
        clear_due=clear_due,
        note=args.note,
        by=args.by,
        force=args.force,
        progress=None if clear_progress else args.progress,
        clear_progress=clear_progress,
        for_owner=args.for_owner,
        public_note=args.public_note,
        at=args.at,
        links=args.link,
        evidence=args.evidence,
        expect_version=args.expect_version,
    )
    event = max(after.history, key=lambda e: e.at)  # the one just recorded (a back-dated one folds earlier)
    print(f"{after.id}: {event.describe()}")
    if event.forced:
        print("(forced: the lifecycle did not allow this change; the override is recorded)", file=sys.stderr)
    return EXIT_OK


def cmd_respond(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    after = tracker.respond(args.id, args.response, note=args.note, by=args.by, for_owner=args.for_owner,
                            public_note=args.public_note, at=args.at, expect_version=args.expect_version)
    print(f"{after.id}: {max(after.history, key=lambda e: e.at).describe()}")
    return EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser("update", help="change status, owners, due date or progress, with a note")
    add_id(p)
    completed(p.add_argument("--status", help="new status (see: diasporatrack statuses)"), "statuses")
    completed(p.add_argument("--add-owner", action="append", default=[], metavar="OWNER",
                             help="add an owner (repeatable)"), "owners")
    completed(p.add_argument("--remove-owner", action="append", default=[], metavar="OWNER",
                             help="remove an owner (repeatable)"), "owners")
    p.add_argument("--due", metavar="DATE", help="due date YYYY-MM-DD, or 'none' to clear it")
    p.add_argument("--progress", metavar="PERCENT", help="how far it has come, 0 to 100 (decimals allowed), "
                   "or 'none' to let the status (or its children) give it again")
    p.add_argument("--note", help="why: kept in the history")
    p.add_argument("--by", help="who is making the change (default: $DIASPORATRACK_USER, else your login)")
    p.add_argument("--at", metavar="DATE", help="the day it happened, when that was before today (YYYY-MM-DD): "
                   "recorded now, folded in the order things happened")
    p.add_argument("--force", action="store_true", help="allow a status change the lifecycle forbids (recorded)")
    p.add_argument("--link", action="append", default=[], metavar="URL",
                   help="evidence: where the change can be checked (repeatable)")
    p.add_argument("--evidence", help="evidence: what the links show, in a few words")
    _add_publishing(p)
    p.set_defaults(func=cmd_update)

    p = sub.add_parser("respond", help="record how the addressee responded (supported, noted, ...)")
    add_id(p)
    completed(p.add_argument("response", help="a response (see: diasporatrack statuses)"), "responses")
    p.add_argument("--note", help="why, or where the response was given: kept in the history")
    p.add_argument("--by", help="who records it (default: $DIASPORATRACK_USER, else your login)")
    p.add_argument("--at", metavar="DATE", help="the day it happened, when that was before today (YYYY-MM-DD): "
                   "recorded now, folded in the order things happened")
    _add_publishing(p)
    p.set_defaults(func=cmd_respond)


def _add_publishing(p: argparse.ArgumentParser) -> None:
    p.add_argument("--expect-version", metavar="VERSION",
                   help="refuse the change if the recommendation is no longer at this version (as `show` prints it): "
                        "someone else changed it since you looked")
    add_attribution(p)
