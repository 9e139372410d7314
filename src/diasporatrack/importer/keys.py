"""Stable ids for imported rows: from a column, a natural key, or the row's own content.

An id never comes from a row's position: a file saved in another order,
or with a row added near the top, must give every recommendation the id it
had. A layout names its ids in one of three ways:

- a column of ids (``id``, or ``--id-column COL``): taken as they are, or
  prefixed by the source when they are only unique within it (``140.7``
  becomes ``SOURCE-140.7``);
- a natural key of the layout (an OHCHR list's paragraph number), prefixed
  by the source the same way;
- nothing: the id is made from the row's key fields (the state under review,
  the recommending State) and its text, hashed, so the same row always gets
  the same id. Two rows with the same key fields and the same text are told
  apart by a counter, in file order (identical rows are interchangeable).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..model import ID_PATTERN

HASH_CHARS = 10  # 40 bits: a collision inside one source of a million rows is unlikely (and then counted)
MAX_ID = 128


def normal_text(text: str) -> str:
    """Text as rows are compared: case, spacing and line breaks ignored."""
    return " ".join(text.casefold().split())


def key_value(value: Any) -> Any:
    """A key field's value made comparable: lists as sorted tuples of normal text, text normalised."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (list, tuple)):
        return tuple(sorted(normal_text(str(v)) for v in value))
    return normal_text(str(value))


def row_key(fields: dict[str, Any], key_fields: Sequence[str]) -> tuple:
    """The key of a row (or of a recommendation, in the same form) for matching."""
    return tuple(key_value(fields.get(name)) for name in key_fields)


def _slug(text: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:limit].strip("-")


def content_id(source_id: str, key: Sequence[Any], text: str, label: str | None = None) -> str:
    """The id of a row with no id of its own: the source, an optional readable label, a hash of key and text."""
    digest = hashlib.blake2b(repr((tuple(key), normal_text(text))).encode("utf-8"), digest_size=8).hexdigest()
    middle = _slug(label, 40) if label else ""
    return f"{source_id}-{middle + '-' if middle else ''}{digest[:HASH_CHARS]}"


def prefixed_id(source_id: str, value: str) -> str | None:
    """``SOURCE-VALUE`` for a key unique only within its source (``140.7``); None if it cannot be an id."""
    value = value.strip()
    if value.startswith(source_id + "-") and re.fullmatch(ID_PATTERN, value):
        return value  # already prefixed (a file this tool exported)
    value = re.sub(r"\s+", "-", value)
    candidate = f"{source_id}-{value}"
    return candidate if re.fullmatch(ID_PATTERN, candidate) and len(candidate) <= MAX_ID else None


class IdAssigner:
    """Hands out content ids, a counter after the first for a key and text met again."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def __call__(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.taken.add(candidate)
        return candidate
