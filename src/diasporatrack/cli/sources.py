"""`source list|show`: the source documents, each with its findings.

Sources are a noun group (``source VERB``), like every kind of thing that is
not a recommendation; ``sources [ID]`` is the older spelling, still accepted.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from ..errors import InputError
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

# Source block fields the CLI sets: option -> (field, help).
SOURCE_FIELDS = {
    "--title": ("title", "the document's title"),
    "--publisher": ("publisher", "who published it"),
    "--kind": ("kind", "dialogue-report, article, opinion, review, ..."),
    "--date": ("date", "its date, YYYY-MM-DD"),
    "--url": ("url", "where it is published"),
    "--note": ("note", "a note about the source"),
    "--language": ("language", "the language it is written in, a BCP 47 tag (en, ur, fa-AF)"),
}


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


def _fields(args: argparse.Namespace) -> dict:
    return {field: getattr(args, field) for field, _ in SOURCE_FIELDS.values() if getattr(args, field) is not None}


def cmd_source_add(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    fields = {"id": args.id, **_fields(args)}
    if args.author:
        fields["authors"] = args.author
    source = tracker.add_source(fields, path=args.path, by=args.by)
    print(f"added source {source.id}")
    if args.document:
        _archive(tracker, source.id, args)
    return EXIT_OK


def cmd_source_set(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    changes = _fields(args)
    for field in args.clear or ():
        changes[field] = None
    add = {"authors": args.add_author} if args.add_author else None
    remove = {"authors": args.remove_author} if args.remove_author else None
    if args.translation:
        from ..translations import with_entries

        current = tracker.sources[tracker.resolve_source(args.id)].translations
        changes["translations"] = with_entries(current, args.translation) or None
    if not (changes or add or remove):
        raise InputError("nothing to change: give at least one option (see: diasporatrack source set --help)")
    source = tracker.set_source_fields(args.id, add=add, remove=remove, by=args.by, **changes)
    print(f"source {source.id}: saved")
    return EXIT_OK


def _archive(tracker, source_id: str, args: argparse.Namespace) -> None:
    from ..archive import archive_document

    done = archive_document(tracker, source_id, Path(args.document), encoding=args.encoding, by=args.by)
    copied = f"{done.document} and " if done.document else ""
    print(f"archived {copied}{done.text} (sha256 {done.sha256[:12]}…): validate proves the quotes against it")


def cmd_source_archive(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    _archive(tracker, tracker.resolve_source(args.id), args)
    return EXIT_OK


def _by(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", help="who is making the change (default: $DIASPORATRACK_USER, else your login)")


def _document(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--document", required=required, metavar="FILE",
                   help="the document (.txt, .md, .html, .pdf, .docx): copied to sources/, its text to sources/ID.txt")
    p.add_argument("--encoding", help="the encoding of a text or HTML document (default: detected)")


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

    p = verbs.add_parser("add", help="a new source file with its source block (and its archived document)")
    p.add_argument("--id", required=True, help="the source's id")
    for option, (field, help_text) in SOURCE_FIELDS.items():
        p.add_argument(option, dest=field, required=field == "title", help=help_text)
    p.add_argument("--author", action="append", help="an author (repeatable)")
    p.add_argument("--path", help="the file to create (default: ID.yaml in the workspace)")
    _document(p, required=False)
    _by(p)
    p.set_defaults(func=cmd_source_add)

    p = verbs.add_parser("set", help="change fields of a source's block")
    add_id(p, "a source id or unique prefix", complete="sources")
    for option, (field, help_text) in SOURCE_FIELDS.items():
        p.add_argument(option, dest=field, help=help_text)
    p.add_argument("--add-author", action="append", metavar="AUTHOR", help="add an author (repeatable)")
    p.add_argument("--remove-author", action="append", metavar="AUTHOR", help="remove an author (repeatable)")
    p.add_argument("--clear", action="append", metavar="FIELD",
                   choices=("publisher", "kind", "date", "url", "note", "authors", "text_sha256", "language"),
                   help="remove a field from the block (repeatable)")
    p.add_argument("--translation", action="append", metavar="LANG:FIELD=TEXT",
                   help="a translation of the title or note, e.g. ur:title=... (repeatable; an empty TEXT "
                        "removes it)")
    _by(p)
    p.set_defaults(func=cmd_source_set)

    p = verbs.add_parser("archive", help="archive a source's document and its plain text in sources/")
    add_id(p, "a source id or unique prefix", complete="sources")
    _document(p, required=True)
    _by(p)
    p.set_defaults(func=cmd_source_archive)

    p = sub.add_parser("sources", help="the older spelling of `source list` and `source show ID`")
    p.add_argument("id", nargs="?", help="a source id or unique prefix: show it in full")
    add_format(p)
    p.set_defaults(func=cmd_sources)
