"""Value maps: a file's words for statuses and responses turned into the workspace's own.

A value is looked up, without case and with spaces collapsed, in the maps
given with ``--value FIELD:FROM=TO`` first, then in the ``import: values:``
block of ``diasporatrack.yaml``; a word of the workspace's own vocabulary
is then kept as it is, and only other words go through the preset's map.
What is left is compared with the workspace's vocabulary (its statuses, responses and
impacts), ignoring case and the difference between spaces, ``_`` and
``-``: ``In_Progress`` is ``in-progress``. A value still unknown is
counted, and reported once with its number of rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..errors import InputError
from ..model import IMPACTS
from .checks import FIELDS, clip

VOCABULARY_FIELDS = ("status", "response", "impact")


def value_key(text: str) -> str:
    """How a file's value is matched against a map: case and runs of spaces ignored."""
    return " ".join(text.casefold().split())


def _loose(text: str) -> str:
    return re.sub(r"[\s_\-]+", "-", text.casefold().strip())


def parse_value_maps(entries: Iterable[str]) -> dict[str, dict[str, str]]:
    """``--value FIELD:FROM=TO`` entries as field -> {key of FROM: TO}."""
    maps: dict[str, dict[str, str]] = {}
    for entry in entries:
        field, colon, rest = entry.partition(":")
        source, equals, target = rest.rpartition("=")
        field = field.strip()
        if not colon or not equals or not source.strip():
            raise InputError(f"--value {entry}: give FIELD:FROM=TO, e.g. --value 'response:Accepted=supported'")
        if field not in FIELDS and not field.startswith("extra."):
            raise InputError(f"--value {entry}: {field!r} is not a field; fields: {', '.join(FIELDS)}")
        maps.setdefault(field, {})[value_key(source)] = target.strip()
    return maps


def config_value_maps(config: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The ``import: values:`` block of ``diasporatrack.yaml`` (its shape is checked when it is read)."""
    block = (config.get("import") or {}).get("values") or {}
    return {field: {value_key(str(k)): str(v) for k, v in (mapping or {}).items()} for field, mapping in block.items()}


@attrs.define
class Unknown:
    """A value no map and no vocabulary word matched: how many rows have it, and the first."""

    count: int
    line: int | None
    where: str


class ValueMapper:
    """Maps the values of one import and counts the ones it cannot place."""

    def __init__(self, tracker, *layers: Mapping[str, Mapping[str, str]],
                 preset: Mapping[str, Mapping[str, str]] | None = None) -> None:
        merged: dict[str, dict[str, str]] = {}
        for layer in reversed(layers):  # the first layer (--value) wins
            for field, mapping in layer.items():
                merged.setdefault(field, {}).update({value_key(k): v for k, v in mapping.items()})
        self.maps = merged
        self.preset = {field: {value_key(k): v for k, v in mapping.items()} for field, mapping in (preset or {}).items()}
        self.vocabulary = {
            "status": list(tracker.lifecycle.names),
            "response": list(tracker.responses.names),
            "impact": list(IMPACTS),
        }
        self._loose = {field: {_loose(w): w for w in words} for field, words in self.vocabulary.items()}
        self.unknown: dict[tuple[str, str], Unknown] = {}

    def fields(self) -> set[str]:
        return set(self.maps) | set(self.preset) | set(VOCABULARY_FIELDS)

    def map(self, field: str, value: str, line: int | None, where: str) -> str | None:
        """The workspace's value for a file's ``value``; None (and counted) when there is none.

        The user's maps first; then a word of the workspace's own vocabulary
        is kept as it is (a workspace whose responses include ``accepted``
        keeps it, whatever a preset would make of it); then the preset's map.
        """
        key = value_key(value)
        mine = self.maps.get(field, {})
        if key in mine:
            mapped = mine[key]
        elif field in self.vocabulary and _loose(value) in self._loose[field]:
            return self._loose[field][_loose(value)]
        else:
            mapped = self.preset.get(field, {}).get(key, value)
        if field not in self.vocabulary:
            return mapped
        words = self.vocabulary[field]
        if mapped in words:
            return mapped
        loose = self._loose[field].get(_loose(mapped))
        if loose is not None:
            return loose
        seen = self.unknown.get((field, value))
        if seen is None:
            self.unknown[(field, value)] = Unknown(1, line, where)
        else:
            seen.count += 1
        return None

    def report(self, rows) -> None:
        """One problem per unknown value, at its first row, with its count."""
        for (field, value), seen in self.unknown.items():
            others = f" and {seen.count - 1:,} more row{'s' * (seen.count != 2)}" if seen.count > 1 else ""
            words = ", ".join(self.vocabulary[field])
            rows.bad(seen.line, f"{seen.where}: {field} {clip(value)} (on this row{others}) is not one of this "
                                f"workspace's {field} values ({words}); map it with --value "
                                f"'{field}:{value[:60]}=...'")
