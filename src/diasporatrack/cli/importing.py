"""`import`: new source files from a spreadsheet, a Markdown list or a JSON export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from .common import EXIT_OK, open_tracker, plural

COMMANDS = ("import",)


def cmd_import(args: argparse.Namespace) -> int:
    from .. import importer

    tracker = open_tracker(args)
    path = Path(args.file)
    suffix = path.suffix.casefold()
    table_options = [name for name in ("encoding", "delimiter") if getattr(args, name) is not None]
    if table_options and suffix not in (".csv", ".tsv"):
        raise InputError(f"--{table_options[0]} is for CSV and TSV files, not {suffix or 'this file'}")
    if suffix in (".csv", ".tsv"):
        plan = importer.plan_csv(tracker, path, source=args.source, mapping=args.map, preset=args.preset,
                                 create_owners=args.create_owners, title=args.title, encoding=args.encoding,
                                 delimiter=args.delimiter, dry_run=args.dry_run)
    elif suffix in (".md", ".markdown", ".txt"):
        if not args.source:
            raise InputError("give --source ID: the id of the new source file")
        plan = importer.plan_markdown(tracker, path, source=args.source, title=args.title, dry_run=args.dry_run)
    elif suffix == ".json":
        plan = importer.plan_json(tracker, path, dry_run=args.dry_run)
    else:
        raise InputError(f"{path}: cannot import {suffix or 'a file without an extension'}; "
                         "use .csv, .tsv, .md or .json (a diasporatrack export)")
    with plan:
        if plan.read_as:
            print(plan.read_as, file=sys.stderr)
        if args.dry_run:
            for draft, target in zip(plan.drafts, plan.paths()):
                print(f"would write {target} ({plural(draft.count, 'recommendation')})")
            if plan.new_owners:
                print(f"would add {plural(len(plan.new_owners), 'owner')} to owners.yaml: "
                      + ", ".join(o["id"] for o in plan.new_owners))
            if plan.events:
                print(f"would append {plural(len(plan.events), 'event')} to journal.jsonl:")
                for event in plan.events:
                    print(f"  {event.recommendation}: {event.at:%Y-%m-%d} by {event.by}: {event.describe()}")
            return EXIT_OK
        for written in plan.write():
            print(f"wrote {written}")
    print(f"imported {plural(plan.total, 'recommendation')} from {path}", file=sys.stderr)
    return EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser("import", help="new source files from a CSV spreadsheet, a Markdown list or a JSON export")
    p.add_argument("file", metavar="FILE", help="FILE.csv, FILE.tsv, FILE.md or FILE.json (as `export json` writes it)")
    p.add_argument("--source", metavar="ID", help="id of the new source (CSV without a source column, Markdown)")
    p.add_argument("--title", help="title of the new source")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                   help="read a CSV column as a field, e.g. --map Recommendation=text (repeatable)")
    p.add_argument("--preset", choices=["upr"], help="column names of a UPR recommendations spreadsheet")
    p.add_argument("--encoding", metavar="NAME",
                   help="the CSV file's encoding, e.g. utf-8, cp1252, latin-1, mac_roman, utf-16 (default: guessed)")
    p.add_argument("--delimiter", metavar="CHAR",
                   help="the CSV file's cell separator: , ; | or tab (default: guessed)")
    p.add_argument("--create-owners", action="store_true", help="add owners the file names to owners.yaml")
    p.add_argument("--dry-run", action="store_true",
                   help="check everything and show what would be written, every journal event included; "
                        "write nothing")
    p.set_defaults(func=cmd_import)
