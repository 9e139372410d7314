"""Translations in the SQLite export: one row per language and field, beside the text they translate.

Each table has a foreign key to the record it translates, and says the
text's direction (``rtl`` for Urdu, Dari, Pashto, Arabic, Persian), so a
page built on the database can lay it out. A quote's translation is a row
like any other: the ``quote`` column of the recommendation stays the
source's own words.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from ..translations import direction

SCHEMA = [
    "CREATE TABLE recommendation_translations (recommendation TEXT NOT NULL REFERENCES recommendations (id), "
    "lang TEXT NOT NULL, field TEXT NOT NULL, text TEXT NOT NULL, dir TEXT NOT NULL, "
    "PRIMARY KEY (recommendation, lang, field));",
    "CREATE TABLE source_translations (source TEXT NOT NULL REFERENCES sources (id), lang TEXT NOT NULL, "
    "field TEXT NOT NULL, text TEXT NOT NULL, dir TEXT NOT NULL, PRIMARY KEY (source, lang, field));",
    "CREATE TABLE finding_translations (source TEXT NOT NULL, finding TEXT NOT NULL, lang TEXT NOT NULL, "
    "field TEXT NOT NULL, text TEXT NOT NULL, dir TEXT NOT NULL, PRIMARY KEY (source, finding, lang, field), "
    "FOREIGN KEY (source, finding) REFERENCES findings (source, id));",
    "CREATE TABLE action_translations (action TEXT NOT NULL REFERENCES actions (id), lang TEXT NOT NULL, "
    "field TEXT NOT NULL, text TEXT NOT NULL, dir TEXT NOT NULL, PRIMARY KEY (action, lang, field));",
]


def _rows(key: tuple, translations: Any) -> list[tuple]:
    return [(*key, lang, field, text, direction(lang))
            for lang, texts in translations.items() for field, text in texts.items()]


def _insert(db: sqlite3.Connection, table: str, rows: list[tuple]) -> None:
    if rows:
        db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)


def fill(db: sqlite3.Connection, recommendations: Sequence[Any], sources: Sequence[Any],
         actions: Sequence[Any] = ()) -> None:
    """Insert the translations of the exported recommendations, their sources' and findings', and actions'."""
    _insert(db, "recommendation_translations",
            [row for r in recommendations for row in _rows((r.id,), r.translations)])
    _insert(db, "source_translations", [row for s in sources for row in _rows((s.id,), s.translations)])
    _insert(db, "finding_translations",
            [row for s in sources for f in s.findings for row in _rows((s.id, f.id), f.translations)])
    _insert(db, "action_translations", [row for a in actions for row in _rows((a.id,), a.translations)])
