"""`import`: new source files from a spreadsheet, a Markdown list or a JSON export, through importer plugins."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from .common import EXIT_OK, EXIT_PROBLEMS, load_plugins, open_tracker, plural, table

COMMANDS = ("import",)


def _list_presets(args: argparse.Namespace) -> int:
    from ..importer.spreadsheet import presets, readers

    plugins = getattr(args, "plugin_manager", None) or load_plugins(args.root)
    registry = plugins.importers
    rows = [(name, "preset", registry.owners[name], item.description)
            for name, item in sorted(presets(plugins).items())]
    rows += [(name, "format " + " ".join(item.extensions), registry.owners[name], item.description)
             for name, item in sorted(readers(plugins).items())]
    print(table(rows, ("name", "kind", "plugin", "description")))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from ..importer import ImportOptions, plan_file

    if args.list_presets:
        return _list_presets(args)
    if args.file is None:
        raise InputError("give the FILE to import (or --list-presets)")
    tracker = open_tracker(args)
    path = Path(args.file)
    options = ImportOptions(source=args.source, title=args.title, maps=args.map, values=args.value,
                            keep_unmapped=args.keep_unmapped, keep_html=args.keep_html,
                            date_format=args.date_format, create_owners=args.create_owners, dry_run=args.dry_run,
                            id_column=args.id_column, update=args.update, prune=args.prune)
    read = {"encoding": args.encoding, "delimiter": args.delimiter, "sheet": args.sheet, "table": args.table,
            "headings_as_themes": args.headings_as_themes}
    plan = plan_file(tracker, path, preset=args.preset, read=read, options=options, format=args.format,
                     preset_options={"state": args.state})
    with plan:
        for note in plan.notes:  # every guess, every column read and every column not used
            print(note, file=sys.stderr)
        for warning in plan.warnings:  # what was found does not look like recommendations
            print(f"diasporatrack: warning: {warning}", file=sys.stderr)
        if args.update:
            return _update(plan, path, args.dry_run)
        if plan.warnings and not args.force:
            print("diasporatrack: nothing imported; --force imports it all the same", file=sys.stderr)
            return EXIT_PROBLEMS
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


def _update(plan, path: Path, dry_run: bool) -> int:
    """Show what ``--update`` does (or would do: ``--dry-run``), then do it."""
    for line in plan.report():
        print(("would: " if dry_run else "") + line if not line.startswith("  ") else line)
    if dry_run:
        return EXIT_OK
    written = plan.write()
    for name in written:
        print(f"wrote {name}")
    print(f"updated from {path}: {'nothing to change' if not written else plural(len(written), 'file')}",
          file=sys.stderr)
    return EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser(
        "import", help="new source files from a spreadsheet (CSV, Excel), a Word table, a Markdown list or a JSON "
                       "export",
        description="Read a file into new source files. The importer is chosen by the file's extension "
                    "(--list-presets shows every importer and preset); every column read, skipped or not used "
                    "is reported on stderr, and nothing is written unless every row is right.")
    p.add_argument("file", metavar="FILE", nargs="?",
                   help="FILE.csv, FILE.tsv, FILE.xlsx, FILE.docx, FILE.md or FILE.json (as `export json` writes "
                        "it), or any file an importer plugin reads")
    p.add_argument("--list-presets", action="store_true", help="list the presets and file formats, and stop")
    p.add_argument("--preset", metavar="NAME",
                   help="the columns and values of a known layout: upr, upr-info, decidim, ... (--list-presets)")
    p.add_argument("--format", metavar="NAME", help="the importer to read FILE with (default: by its extension)")
    p.add_argument("--source", metavar="ID",
                   help="id of the new source; every row goes into it (a preset's own sources too)")
    p.add_argument("--title", help="title of the new source")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                   help="read a column as a field, e.g. --map Recommendation=text; COLUMN= skips a column; "
                        "FIELD may be extra.KEY; several onto a list field add up (repeatable)")
    p.add_argument("--value", action="append", default=[], metavar="FIELD:FROM=TO",
                   help="map a value, e.g. --value response:Accepted=supported (repeatable)")
    p.add_argument("--keep-unmapped", action="store_true", help="keep the columns nothing reads, in extra")
    p.add_argument("--keep-html", action="store_true", help="keep HTML in cells as written (default: plain text)")
    p.add_argument("--date-format", metavar="FORMAT",
                   help="how dates are written, e.g. '%%d/%%m/%%Y' (default: ISO, or day/month order settled by "
                        "the column's values)")
    p.add_argument("--encoding", metavar="NAME",
                   help="the CSV file's encoding, e.g. utf-8, cp1252, latin-1, mac_roman, utf-16 (default: guessed)")
    p.add_argument("--delimiter", metavar="CHAR",
                   help="the CSV file's cell separator: , ; | or tab (default: guessed)")
    p.add_argument("--sheet", metavar="NAME",
                   help="the sheet of an Excel workbook to read, by name or number (default: the first)")
    p.add_argument("--table", metavar="N", help="the table of a Word file to read, by number (default: the largest)")
    p.add_argument("--state", metavar="NAME",
                   help="--preset ohchr: the State under review, when the list has no column for it")
    p.add_argument("--headings-as-themes", action="store_true",
                   help="Markdown: the heading above each item becomes its theme")
    p.add_argument("--force", action="store_true",
                   help="import even when what was found looks like labels or references, not recommendations")
    p.add_argument("--id-column", metavar="COLUMN",
                   help="the column holding each row's id within its source (e.g. a paragraph number such as "
                        "140.7, which becomes SOURCE-140.7); without it, ids come from an 'id' column, the preset, "
                        "or each row's key fields and text, never from its position")
    p.add_argument("--update", action="store_true",
                   help="re-import a refreshed file into the sources it made: rows are matched by id, else by "
                        "their key fields and text (similar texts are matched and reported); changed fields are "
                        "rewritten in place, new rows added, status/response/progress changes journaled; rows no "
                        "longer in the file are reported")
    p.add_argument("--prune", action="store_true",
                   help="with --update: remove the recommendations that are no longer in the file")
    p.add_argument("--create-owners", action="store_true", help="add owners the file names to owners.yaml")
    p.add_argument("--dry-run", action="store_true",
                   help="check everything and show what would be written, every journal event included; "
                        "write nothing")
    p.set_defaults(func=cmd_import)
