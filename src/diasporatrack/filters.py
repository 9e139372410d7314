"""Filters on the classification fields: SDGs, groups of persons, authors, ``extra``.

Labels match as :func:`diasporatrack.labels.label_key` makes them (no case,
accents or punctuation). ``sdg`` names goals or targets: a goal also finds
its targets. ``where`` is ``KEY=VALUE`` on the ``extra`` fields: numbers
compare as numbers, everything else as labels; every ``where`` must match.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import attrs

from . import sdgs as numbering
from .errors import InputError
from .fieldcheck import extra_text
from .labels import any_label, label_key
from .model import Recommendation


def _set(value: str | Collection[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen
class FieldFilters:
    """What ``query`` checks beyond the indexed fields; empty when nothing is asked."""

    sdgs: tuple[str, ...] | None = None
    affected: frozenset[str] | None = None
    authors: frozenset[str] | None = None
    where: tuple[tuple[str, str], ...] = ()

    @classmethod
    def make(cls, *, sdg: Any = None, affected: Any = None, author: Any = None,
             where: Any = None) -> FieldFilters:
        """Check what was asked: an unknown SDG or a ``where`` without ``=`` is an :class:`InputError`."""
        codes = None
        if _set(sdg) is not None:
            codes = []
            for code in _set(sdg) or ():
                try:
                    codes.append(numbering.check(code))
                except ValueError as err:
                    raise InputError(f"--sdg: {err} (diasporatrack sdgs lists them)") from None
            codes = tuple(codes)
        pairs = []
        for item in _set(where) or ():
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise InputError(f"--where {item!r}: expected KEY=VALUE, e.g. --where session=41")
            pairs.append((label_key(key), value.strip()))
        groups = _set(affected)
        people = _set(author)
        return cls(
            sdgs=codes,
            affected=frozenset(label_key(g) for g in groups) if groups is not None else None,
            authors=frozenset(label_key(a) for a in people) if people is not None else None,
            where=tuple(pairs),
        )

    def __bool__(self) -> bool:
        return self.sdgs is not None or self.affected is not None or self.authors is not None or bool(self.where)

    def matches(self, rec: Recommendation) -> bool:
        if self.sdgs is not None and not any(numbering.matches(code, rec.sdgs) for code in self.sdgs):
            return False
        if self.affected is not None and not any_label(set(self.affected), rec.affected_persons):
            return False
        if self.authors is not None and not any_label(set(self.authors), rec.authors):
            return False
        if self.where:
            extra = {label_key(k): v for k, v in rec.extra.items()}
            return all(key in extra and _same(extra[key], wanted) for key, wanted in self.where)
        return True

    def select(self, recs: Iterable[Recommendation]) -> list[Recommendation]:
        return [r for r in recs if self.matches(r)]


def _same(value: Any, wanted: str) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(wanted) == value
        except ValueError:
            return False
    return label_key(extra_text(value)) == label_key(wanted)
