"""Cells that hold HTML (``<p>``, ``<div>``, ``&amp;``), made plain text.

Databases that edit text in a rich-text box (Decidim, some UPR tools)
export it as HTML. It is read with the standard library's HTML parser, not
with patterns: tags are dropped, entities decoded, block elements
(paragraphs, list items, headings, rows, ``<br>``) become line breaks, and
what is inside ``<script>`` or ``<style>`` is not text. ``import --keep-html``
keeps a cell as written.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements that end a line of text; every other tag is dropped without a break.
_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
                     "blockquote", "section", "article", "header", "footer", "dd", "dt", "dl", "pre", "hr",
                     "caption", "figure", "figcaption", "nav", "main", "aside", "address", "form", "body", "html"})
_CELLS = frozenset({"td", "th"})  # a table's cells on one line, a space apart
# Elements whose content is not text to a reader (code, drawings, embedded documents).
_HIDDEN = frozenset({"script", "style", "template", "head", "title", "svg", "math", "iframe", "object", "canvas",
                     "noscript", "select"})
# Words that are also placeholders people write ("<source>", "<link>", "<input>") are left out.
_INLINE = ("a", "b", "i", "u", "em", "strong", "span", "sub", "sup", "small", "font", "code", "abbr", "mark", "s",
           "q", "cite", "del", "ins", "big", "center", "tt", "kbd", "samp", "wbr", "thead", "tbody", "tfoot",
           "img", "embed", "video", "audio", "picture", "area", "col", "colgroup", "bdi", "bdo", "dfn", "strike")
# A cell is treated as HTML only if it has a tag of HTML's own or an entity: "a < b", "R&D" and
# "<insert name>" stay as they are.
_LOOKS_LIKE_HTML = re.compile(
    r"</?(?:" + "|".join(sorted(_BLOCKS | _CELLS | _HIDDEN | set(_INLINE), key=len, reverse=True))
    + r")(?:\s[^<>]*)?/?>"
    r"|&(?:#\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});", re.IGNORECASE)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in _CELLS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` has a tag or an entity (the parser is not run on text that has neither)."""
    return ("<" in text or "&" in text) and _LOOKS_LIKE_HTML.search(text) is not None


def html_to_text(text: str) -> str:
    """Plain text of an HTML fragment: one line per paragraph, spaces within a line collapsed."""
    if not looks_like_html(text):
        return text
    parser = _Text()
    parser.feed(text)
    parser.close()
    # Entities are decoded by the parser (convert_charrefs), once: "&amp;lt;" stays "&lt;".
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
