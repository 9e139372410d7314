"""Markdown documents: numbered paragraphs, numbered items and bullets become recommendations.

A UN report converted to Markdown holds its recommendations as numbered
paragraphs (``140.1 Ratify ... (Maldives);``); a dialogue's notes hold them
as a list (``1.``, ``-``, ``*``). When a document has numbered paragraphs,
they are its recommendations and its other lists (a reference list, a
table of contents) are left out; the paragraph number becomes the
``reference`` and the id, and the States in brackets at its end the
``author``. Items under a heading such as *References* or *Notes* are
never recommendations. Text is plain: emphasis markers, HTML tags and
links' markup go, entities are decoded (markdown-it-py reads the inline
Markdown). Headings become themes only when asked (``headings_as_themes``).

What was found is judged before it is written: when most items are one to
four words (a list of labels: themes, SDGs) or look like references
(document symbols, links, "See ..."), the plan carries a warning and the
command refuses it unless forced.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .checks import Rows, check_sources, check_texts, open_input, slug, title_from
from .plan import DraftSet, ImportPlan

MAX_MARKDOWN_BYTES = 64 * 1024 ** 2  # read whole: a document, not a database
LABEL_WORDS = 4  # an item of at most this many words names something; it asks nothing
SUSPECT_SHARE = 0.5  # past this share of labels or references, the list is not one of recommendations

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_PARAGRAPH = re.compile(r"^(\d{1,4}(?:\.\d{1,4})+)\.?\s+(.*)$")  # 140.1 ...
_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_NOT_RECOMMENDATIONS = re.compile(r"^(references?|notes?|footnotes?|endnotes?|bibliography|sources?|"
                                  r"contents|table of contents|annex(es)?|abbreviations|acronyms)\b", re.IGNORECASE)
_SYMBOL = re.compile(r"\b[A-Z]{1,8}(?:/[A-Z0-9][A-Za-z0-9.()-]*){2,}")  # A/HRC/59/15, CRC/C/PAK/CO/5-6
_REFERENCE_START = re.compile(r"^(see\b|ibid|idem|cf\.|available at|retrieved|https?://|www\.)", re.IGNORECASE)


class _Item:
    __slots__ = ("line", "parts", "heading", "number")

    def __init__(self, line: int, first: str, heading: str | None, number: str | None) -> None:
        self.line, self.parts, self.heading, self.number = line, [first], heading, number


def plain(text: str) -> str:
    """Inline Markdown as plain text: emphasis, links' markup and HTML tags dropped, entities decoded."""
    from markdown_it import MarkdownIt

    out = []
    for token in MarkdownIt("commonmark").parseInline(text)[0].children or ():
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type == "image":
            out.append(token.content)
    return " ".join("".join(out).split())


def _read_lines(path: Path) -> list[str]:
    try:
        with open_input(path) as fh:
            data = fh.read(MAX_MARKDOWN_BYTES + 1)
        if len(data) > MAX_MARKDOWN_BYTES:
            raise InputError(f"{path}: larger than the limit of {MAX_MARKDOWN_BYTES:,} bytes for a Markdown file")
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None


def _items(lines: list[str]) -> tuple[list[_Item], str | None, int]:
    """The list items and numbered paragraphs, the first level-one heading, the items left out by heading."""
    items: list[_Item] = []
    heading: str | None = None
    skipping = False
    doc_title: str | None = None
    current: _Item | None = None
    blank_before = False
    left_out = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        head = _HEADING.match(stripped)
        paragraph = _PARAGRAPH.match(stripped)
        bullet = None if paragraph else _ITEM.match(stripped)
        if head:
            current = None
            if len(head.group(1)) == 1 and doc_title is None:
                doc_title = plain(head.group(2))
            else:
                heading = plain(head.group(2))
                skipping = bool(_NOT_RECOMMENDATIONS.match(heading))
        elif (paragraph or bullet) and (line[:1] not in (" ", "\t") or current is None):
            current = None
            if skipping:
                left_out += 1
            else:
                current = _Item(number, (paragraph or bullet).group(2 if paragraph else 1), heading,
                                paragraph.group(1) if paragraph else None)
                items.append(current)
        elif stripped and current is not None and (line[:1] in (" ", "\t") or not blank_before):
            # Indented lines, and lines right below an item, continue it (nested bullets too).
            current.parts.append(bullet.group(1) if bullet else stripped)
        elif not stripped:
            blank_before = True
            continue
        else:
            current = None
        blank_before = False
    return items, doc_title, left_out


def _is_reference(text: str) -> bool:
    words = text.split()
    if _REFERENCE_START.match(text) or re.fullmatch(r"\[\d{1,4}\]", words[0] if words else ""):
        return True
    return bool(_SYMBOL.search(text)) and len(words) <= 15 and not re.search(r"\(\w[^()]*\)\s*[;.]?$", text)


def judge(texts: list[str]) -> str | None:
    """Why these items look like something other than recommendations, or None."""
    if not texts:
        return None
    labels = sum(len(t.split()) <= LABEL_WORDS for t in texts)
    references = sum(_is_reference(t) for t in texts)
    if references > SUSPECT_SHARE * len(texts):
        return (f"{references} of the {len(texts)} items look like references (document symbols, links, "
                "'See ...'), not recommendations")
    if labels > SUSPECT_SHARE * len(texts):
        return (f"{labels} of the {len(texts)} items are one to {LABEL_WORDS} words long: a list of labels "
                "(themes, SDGs, names), not recommendations")
    return None


def plan_markdown(tracker, path: Path, *, source: str, title: str | None = None, headings_as_themes: bool = False,
                  dry_run: bool = False) -> ImportPlan:
    """Plan the import of a Markdown file whose numbered paragraphs or list items are recommendations.

    Each recommendation's words are kept as its quote. The first level-one
    heading is the source's title unless ``title`` is given; with
    ``headings_as_themes`` the nearest other heading above an item is its
    theme. The plan's ``warnings`` say when the items look like labels or
    references rather than recommendations, and what was left out.
    """
    from .ohchr import split_states

    path = Path(path)
    check_sources(tracker, [source])
    found, doc_title, left_out = _items(_read_lines(path))
    paragraphs = [item for item in found if item.number is not None]
    items = paragraphs or found
    notes = []
    if left_out:
        notes.append(f"{left_out} item{'s' * (left_out != 1)} under headings such as References or Notes left out")
    if paragraphs and len(found) > len(paragraphs):
        other = len(found) - len(paragraphs)
        notes.append(f"read the {len(paragraphs)} numbered paragraphs (such as {paragraphs[0].number}); "
                     f"{other} other list item{'s' * (other != 1)} left out")
    rows = Rows(path)
    recs = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items, start=1):
        text = plain(" ".join(item.parts))
        rec = {"id": f"{source}-{index:03d}", "title": "", "text": text, "quote": text,
               "themes": [slug(item.heading)] if item.heading and headings_as_themes else []}
        if item.number is not None:
            rec["text"], rec["author"] = split_states(text)
            rec["quote"], rec["reference"], rec["id"] = rec["text"], item.number, f"{source}-{item.number}"
            if item.number in seen:
                rows.bad(item.line, f"line {item.line}: paragraph {item.number} is also on line {seen[item.number]}")
            seen[item.number] = item.line
        if not rec["text"]:
            rows.bad(item.line, f"line {item.line}: empty item")
            continue
        rec["title"] = title_from(rec["text"])
        check_texts(rows, item.line, f"line {item.line}", rec)
        recs.append(rec)
    if not recs and not rows:
        raise InputError(f"{path}: no list items or numbered paragraphs found (each recommendation is a line "
                         "starting with -, 1. or a paragraph number such as 140.1)")
    rows.done()
    for rec in recs:
        if rec["id"] in tracker:
            raise InputError(f"id {rec['id']!r} is already in the workspace; choose another --source")
    warning = judge([rec["text"] for rec in recs])
    drafts = DraftSet(tracker.root, dry_run)
    try:
        drafts.new({"id": source, "title": title or doc_title or source, "note": f"Imported from {path.name}."})
        for rec in recs:
            drafts.add(source, rec)
    except BaseException:
        drafts.discard()
        raise
    return drafts.plan(warnings=[f"{path}: {warning}"] if warning else [], notes=[f"{path}: {n}" for n in notes])
