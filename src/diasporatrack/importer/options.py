"""What an import was told: the user's options and the preset's parts, filled in."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from .rows import Row


@attrs.frozen(kw_only=True)
class ImportOptions:
    """What the user said about one import (the CLI's options, or a library caller's)."""

    source: str | None = None
    title: str | None = None
    maps: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    values: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    keep_unmapped: bool = False
    keep_html: bool = False
    date_format: str | None = None
    create_owners: bool = False
    dry_run: bool = False
    id_column: str | None = None  # a column of ids unique within their source (prefixed by it)
    update: bool = False  # re-import into the sources an import made before (importer.update)
    prune: bool = False  # with update: remove what the file no longer has


@attrs.frozen
class PresetParts:
    """A preset with its optional parts filled in (a plugin's preset may define only some)."""

    name: str | None
    columns: Mapping[str, Any]
    required: tuple[str, ...] = ()
    values: Mapping[str, Mapping[str, str]] = attrs.Factory(dict)
    key: tuple[str, ...] = ()
    split: Mapping[str, str] = attrs.Factory(dict)
    prepare: Callable[[Iterator[Row]], Iterator[Row]] | None = None
    source: Callable[[dict], dict | None] | None = None
    finish: Callable[[dict, Row], dict | None] | None = None
    layout: Callable[[list[str]], Mapping[str, Any]] | None = None

    @classmethod
    def of(cls, preset: Any) -> PresetParts:
        if preset is None:
            return cls(None, {})
        return cls(preset.name, preset.columns, tuple(getattr(preset, "required", ())),
                   getattr(preset, "values", {}) or {}, tuple(getattr(preset, "key", ())),
                   getattr(preset, "split", {}) or {},
                   getattr(preset, "prepare", None), getattr(preset, "source", None), getattr(preset, "finish", None),
                   getattr(preset, "layout", None))
