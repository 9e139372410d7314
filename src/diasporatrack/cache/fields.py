"""The cache's rows for ``--sdg``, ``--where`` and ``--search``: a few rows by index instead of every row unpickled.

Each is a superset: the recommendations they select are checked again
by the tracker's own test, so an index row may match more than the filter
would, never less. ``rec_sdg`` holds each SDG code of a recommendation and
its goal (a goal finds its targets); ``rec_extra`` each ``extra`` field's
label key with its value as a number (numbers compare as numbers) or as a
label key; ``rec_words`` the words ``--search`` looks in
(:func:`diasporatrack.search.searchable_text`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Recommendation

TABLES = """
CREATE TABLE IF NOT EXISTS rec_sdg (sdg TEXT NOT NULL, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rec_extra (key TEXT NOT NULL, num REAL, word TEXT, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rec_words (rec TEXT PRIMARY KEY, words TEXT NOT NULL) WITHOUT ROWID;
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS rec_sdg_sdg ON rec_sdg (sdg);
CREATE INDEX IF NOT EXISTS rec_extra_key ON rec_extra (key, word);
CREATE INDEX IF NOT EXISTS rec_sdg_rec ON rec_sdg (rec);
CREATE INDEX IF NOT EXISTS rec_extra_rec ON rec_extra (rec);
"""
NAMES = ("rec_sdg", "rec_extra", "rec_words")


def sdg_rows(recs: Iterable[Recommendation]) -> Iterator[tuple[str, str]]:
    for rec in recs:
        for code in {part for code in rec.sdgs for part in (code, code.split(".", 1)[0])}:
            yield code, rec.id


def extra_rows(recs: Iterable[Recommendation]) -> Iterator[tuple[str, float | None, str | None, str]]:
    from ..fieldcheck import extra_text
    from ..labels import label_key

    for rec in recs:
        for key, value in rec.extra.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                try:
                    number = float(value)
                except OverflowError:  # equal to no number a filter can give
                    continue
                yield label_key(key), (None if math.isnan(number) else number), None, rec.id
            else:
                yield label_key(key), None, label_key(extra_text(value)), rec.id


def words_rows(recs: Iterable[Recommendation]) -> Iterator[tuple[str, str]]:
    from ..search import searchable_text

    for rec in recs:
        yield rec.id, searchable_text(rec)


def insert(db, recs: list[Recommendation]) -> None:
    """The index rows of these recommendations (their old ones already deleted)."""
    db.executemany("INSERT INTO rec_sdg VALUES (?, ?)", sdg_rows(recs))
    db.executemany("INSERT INTO rec_extra VALUES (?, ?, ?, ?)", extra_rows(recs))
    db.executemany("INSERT OR REPLACE INTO rec_words VALUES (?, ?)", words_rows(recs))


def conditions(*, sdgs=None, where=(), terms=()) -> tuple[list[str], list]:
    """SQL conditions on ``recs.id`` (joined by AND) and their parameters, for these filters.

    ``sdgs``: checked codes (any may match); ``where``: ``(label key, value as typed)`` pairs (all must
    match); ``terms``: search terms as :func:`diasporatrack.search.parse_terms` makes them (all must occur).
    """
    from ..labels import label_key

    found: list[str] = []
    params: list = []
    if sdgs is not None:
        codes = sorted(set(sdgs))
        found.append(f"id IN (SELECT rec FROM rec_sdg WHERE sdg IN ({', '.join('?' * len(codes))}))")
        params += codes
    for key, wanted in where:
        try:
            number = float(wanted)
        except ValueError:
            number = None
        if number is not None and math.isnan(number):
            number = None
        found.append("id IN (SELECT rec FROM rec_extra WHERE key = ? AND (word = ? OR num = ?))")
        params += [key, label_key(wanted), number]
    if terms:
        found.append("id IN (SELECT rec FROM rec_words WHERE "
                     + " AND ".join("instr(words, ?) > 0" for _ in terms) + ")")
        params += list(terms)
    return found, params
