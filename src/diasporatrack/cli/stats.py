"""`stats`: counts and progress per status, response, source, owner, theme, SDG, group, author and addressee."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, add_as_of, add_format, open_tracker, table, to_json

COMMANDS = ("stats",)


def cmd_stats(args: argparse.Namespace) -> int:
    from ..report import (
        bar,
        by_addressee,
        by_affected,
        by_author,
        by_owner_rolled_up,
        by_sdg,
        by_source,
        by_theme,
        group_progress,
        progress,
    )

    tracker = open_tracker(args)
    recs = list(tracker)
    lifecycle = tracker.lifecycle
    measure = tracker.progress()  # progress set with update --progress, and clusters, count
    sections = {
        "source": group_progress(recs, lifecycle, by_source, measure),
        # an expert group's recommendations count for its organisation too
        "owner": group_progress(recs, lifecycle, by_owner_rolled_up(tracker.owners), measure),
        "theme": group_progress(recs, lifecycle, by_theme, measure, labels=True),
        "sdg": group_progress(recs, lifecycle, by_sdg, measure),
        "affected": group_progress(recs, lifecycle, by_affected, measure, labels=True),
        "author": group_progress(recs, lifecycle, by_author, measure, labels=True),
        "addressee": group_progress(recs, lifecycle, by_addressee, measure, labels=True),
    }
    counts = {s.name: sum(1 for r in recs if r.status == s.name) for s in lifecycle}
    responses = {name: sum(1 for r in recs if r.response == name) for name in tracker.responses.names}
    responses["(none recorded)"] = sum(1 for r in recs if r.response is None)
    overall = progress(recs, lifecycle, measure)
    if args.format == "json":
        print(to_json({
            "total": len(recs),
            "progress": overall,
            "by_status": counts,
            "by_response": responses,
            **{f"by_{name}": [
                {"group": g.group, "count": g.count, "progress": g.progress, "by_status": g.by_status}
                for g in groups] for name, groups in sections.items()},
        }))
        return EXIT_OK
    total = len(recs) or 1
    print(f"{len(recs)} recommendations, overall progress {bar(overall)}")
    print()
    print(table([(name, n, bar(n / total)) for name, n in counts.items()], ("status", "count", "share")))
    print()
    print(table([(name, n, bar(n / total)) for name, n in responses.items()], ("response", "count", "share")))
    headers = {"affected": "group of persons"}
    for name, groups in sections.items():
        print()
        print(table([(g.group, g.count, bar(g.progress)) for g in groups], (headers.get(name, name), "count",
                                                                             "progress")))
    return EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser("stats", help="counts and progress per status, source, owner, theme, SDG, group of persons, "
                                     "author and addressee")
    add_format(p)
    add_as_of(p)
    p.set_defaults(func=cmd_stats)
