"""`extract`: propose the recommendations of a document, for a person to review."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..errors import InputError
from .common import EXIT_OK, load_plugins, shorten, table, title_width, to_json

COMMANDS = ("extract",)


def _plugins(args: argparse.Namespace):
    plugins = getattr(args, "plugin_manager", None)
    return plugins if plugins is not None else load_plugins(args.root)


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, not {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, not {text}")
    return value


def cmd_extract(args: argparse.Namespace) -> int:
    from ..documents import document_text
    from ..drafting import draft_document, render_draft, write_new
    from ..extraction import extract

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]*", args.source):
        raise InputError(f"--source {args.source!r}: an id is letters, digits and . _ : - only")
    path = Path(args.document)
    text = document_text(path, encoding=args.encoding)
    if args.text:
        sys.stdout.write(text)
        return EXIT_OK
    registry = _plugins(args).extractors
    extractor = registry[args.extractor]
    candidates = extract(text, extractor, minimum=args.min_confidence, plugin=registry.owners[args.extractor])
    if args.out:
        source = {"id": args.source, "title": args.title or _first_line(text) or args.source, "url": args.url}
        document = draft_document(source, candidates)
        out = Path(args.out)
        write_new(out, render_draft(document, candidates, path.name))
        print(f"wrote {out}: {len(candidates)} draft recommendation{'s' * (len(candidates) != 1)} to review "
              f"(extractor {extractor.name})", file=sys.stderr)
        return EXIT_OK
    if args.format == "json":
        print(to_json({"document": str(path), "source": args.source, "extractor": extractor.name,
                       "candidates": [c.as_dict() for c in candidates]}))
    elif not candidates:
        print(f"{path}: no passage looks like a recommendation (extractor {extractor.name})", file=sys.stderr)
    else:
        width = title_width()
        rows = [(n, f"{c.confidence:.2f}", c.line, ", ".join(c.addressed_to), shorten(c.title, width),
                 shorten(c.reason, 40 if width else None)) for n, c in enumerate(candidates, 1)]
        print(table(rows, ("#", "conf", "line", "addressed to", "title", "why")))
    return EXIT_OK


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = re.sub(r"^#+\s*", "", line).strip()
        if line:
            return line[:200]
    return ""


def register(sub, plugins) -> None:
    p = sub.add_parser("extract", help="propose the recommendations of a document (.txt, .md, .html, .pdf, .docx)")
    p.add_argument("document", metavar="DOCUMENT", help="the document to read")
    p.add_argument("--source", required=True, metavar="ID", help="the id of the source the document is")
    p.add_argument("--extractor", default="heuristic", metavar="NAME",
                   help="which extractor plugin proposes the passages (default: %(default)s)")
    p.add_argument("--min-confidence", type=_confidence, default=0.3, metavar="N",
                   help="leave out candidates below this confidence, 0 to 1 (default: %(default)s)")
    p.add_argument("--encoding", help="the encoding of a text or HTML document (default: detected)")
    p.add_argument("--out", metavar="FILE", help="write a draft source file to review (never overwritten)")
    p.add_argument("--title", help="the source's title in the draft (default: the document's first line)")
    p.add_argument("--url", help="where the document is published, for the draft's source block")
    p.add_argument("--text", action="store_true",
                   help="print the document's plain text as extract reads it (to archive it as sources/ID.txt)")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="output format when not writing a draft (default: %(default)s)")
    p.set_defaults(func=cmd_extract)
