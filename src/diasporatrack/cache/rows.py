"""Recommendations read from the cache row by row, only when a command asks for them."""

from __future__ import annotations

import gc
import pickle
import sqlite3
from collections.abc import Iterator, MutableMapping

from ..model import Recommendation
from .store import row_json


def _decode(body: bytes) -> Recommendation:
    return pickle.loads(body)


class CachedState(MutableMapping[str, Recommendation]):
    """Recommendations by id, loaded from the cache only when asked for."""

    def __init__(self, db: sqlite3.Connection, ids: list[str]) -> None:
        self._db = db
        self._ids = dict.fromkeys(ids)
        self._loaded: dict[str, Recommendation] = {}
        self.dirty: set[str] = set()

    # Mapping protocol -----------------------------------------------------

    def __getitem__(self, rec_id: str) -> Recommendation:
        if rec_id in self._loaded:
            return self._loaded[rec_id]
        if rec_id not in self._ids:
            raise KeyError(rec_id)
        (body,) = self._db.execute("SELECT body FROM recs WHERE id = ?", (rec_id,)).fetchone()
        rec = self._loaded[rec_id] = _decode(body)
        return rec

    def __setitem__(self, rec_id: str, rec: Recommendation) -> None:
        self._ids.setdefault(rec_id)
        self._loaded[rec_id] = rec
        self.dirty.add(rec_id)

    def __delitem__(self, rec_id: str) -> None:
        raise TypeError("recommendations are removed by editing the YAML files")

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, rec_id: object) -> bool:
        return rec_id in self._ids

    def values(self):  # type: ignore[override]
        self._load_all()
        return [self._loaded[i] for i in self._ids]

    def _load_all(self) -> None:
        if len(self._loaded) == len(self._ids):
            return
        self._load(self._db.execute("SELECT id, body FROM recs"))

    def _load(self, rows) -> None:
        # Unpickling makes many objects and frees none: the collector's passes over them find nothing to free.
        paused = gc.isenabled()
        gc.disable()
        try:
            for rec_id, body in rows:
                if rec_id not in self._loaded:
                    self._loaded[rec_id] = _decode(body)
        finally:
            if paused:
                gc.enable()

    def preload(self, ids: list[str]) -> None:
        """Build these recommendations now, in one pass over the table or in chunks of ids, not one query each."""
        if len(ids) > len(self._ids) // 2:
            self._load_all()
            return
        wanted = [i for i in ids if i not in self._loaded and i in self._ids]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            self._load(self._db.execute(f"SELECT id, body FROM recs WHERE id IN ({', '.join('?' * len(chunk))})",
                                        chunk))

    def reminder_facts(self, lifecycle) -> list[tuple]:
        """``(id, due, owned, review_every, day of the last event, source)`` of every active recommendation
        that is not a draft, in order, from the columns (nothing unpickled but what changed in this process)."""
        from datetime import date

        active = [name for name in lifecycle.names if lifecycle.is_active(name)]
        found = {}
        for rec_id, due, owned, review_every, updated, source in self._db.execute(
                "SELECT id, due, owned, review_every, updated, source FROM recs WHERE draft = 0 AND status IN "
                f"({', '.join('?' * len(active))})", active):
            found[rec_id] = (rec_id, date.fromisoformat(due) if due else None, bool(owned), review_every,
                             date.fromisoformat(updated) if updated else None, source)
        rows = []
        for rec_id in self._ids:
            if rec_id in self.dirty:  # its saved row may be old: ask the recommendation itself
                rec = self[rec_id]
                if rec.draft or not lifecycle.is_active(rec.status):
                    continue
                updated = rec.updated
                rows.append((rec_id, rec.due, bool(rec.owners), rec.review_every,
                             updated.date() if updated is not None else None, rec.source))
            elif rec_id in found:
                rows.append(found[rec_id])
        return rows

    # Filtering in SQL ---------------------------------------------------------

    def select_ids(self, *, statuses=None, sources=None, owners=None, themes=None, addressees=None,
                   responses=None, unowned=False, sdgs=None, where_pairs=(), terms=()) -> list[str] | None:
        """Ids whose saved rows match every filter, by index; None means "all of them".

        Recommendations changed in this process (``dirty``) are always
        included: their saved rows may be old, so the caller checks them.
        ``sdgs``, ``where_pairs`` and ``terms`` give a superset (see :mod:`.fields`).
        """
        from .where import rec_filter

        clause, params = rec_filter(statuses=statuses, sources=sources, owners=owners, themes=themes,
                                    addressees=addressees, responses=responses, unowned=unowned, sdgs=sdgs,
                                    where_pairs=where_pairs, terms=terms)
        if not clause:
            return None
        found = [r for (r,) in self._db.execute(f"SELECT id FROM recs{clause}", params)]
        seen = set(found)  # once, not once per changed recommendation
        return found + [r for r in self.dirty if r not in seen]

    def sources_by_id(self) -> dict[str, str]:
        """Every recommendation's source, from the index (no row unpickled but those changed in this process)."""
        found = dict(self._db.execute("SELECT id, source FROM recs"))
        for rec_id in self.dirty:
            if rec_id in self:
                found[rec_id] = self[rec_id].source
        return {rec_id: found[rec_id] for rec_id in self._ids if rec_id in found}

    def rows_json(self, ids: list[str]) -> Iterator[str]:
        """Each recommendation's JSON text, from the cache where its row is current, one at a time.

        Ids in ascending order (what ``list --format json`` asks for) are
        read in one pass over the table's primary key, so no more than one
        row is held at a time, whatever the size of the workspace.
        """
        if len(ids) > len(self._ids) // 2 and all(a < b for a, b in zip(ids, ids[1:])):
            yield from self._merged(ids)
            return
        saved: dict[str, str] = {}
        wanted = [i for i in ids if i not in self.dirty]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            saved.update(self._db.execute(
                f"SELECT id, json FROM recs WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        for i in ids:
            yield saved[i] if i in saved and i not in self.dirty else row_json(self[i])

    def _merged(self, ids: list[str]) -> Iterator[str]:
        """Sorted ids joined with the table read in key order (SQLite's text order is code point order)."""
        pending = iter(ids)
        want = next(pending, None)
        for rec_id, text in self._db.execute("SELECT id, json FROM recs ORDER BY id"):
            while want is not None and want < rec_id:  # not in the table: made in this process only
                yield row_json(self[want])
                want = next(pending, None)
            if want is None:
                return
            if want == rec_id:
                yield row_json(self[rec_id]) if rec_id in self.dirty else text
                want = next(pending, None)
        while want is not None:
            yield row_json(self[want])
            want = next(pending, None)
