"""Finding the recommendations in a document's text: the candidates and how extractors are run.

An extractor is a plugin (``register_extractors``) with a ``name``, a
``description`` and ``extract(text) -> list[Candidate]``. Every candidate's
quote is a verbatim span of the text (``text[start:end] == quote``); this
module checks that, so a misbehaving extractor cannot put words in a
source's mouth.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

import attrs

from .errors import InputError

_NUMBERING = re.compile(r"^\s*(?:[(\[]?\d{1,3}(?:\.\d{1,3})*[.)\]]?|[•·\-–*]|[a-z][.)])\s+")
_WORDY = re.compile(r"\w[\w'’-]*")
TITLE_WIDTH = 72


@attrs.frozen(kw_only=True)
class Candidate:
    """One passage of a document that looks like a recommendation."""

    quote: str
    start: int
    end: int
    line: int
    paragraph: int
    title: str
    confidence: float
    reason: str
    addressed_to: tuple[str, ...] = ()
    reference: str | None = None

    def as_dict(self) -> dict:
        return {"quote": self.quote, "title": self.title, "confidence": round(self.confidence, 2),
                "reason": self.reason, "addressed_to": list(self.addressed_to), "reference": self.reference,
                "line": self.line, "paragraph": self.paragraph, "start": self.start, "end": self.end}


def suggest_title(quote: str, width: int = TITLE_WIDTH) -> str:
    """A title from a quote: no leading number or bullet, first sentence, never cut mid-word."""
    text = " ".join(quote.split())
    while (bare := _NUMBERING.sub("", text, count=1)) != text:  # "140.2 140.2 urge", "1. • Ratify"
        text = bare
    text = re.sub(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1", r"\2", text)  # Markdown emphasis is not part of a title
    text = re.sub(r"(?:\s*\([^()]{2,40}\))+\s*[;.]?$", "", text)  # "(Maldives) (Portugal);": who recommended it
    text = re.sub(r"^[\"“”‘’'(]+", "", text)
    # "Unified Vision - The diaspora must ..." reads best as its label.
    label = re.match(r"^([^.!?:–-]{3,60}?)\s+[–-]\s+\S", text)
    if label and len(label.group(1).split()) <= 6:
        text = label.group(1)
    else:
        text = re.split(r"(?<=[.!?;])\s", text, maxsplit=1)[0]
    text = text.rstrip(" .;:,\"”’)")
    if not re.search(r"[^\W\d_]", text):
        return "Untitled passage"  # nothing but numbers and marks: a person will name it
    if len(text) <= width:
        return text[:1].upper() + text[1:]
    cut = text[: width + 1]
    words = cut.rsplit(" ", 1)[0] if " " in cut else cut[:width]
    return (words[:1].upper() + words[1:]).rstrip(" ,;:-–") + "…"


class Locator:
    """Lines and paragraphs of one text, found once, so that locating many offsets stays linear."""

    _BREAK = re.compile(r"\S(?:[^\S\n]*\n){2,}(?=[^\S\n]*\S)")

    def __init__(self, text: str) -> None:
        self.lines = [m.end() for m in re.finditer("\n", text)]
        self.paragraphs = [m.end() for m in self._BREAK.finditer(text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        """The line (1-based) and paragraph (1-based; blocks separated by blank lines) of an offset."""
        return bisect.bisect_right(self.lines, offset) + 1, bisect.bisect_right(self.paragraphs, offset) + 1


def location(text: str, offset: int) -> tuple[int, int]:
    """The line and paragraph of one offset (for many, make a :class:`Locator` once)."""
    return Locator(text)(offset)


def checked(text: str, candidates: Sequence[Candidate], extractor: str) -> list[Candidate]:
    """Candidates whose quote really is the span they claim, in document order, without duplicates."""
    seen: set[tuple[int, int]] = set()
    kept = []
    for cand in sorted(candidates, key=lambda c: (c.start, -c.end)):
        if not (0 <= cand.start < cand.end <= len(text)) or text[cand.start:cand.end] != cand.quote:
            raise InputError(f"extractor {extractor!r} proposed a quote that is not in the document: "
                             f"{cand.quote[:60]!r}")
        if (cand.start, cand.end) in seen:
            continue
        seen.add((cand.start, cand.end))
        kept.append(cand)
    return kept


def extract(text: str, extractor, *, minimum: float = 0.0, plugin: str | None = None) -> list[Candidate]:
    """Run one extractor over ``text``; candidates at or above ``minimum`` confidence.

    ``plugin``, the name of the plugin that registered the extractor, is
    named when the extractor fails; what the extractor prints goes to stderr.
    """
    from .errors import DiasporatrackError
    from .plugincode import describe, output_to_stderr

    name = getattr(extractor, "name", "?")
    try:
        with output_to_stderr():
            found = extractor.extract(text)
    except DiasporatrackError:
        raise
    except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in an extractor are named too
        from .plugins import PluginError

        who = f"plugin {plugin!r} failed in extractor {name!r}" if plugin else f"extractor {name!r} failed"
        raise PluginError(f"{who}: {describe(err)}") from err
    if not isinstance(found, list) or not all(isinstance(c, Candidate) for c in found):
        raise InputError(f"extractor {name!r} must return a list of diasporatrack.extraction.Candidate")
    return [c for c in checked(text, found, name) if c.confidence >= minimum]


def word_count(text: str) -> int:
    return len(_WORDY.findall(text))
