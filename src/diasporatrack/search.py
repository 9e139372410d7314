"""Free-text search and date filters over recommendations.

Search matches the beginnings of words, ignoring case and accents: ``educ``
finds "Education", ``sante`` finds "Santé", and ``UN`` finds "UN" but not
"community". A quoted phrase (``"expert groups"``) must occur as consecutive
words. Every term must match somewhere in the recommendation's text fields,
its translations included (a word of the Urdu title finds it).
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import unicodedata
from collections.abc import Iterable, Sequence

import attrs

from .errors import InputError
from .model import Recommendation

_WORD = re.compile(r"\w+")
# Case folding keeps the dotless i apart from i, but "I".lower() is "i": treat them as one letter.
_SAME_LETTER = str.maketrans({"ı": "i"})


def fold(text: str) -> str:
    """Text for matching: accents removed, case folded (NFD and NFC spellings agree)."""
    if text.isascii():  # nothing to decompose, no accent to drop, no dotless i: the common case, made cheap
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().translate(_SAME_LETTER)


# In ASCII text a word character is a letter, a digit or "_"; any other character only separates words.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")})


def words(text: str) -> str:
    """The folded words of ``text`` joined by single spaces, with a leading space."""
    folded = fold(text)
    if folded.isascii():  # the same words as the expression finds, a good deal faster (the cache makes many)
        return " " + " ".join(folded.translate(_ASCII_SEPARATORS).split())
    return " " + " ".join(_WORD.findall(folded))


def parse_terms(query: str) -> tuple[str, ...]:
    """The search terms of a query: words, and "quoted phrases" kept whole."""
    try:
        parts = shlex.split(query)
    except ValueError as err:  # an unbalanced quote
        raise InputError(f"--search {query!r}: {err}") from err
    terms = tuple(t for t in (words(part) for part in parts) if t.strip())
    if not terms:
        raise InputError(f"--search {query!r}: give at least one word to look for")
    return terms


def searchable_text(rec: Recommendation) -> str:
    """Every text field of a recommendation, as the words search looks in."""
    fields: list[str] = [rec.id, rec.title, rec.text, rec.quote or "", rec.reference or "", rec.source,
                         *rec.authors, *rec.addressed_to, *rec.owners, *rec.themes, *rec.affected_persons,
                         *rec.sdgs]
    for texts in rec.translations.values():  # a word of a translation finds it too
        fields.extend(texts.values())
    return words(" \n ".join(fields))


def matches_terms(text: str, terms: Sequence[str]) -> bool:
    """Whether every term begins a word (or a run of words) of ``text`` (both made by :func:`words`)."""
    return all(term in text for term in terms)


@attrs.frozen(kw_only=True)
class Narrowing:
    """The filters that look at text and dates rather than at indexed fields."""

    search: tuple[str, ...] = ()
    overdue: bool = False
    due_before: dt.date | None = None
    due_after: dt.date | None = None
    changed_since: dt.date | None = None
    today: dt.date | None = None

    def __bool__(self) -> bool:
        return bool(self.search or self.overdue or self.due_before or self.due_after or self.changed_since)

    def select(self, recs: Iterable[Recommendation], is_final) -> list[Recommendation]:
        today = self.today or dt.datetime.now(dt.timezone.utc).date()
        kept = []
        for rec in recs:
            if self.overdue and (rec.due is None or rec.due >= today or is_final(rec.status)):
                continue
            if self.due_before and (rec.due is None or rec.due >= self.due_before):
                continue
            if self.due_after and (rec.due is None or rec.due <= self.due_after):
                continue
            if self.changed_since:
                updated = rec.updated
                if updated is None or updated.date() < self.changed_since:
                    continue
            if self.search and not matches_terms(searchable_text(rec), self.search):
                continue
            kept.append(rec)
        return kept
