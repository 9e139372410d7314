"""Markdown lists: each bulleted or numbered item is a recommendation."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .checks import Rows, check_sources, check_texts, open_input, slug, title_from
from .plan import DraftSet, ImportPlan

MAX_MARKDOWN_BYTES = 64 * 1024 ** 2  # read whole: a document, not a database


def plan_markdown(tracker, path: Path, *, source: str, title: str | None = None,
                  dry_run: bool = False) -> ImportPlan:
    """Plan the import of a Markdown file whose bulleted items are recommendations.

    Each item (``-``, ``*`` or ``1.``) becomes a recommendation; its words are
    kept as the quote. The nearest heading above it becomes a theme; the
    first level-one heading is the source's title unless ``title`` is given.
    """
    path = Path(path)
    check_sources(tracker, [source])
    try:
        with open_input(path) as fh:
            data = fh.read(MAX_MARKDOWN_BYTES + 1)
        if len(data) > MAX_MARKDOWN_BYTES:
            raise InputError(f"{path}: larger than the limit of {MAX_MARKDOWN_BYTES:,} bytes for a Markdown file")
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    items: list[tuple[int, list[str], str | None]] = []
    heading: str | None = None
    doc_title = title
    current: tuple[int, list[str], str | None] | None = None
    blank_before = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        head = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", stripped)
        bullet = re.match(r"^(?:[-*+]|\d+[.)])\s+(.*)$", stripped)
        if head:
            current = None
            if len(head.group(1)) == 1 and doc_title is None:
                doc_title = head.group(2)
            else:
                heading = head.group(2)
        elif bullet and (line[:1] not in (" ", "\t") or current is None):
            current = (number, [bullet.group(1)], heading)
            items.append(current)
        elif stripped and current is not None and (line[:1] in (" ", "\t") or not blank_before):
            # Indented lines, and lines right below an item, continue it (nested bullets too).
            current[1].append(bullet.group(1) if bullet else stripped)
        elif not stripped:
            blank_before = True
            continue
        else:
            current = None
        blank_before = False
    rows = Rows(path)
    recs = []
    for index, (number, parts, theme) in enumerate(items, start=1):
        text = " ".join(" ".join(parts).split())
        if not text:
            rows.bad(number, f"line {number}: empty item")
            continue
        rec = {"id": f"{source}-{index:03d}", "title": title_from(text), "text": text, "quote": text,
               "themes": [slug(theme)] if theme else []}
        check_texts(rows, number, f"line {number}", rec)
        recs.append(rec)
    if not recs and not rows:
        raise InputError(f"{path}: no bulleted items found (each recommendation is a line starting with - or 1.)")
    rows.done()
    for rec in recs:
        if rec["id"] in tracker:
            raise InputError(f"id {rec['id']!r} is already in the workspace; choose another --source")
    drafts = DraftSet(tracker.root, dry_run)
    try:
        drafts.new({"id": source, "title": doc_title or source, "note": f"Imported from {path.name}."})
        for rec in recs:
            drafts.add(source, rec)
    except BaseException:
        drafts.discard()
        raise
    return drafts.plan()
