"""`source list|show`: the source documents, each with its findings.

Sources are a noun group (``source VERB``), like every kind of thing that is
not a recommendation; ``sources [ID]`` is the older spelling, still accepted.
"""

from __future__ import annotations

import argparse
import textwrap

from ..serialize import source_to_dict
from .common import (
    EXIT_OK,
    add_format,
    add_id,
    open_tracker,
    shorten,
    table,
    title_width,
    to_json,
)

COMMANDS = ("source", "sources")


def _counts(tracker) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rec in tracker:
        counts[rec.source] = counts.get(rec.source, 0) + 1
    return counts


def cmd_source_list(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    counts = _counts(tracker)
    sources = sorted(tracker.sources.values(), key=lambda s: s.id)
    if args.format == "json":
        print(to_json([{**source_to_dict(s), "recommendations": counts.get(s.id, 0)} for s in sources]))
    else:
        rows = [(s.id, s.date or "unknown", s.kind or "", counts.get(s.id, 0), len(s.findings),
                 shorten(s.title, title_width())) for s in sources]
        print(table(rows, ("id", "date", "kind", "recs", "findings", "title")))
    return EXIT_OK


def cmd_source_show(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    counts = _counts(tracker)
    source = tracker.sources[tracker.resolve_source(args.id)]
    if args.format == "json":
        print(to_json({**source_to_dict(source), "recommendations": counts.get(source.id, 0)}))
        return EXIT_OK
    for name, value in (("id", source.id), ("title", source.title), ("publisher", source.publisher),
                        ("kind", source.kind), ("date", source.date or "unknown"),
                        ("authors", ", ".join(source.authors)), ("url", source.url),
                        ("recommendations", counts.get(source.id, 0))):
        if value is not None and value != "":
            print(f"{name + ':':<17}{value}")
    if source.note:
        print()
        print(textwrap.fill(" ".join(source.note.split()), width=78))
    for finding in source.findings:
        print()
        print(textwrap.fill(f"[{finding.id}] " + " ".join(finding.text.split()), width=78))
        if finding.quote:
            print(textwrap.fill(f"“{finding.quote}”", width=78, initial_indent="  > ",
                                subsequent_indent="    "))
    return EXIT_OK


def cmd_sources(args: argparse.Namespace) -> int:
    """The older spelling ``sources [ID]``, kept so scripts written for it still work."""
    return cmd_source_show(args) if args.id else cmd_source_list(args)


def register(sub, plugins) -> None:
    group = sub.add_parser("source", help="the source documents: list them, show one with its findings")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)

    p = verbs.add_parser("list", help="every source document with its counts of recommendations and findings")
    add_format(p)
    p.set_defaults(func=cmd_source_list)

    p = verbs.add_parser("show", help="one source document in full, with its findings")
    add_id(p, "a source id or unique prefix", complete="sources")
    add_format(p)
    p.set_defaults(func=cmd_source_show)

    p = sub.add_parser("sources", help="the older spelling of `source list` and `source show ID`")
    p.add_argument("id", nargs="?", help="a source id or unique prefix: show it in full")
    add_format(p)
    p.set_defaults(func=cmd_sources)
