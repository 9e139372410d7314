"""Which row of a refreshed file is which recommendation already imported.

Rows with ids are matched by id. Rows of a layout without ids (UPR Info
exports) are matched inside buckets of equal key fields (the state under
review, the recommending State: the session is the source), in three
rounds, each defined over sets so that the order of the rows never changes
the outcome:

1. the same key, text and every other field: nothing changed;
2. the same key and the same text (case and spacing ignored): some other
   field changed;
3. the same key and a similar text (a corrected typo): scored with
   rapidfuzz's normalised Indel similarity (0 to 100). A pair is taken only
   when each is the other's best candidate by a clear margin; a row whose
   candidates are unclear is *ambiguous* and refused, never guessed.

Everything is indexed by key, so matching costs about one dictionary
look-up per row; similarity is computed only between the rows left over
in one bucket.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any

import attrs

THRESHOLD = 80.0  # the least similarity for a candidate (a typo in a 40-character text scores about 97)
MARGIN = 5.0  # a best candidate must beat the next one by this much
MAX_PAIRS = 20_000_000  # similarity scores computed in one bucket, at most (left-over rows times left-over rows)


@attrs.frozen
class Side:
    """One row, or one recommendation already there, as matching sees it."""

    ref: Any  # the row's number, or the recommendation's id
    key: tuple
    text: str  # normalised (keys.normal_text)
    signature: Hashable  # key, text and every other field compared


@attrs.frozen
class Match:
    row: Any
    rec_id: str
    how: str  # "same" (nothing changed), "text" (same text, other fields changed), "similar"
    score: float = 100.0


@attrs.define
class Matching:
    matches: list[Match] = attrs.Factory(list)
    added: list[Any] = attrs.Factory(list)  # row refs
    missing: list[str] = attrs.Factory(list)  # recommendation ids
    ambiguous: list[tuple[Any, list[tuple[str, float]]]] = attrs.Factory(list)  # row, candidates
    too_many: list[tuple[tuple, int, int]] = attrs.Factory(list)  # key, rows, recommendations left over


def match_by_id(rows: Sequence[tuple[Any, str]], existing: Sequence[str]) -> Matching:
    """Rows that carry an id, matched to the recommendations of the source by that id."""
    known = set(existing)
    out = Matching()
    seen: set[str] = set()
    for ref, rec_id in rows:
        if rec_id in known:
            out.matches.append(Match(ref, rec_id, "id"))
            seen.add(rec_id)
        else:
            out.added.append(ref)
    out.missing = sorted(known - seen)
    return out


def match_rows(rows: Sequence[Side], existing: Sequence[Side]) -> Matching:
    """Match rows without ids to recommendations, bucket by bucket (see the module's docstring)."""
    out = Matching()
    rows_by_key: dict[tuple, list[Side]] = defaultdict(list)
    recs_by_key: dict[tuple, list[Side]] = defaultdict(list)
    for row in rows:
        rows_by_key[row.key].append(row)
    for rec in existing:
        recs_by_key[rec.key].append(rec)
    for key in sorted(set(rows_by_key) | set(recs_by_key), key=repr):
        _match_bucket(key, rows_by_key.get(key, []), recs_by_key.get(key, []), out)
    return out


def _pair_equal(rows: list[Side], recs: list[Side], attr: str, how: str, out: Matching) -> tuple[list, list]:
    """Pair rows and recommendations equal in ``attr``; several equal ones pair in a fixed order."""
    recs_by: dict[Hashable, list[Side]] = defaultdict(list)
    for rec in recs:
        recs_by[getattr(rec, attr)].append(rec)
    rows_by: dict[Hashable, list[Side]] = defaultdict(list)
    for row in rows:
        rows_by[getattr(row, attr)].append(row)
    left_rows: list[Side] = []
    for value, group in rows_by.items():
        candidates = recs_by.get(value)
        if not candidates:
            left_rows.extend(group)
            continue
        # Order by content, not by place in the file: equal rows are interchangeable, and rows that
        # differ elsewhere pair the same way whatever order the file gives them.
        if len(group) > 1:
            group = sorted(group, key=lambda r: repr(r.signature))
        if len(candidates) > 1:
            candidates.sort(key=lambda r: r.ref)
        for row, rec in zip(group, candidates):
            out.matches.append(Match(row.ref, rec.ref, how))
        left_rows.extend(group[len(candidates):])
        del candidates[: len(group)]
    left_recs = [rec for group in recs_by.values() for rec in group]
    return left_rows, left_recs


def _match_bucket(key: tuple, rows: list[Side], recs: list[Side], out: Matching) -> None:
    rows, recs = _pair_equal(rows, recs, "signature", "same", out)
    rows, recs = _pair_equal(rows, recs, "text", "text", out)
    if rows and recs:
        if len(rows) * len(recs) > MAX_PAIRS:
            out.too_many.append((key, len(rows), len(recs)))
            return
        rows, recs = _similar(rows, recs, out)
    out.added.extend(row.ref for row in rows)
    out.missing.extend(rec.ref for rec in recs)


def _similar(rows: list[Side], recs: list[Side], out: Matching) -> tuple[list[Side], list[Side]]:
    """Pair by text similarity where each is the other's clear best; the unclear rows are ambiguous."""
    from .fuzzy import similar

    texts = [rec.text for rec in recs]
    scores: dict[int, dict[int, float]] = {}  # row -> rec -> score, only the candidates (sparse)
    back: dict[int, dict[int, float]] = defaultdict(dict)  # rec -> row -> score
    for i, row in enumerate(rows):
        scores[i] = similar(row.text, texts, THRESHOLD)
        for j, score in scores[i].items():
            back[j][i] = score
    free_rows, free_recs = set(range(len(rows))), set(range(len(recs)))
    while True:  # rounds: a pair taken may make another pair clear
        taken = []
        for i in sorted(free_rows):
            best_j, best, second = _best(scores[i], free_recs)
            if best_j is None or best - second < MARGIN:
                continue
            best_i, _, second_back = _best(back[best_j], free_rows)
            if best_i == i and best - second_back >= MARGIN:
                taken.append((i, best_j, best))
        if not taken:
            break
        for i, j, score in taken:
            out.matches.append(Match(rows[i].ref, recs[j].ref, "similar", round(score, 1)))
            free_rows.discard(i)
            free_recs.discard(j)
    left_rows = []
    for i in sorted(free_rows):
        candidates = [(recs[j].ref, round(score, 1)) for j, score in scores[i].items() if j in free_recs]
        if candidates:
            out.ambiguous.append((rows[i].ref, sorted(candidates, key=lambda c: (-c[1], c[0]))))
        else:
            left_rows.append(rows[i])
    left_recs = [recs[j] for j in sorted(free_recs)]
    return left_rows, left_recs


def _best(values: dict[int, float], among: set[int]) -> tuple[int | None, float, float]:
    """The index with the highest score among ``among`` (None if none), that score, and the next one."""
    best_j, best, second = None, 0.0, 0.0
    for j, value in sorted(values.items()):
        if j not in among:
            continue
        if value > best:
            best_j, best, second = j, value, best
        elif value > second:
            second = value
    return best_j, best, second
