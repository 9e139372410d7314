"""`list`: recommendations, filtered and sorted."""

from __future__ import annotations

import argparse
import sys

from ..model import Recommendation
from ..serialize import recommendation_to_dict
from ..translations import localized
from .common import (
    EXIT_OK,
    SORT_KEYS,
    add_as_of,
    add_filters,
    add_format,
    add_lang,
    localizer,
    narrowed,
    open_tracker,
    query,
    say_fallbacks,
    shorten,
    sort_recs,
    table,
    title_width,
    to_json,
    write_rows,
)

COMMANDS = ("list",)
LIST_COLUMNS = ("id", "status", "owners", "due", "title")


def cmd_list(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    if args.format == "json" and args.sort == "id" and not sys.stdout.isatty() and not narrowed(args) \
            and args.as_of is None and not args.tree and args.lang is None:
        # The scripting path: rows come ready-made from the cache, nothing is rebuilt.
        ids = sorted(tracker.query_ids(
            status=args.status or None, owner=args.owner or None, source=args.source or None,
            theme=args.theme or None, addressed_to=args.addressed_to or None, response=args.response or None,
            unowned=args.unowned, sdg=args.sdg or None, affected=args.affected or None,
            author=args.author or None, where=args.where or None))
        write_rows(sys.stdout, tracker.rows_json(ids))
        return EXIT_OK
    recs = query(tracker, args)
    scorer = args.sort.lstrip("-")[len("score:"):] if args.sort.lstrip("-").startswith("score:") else None
    scores = tracker.score(scorer, recs) if scorer is not None else None
    recs = sort_recs(recs, args.sort, tracker, scores=scores)
    depths = None
    if args.tree:
        recs, depths = tree_order(recs)
    loc = localizer(tracker, args)
    if args.format == "json":
        rows = [recommendation_to_dict(r) for r in recs]
        if loc.lang is not None:  # beside the authored fields, never instead of them: the rows import back
            for row, rec in zip(rows, recs):
                row["localized"] = localized(loc, rec)
        print(to_json(rows, bulk=True))
    elif args.format == "csv":
        from ..builtin.csv_exporter import COLUMNS, localized_columns, to_csv

        rows = [recommendation_to_dict(r) for r in recs]
        columns = COLUMNS
        if loc.lang is not None:
            columns = COLUMNS + localized_columns(loc, rows, recs)
        sys.stdout.write(to_csv(rows, columns).replace("\r\n", "\n"))
    elif not recs:
        print("no recommendations match", file=sys.stderr)
    else:
        width = title_width()
        rows = [
            (r.id, r.status + (" (draft)" if r.draft else ""), ", ".join(r.owners) or "-",
             r.due.isoformat() if r.due else "", shorten(loc.rec(r, "title").text, width))
            for r in recs
        ]
        headers = LIST_COLUMNS
        if depths is not None:  # the hierarchy: children indented under their parent, with the cluster's progress
            measure = tracker.progress()
            rows = [(_indent(depths[r.id]) + row[0], row[1], f"{measure(r):.0%}", *row[2:]) for row, r in zip(rows, recs)]
            headers = (*LIST_COLUMNS[:2], "progress", *LIST_COLUMNS[2:])
        if scores is not None:  # the number the rows are sorted by, shown beside them
            rows = [(*row[:2], f"{scores[r.id].value:.2f}", *row[2:]) for row, r in zip(rows, recs)]
            headers = (*LIST_COLUMNS[:2], "score", *LIST_COLUMNS[2:])
        print(table(rows, headers))
    say_fallbacks(loc)
    return EXIT_OK


def _indent(depth: int) -> str:
    # tables strip leading spaces, so a child is marked with a line, longer for each level
    return "└" + "─" * (2 * depth - 1) + " " if depth else ""


def tree_order(recs: list[Recommendation]) -> tuple[list[Recommendation], dict[str, int]]:
    """Each recommendation followed by its children (recursively), keeping the order within a level.

    A child whose parent is not among ``recs`` (filtered out) stands at the top level.
    """
    shown = {r.id for r in recs}
    kids: dict[str, list[Recommendation]] = {}
    for rec in recs:
        if rec.parent in shown:
            kids.setdefault(rec.parent, []).append(rec)
    ordered: list[Recommendation] = []
    depths: dict[str, int] = {}

    def visit(rec: Recommendation, depth: int) -> None:
        if rec.id in depths:  # a loop would be a file error; never walk it twice
            return
        depths[rec.id] = depth
        ordered.append(rec)
        for child in kids.get(rec.id, ()):
            visit(child, depth + 1)

    for rec in recs:
        if rec.parent not in shown:
            visit(rec, 0)
    for rec in recs:  # anything left (only possible in a loop) still shows
        visit(rec, 0)
    return ordered, depths


def register(sub, plugins) -> None:
    p = sub.add_parser("list", help="list recommendations, filtered and sorted")
    add_filters(p)
    p.add_argument("--sort", default="id", metavar="FIELD",
                   help=f"sort by {', '.join(SORT_KEYS)}, or score:NAME (highest first); "
                        "--sort=-FIELD reverses (default: id)")
    p.add_argument("--tree", action="store_true",
                   help="show clusters: each recommendation followed by its children, with their progress")
    add_as_of(p)
    add_lang(p)
    add_format(p, ("table", "json", "csv"))
    p.set_defaults(func=cmd_list)
