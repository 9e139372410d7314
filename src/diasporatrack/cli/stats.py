"""`stats`: counts and progress per status, response, source, owner and theme."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, add_as_of, add_format, open_tracker, table, to_json

COMMANDS = ("stats",)


def cmd_stats(args: argparse.Namespace) -> int:
    from ..report import bar, by_owner, by_source, by_theme, group_progress, progress

    tracker = open_tracker(args)
    recs = list(tracker)
    lifecycle = tracker.lifecycle
    sections = {
        "source": group_progress(recs, lifecycle, by_source),
        "owner": group_progress(recs, lifecycle, by_owner),
        "theme": group_progress(recs, lifecycle, by_theme),
    }
    counts = {s.name: sum(1 for r in recs if r.status == s.name) for s in lifecycle}
    responses = {name: sum(1 for r in recs if r.response == name) for name in tracker.responses.names}
    responses["(none recorded)"] = sum(1 for r in recs if r.response is None)
    if args.format == "json":
        print(to_json({
            "total": len(recs),
            "progress": progress(recs, lifecycle),
            "by_status": counts,
            "by_response": responses,
            **{f"by_{name}": [
                {"group": g.group, "count": g.count, "progress": g.progress, "by_status": g.by_status}
                for g in groups] for name, groups in sections.items()},
        }))
        return EXIT_OK
    total = len(recs) or 1
    print(f"{len(recs)} recommendations, overall progress {bar(progress(recs, lifecycle))}")
    print()
    print(table([(name, n, bar(n / total)) for name, n in counts.items()], ("status", "count", "share")))
    print()
    print(table([(name, n, bar(n / total)) for name, n in responses.items()], ("response", "count", "share")))
    for name, groups in sections.items():
        print()
        print(table([(g.group, g.count, bar(g.progress)) for g in groups], (name, "count", "progress")))
    return EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser("stats", help="counts and progress per status, source, owner and theme")
    add_format(p)
    add_as_of(p)
    p.set_defaults(func=cmd_stats)
