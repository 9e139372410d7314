"""`export`: write recommendations in a format an exporter plugin provides."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from .common import (
    EXIT_OK,
    add_as_of,
    add_filters,
    add_lang,
    localizer,
    open_tracker,
    plural,
    query,
    say_fallbacks,
    sort_recs,
)
from .quick import PRIVATE_WARNING  # said alike by the full command and the fast path

COMMANDS = ("export",)


def cmd_export(args: argparse.Namespace) -> int:
    from ..files import atomic_write, check_target

    tracker = open_tracker(args)
    exporter = tracker.plugins.exporters[args.format_name]
    folder = getattr(exporter, "folder", False) is True
    if folder:
        from ..folders import check_folder
        from ..publish.site import MARKER

        if args.output in (None, "-"):
            raise InputError(f"{exporter.name} writes a folder: give it with -o DIR")
        check_folder(Path(args.output), MARKER)  # before the work: a folder of other files is never replaced
    elif args.output not in (None, "-"):
        check_target(Path(args.output))  # a special file, a folder or a missing folder: say so before the work
    if args.metadata:
        check_target(Path(args.metadata))
    if args.output in (None, "-") and getattr(exporter, "binary", False) and sys.stdout.isatty():
        raise InputError(f"{exporter.name} is a binary format: write it to a file with -o FILE.{exporter.extension}")
    if args.metadata is not None and exporter.name != "sqlite":
        raise InputError("--metadata describes a SQLite database for Datasette: use it with 'export sqlite'")
    if args.metadata == "" and args.output in (None, "-"):
        raise InputError("--metadata without a PATH is written beside the database: give -o FILE.db too")
    public = True if args.public else False if args.private else None
    if public is None:
        public = getattr(exporter, "public", False) is True
    if not public and args.private:
        print(PRIVATE_WARNING, file=sys.stderr)
    recs = sort_recs(query(tracker, args), "id", tracker)
    loc = localizer(tracker, args)  # checks --lang before the work
    data = tracker.export(exporter.name, recs, public=public, lang=loc.lang)
    if loc.lang is not None:  # the exporter marks each fallback in its output; the notice says it here
        for rec in tracker.published().select(recs) if public else recs:
            loc.rec(rec, "title"), loc.rec(rec, "text")
        say_fallbacks(loc)
    if args.metadata is not None:
        _write_metadata(tracker, args, public)
    if args.output in (None, "-"):
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return EXIT_OK
    if folder:
        from ..folders import write_folder
        from ..publish.site import MARKER

        write_folder(Path(args.output), data, MARKER)
    else:
        atomic_write(Path(args.output), data)
    if public:
        view = tracker.published()
        count = sum(1 for r in recs if view.chosen(r))
    else:
        count = len(recs)
    kind = f"{exporter.name}, public" if public else exporter.name
    print(f"wrote {plural(count, 'recommendation')} to {args.output} ({kind})", file=sys.stderr)
    return EXIT_OK


def _write_metadata(tracker, args: argparse.Namespace, public: bool) -> None:
    """Datasette's metadata.json for the database: beside it, or at the PATH given."""
    import json

    from ..builtin.sqlite_exporter import datasette_metadata
    from ..files import atomic_write
    from ..publish import Profile

    database = Path(args.output).stem if args.output not in (None, "-") else "data"
    target = Path(args.metadata) if args.metadata else Path(args.output).with_name("metadata.json")
    meta = datasette_metadata(Profile.from_config(tracker.config, public=public), database)
    atomic_write(target, json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote Datasette metadata to {target} (serve with: datasette {args.output or 'DB'} -m {target})",
          file=sys.stderr)


def register(sub, plugins) -> None:
    formats = (", ".join(plugins.exporters.names()) if plugins is not None
               else "json, csv, markdown, html, ics, sqlite, or a plugin's")
    p = sub.add_parser("export", help="write recommendations in a format: " + formats)
    p.add_argument("format_name", metavar="FORMAT", help=f"one of: {formats}")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="file to write (replaced atomically; a symlink, a device or a folder is refused); "
                        "default or '-': standard output. 'site' writes a folder: a new or empty one, or a "
                        "site written before")
    privacy = p.add_mutually_exclusive_group()
    privacy.add_argument("--public", action="store_true",
                         help="only what may be published: no contacts, no members' names, no private notes "
                              "(the default of html, site, sqlite and markdown)")
    privacy.add_argument("--private", action="store_true",
                         help="everything, contacts, names and notes included (the default of json and csv)")
    p.add_argument("--metadata", nargs="?", const="", metavar="PATH",
                   help="sqlite: also write Datasette's metadata.json (default: beside the database)")
    add_filters(p)
    add_as_of(p)
    add_lang(p)
    p.set_defaults(func=cmd_export)
