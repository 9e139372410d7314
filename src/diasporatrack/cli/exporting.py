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
    open_tracker,
    plural,
    query,
    sort_recs,
)

COMMANDS = ("export",)


def cmd_export(args: argparse.Namespace) -> int:
    from ..files import atomic_write, check_target

    tracker = open_tracker(args)
    if args.output not in (None, "-"):
        check_target(Path(args.output))  # a special file, a folder or a missing folder: say so before the work
    exporter = tracker.plugins.exporters[args.format_name]
    if args.output in (None, "-") and getattr(exporter, "binary", False) and sys.stdout.isatty():
        raise InputError(f"{exporter.name} is a binary format: write it to a file with -o FILE.{exporter.extension}")
    recs = sort_recs(query(tracker, args), "id", tracker)
    data = tracker.export(exporter.name, recs)
    if args.output in (None, "-"):
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return EXIT_OK
    atomic_write(Path(args.output), data)
    print(f"wrote {plural(len(recs), 'recommendation')} to {args.output} ({exporter.name})", file=sys.stderr)
    return EXIT_OK


def register(sub, plugins) -> None:
    formats = (", ".join(plugins.exporters.names()) if plugins is not None
               else "json, csv, markdown, html, ics, sqlite, or a plugin's")
    p = sub.add_parser("export", help="write recommendations in a format: " + formats)
    p.add_argument("format_name", metavar="FORMAT", help=f"one of: {formats}")
    p.add_argument("-o", "--output", metavar="PATH", help="file to write (replaced atomically; a symlink, a device or a folder is refused); "
                   "default or '-': standard output")
    add_filters(p)
    add_as_of(p)
    p.set_defaults(func=cmd_export)
