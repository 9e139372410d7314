"""Which column of a table goes to which field, and saying so.

A column is read as a field when a preset names it, when it is named like
the field (``text``, ``Status``), or when ``--map COLUMN=FIELD`` says so;
explicit maps win over the preset, and the preset over names. ``--map
COLUMN=`` skips a column. Several columns may go to one list field (their
items are concatenated, in the order of the maps) or to one free-text field
(joined as paragraphs, with a blank line between); a field that holds one
value (``status``, ``due``, ...) takes one column. A target ``extra.KEY``
keeps a column under ``extra``, ``translations.LANG.FIELD`` reads a column
as the translation of a field (``translations.fr.title``); ``--keep-unmapped`` does that for every
column nothing reads. Every import reports the mapping and the columns it
did not use: nothing is dropped without a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import attrs

from ..errors import InputError
from .checks import FIELDS, FREE_TEXT, LIST_FIELDS, clip

SOURCE = "source"  # a column naming each row's source: a target, but not a recommendation field
_EXTRA_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


def extra_key(column: str) -> str:
    """The key under ``extra`` for a column kept by ``--keep-unmapped``: ``To-Org`` -> ``to_org``."""
    key = re.sub(r"[^a-z0-9]+", "_", column.casefold()).strip("_")
    return (key if key[:1].isalpha() else f"column_{key}")[:64] or "column"


def check_target(target: str, where: str) -> str:
    """A field name, ``source``, ``extra.KEY`` or ``translations.LANG.FIELD``; else a one-line error."""
    if target in FIELDS or target == SOURCE:
        return target
    if target.startswith("translations."):
        from ..translations import TRANSLATABLE, tag_problem

        lang, _, field = target[len("translations."):].rpartition(".")
        if field not in TRANSLATABLE["recommendation"] or tag_problem(lang):
            raise InputError(f"{where}: {target!r}: a translation is translations.LANG.FIELD, LANG a language tag "
                             f"such as fr or pt-BR, FIELD one of {', '.join(TRANSLATABLE['recommendation'])}")
        return target
    if target.startswith("extra."):
        if _EXTRA_KEY.fullmatch(target[6:]):
            return target
        raise InputError(f"{where}: {target!r}: an extra key is a letter then letters, digits or _ "
                         "(at most 64), e.g. extra.to_org")
    raise InputError(f"{where}: {target!r} is not a field; fields: {', '.join(FIELDS)}, source, or extra.KEY")


def is_multi(target: str) -> bool:
    """Whether several columns may go to ``target``: list fields, free text, extra keys, translations."""
    return target in LIST_FIELDS or target in FREE_TEXT or target.startswith(("extra.", "translations."))


@attrs.frozen
class ColumnPlan:
    """Columns by target (in reading order), and the columns nothing reads."""

    targets: dict[str, tuple[str, ...]]
    skipped: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # unused columns kept in extra (--keep-unmapped)

    def report(self, path) -> list[str]:
        """The lines an import prints: what went where, what was skipped, what was not used."""
        pairs = [f"{column} -> {target}" for target, columns in self.targets.items() for column in columns]
        lines = [f"{path}: columns read: {', '.join(pairs) if pairs else 'none'}"]
        if self.skipped:
            lines.append(f"{path}: columns skipped (--map COLUMN=): {', '.join(self.skipped)}")
        if self.unused:
            lines.append(f"{path}: columns not used: {', '.join(self.unused)} (read one with --map COLUMN=FIELD, "
                         "or keep them all in extra with --keep-unmapped)")
        return lines


def plan_columns(columns: Sequence[str], preset_columns: Mapping[str, Sequence[str]], maps: Iterable[str],
                 *, keep_unmapped: bool = False, preset_name: str | None = None) -> ColumnPlan:
    """Decide which column goes to which target; errors name the ``--map`` at fault."""
    lookup = {column.casefold(): column for column in columns}
    automatic: dict[str, str] = {}  # column -> target
    for target, names in preset_columns.items():
        check_target(target, f"preset {preset_name}")
        for name in ([names] if isinstance(names, str) else names):
            column = lookup.get(name.casefold())
            if column is not None and column not in automatic:
                automatic[column] = target
                break
    claimed = set(automatic.values())
    for column in columns:  # a column named like a field, unless the preset reads that field from another
        name = column.casefold()
        if column not in automatic and (name in FIELDS or name == SOURCE) and name not in claimed:
            automatic[column] = name
            claimed.add(name)
    explicit: dict[str, list[str]] = {}
    skipped: list[str] = []
    mapped: set[str] = set()
    for entry in maps:
        name, sep, target = entry.rpartition("=")
        if not sep or not name.strip():
            raise InputError(f"--map {entry}: give COLUMN=FIELD, or COLUMN= to skip the column")
        column = lookup.get(name.strip().casefold())
        if column is None:
            raise InputError(f"--map {entry}: the file has no column {clip(name.strip())}; columns: "
                             f"{', '.join(columns)}")
        if column in mapped:
            raise InputError(f"--map {entry}: the column {clip(column)} is mapped twice")
        mapped.add(column)
        target = target.strip()
        if not target:
            skipped.append(column)
            continue
        target = check_target(target, f"--map {entry}")
        if target in explicit and not is_multi(target):
            raise InputError(f"--map {entry}: {target} holds one value and --map {explicit[target][0]}={target} "
                             "already fills it; map one column to it")
        explicit.setdefault(target, []).append(column)
    targets: dict[str, list[str]] = {}
    for column, target in automatic.items():
        if column not in mapped and target not in explicit:
            targets.setdefault(target, []).append(column)
    for target, chosen in explicit.items():
        targets.setdefault(target, []).extend(chosen)
    read = {column for chosen in targets.values() for column in chosen}
    unused = [column for column in columns if column not in read and column not in skipped]
    kept: list[str] = []
    if keep_unmapped:
        taken = {t[6:] for t in targets if t.startswith("extra.")}
        for column in unused:
            key = extra_key(column)
            while key in taken:
                key += "_"
            taken.add(key)
            targets[f"extra.{key}"] = [column]
            kept.append(column)
        unused = []
    return ColumnPlan({t: tuple(c) for t, c in targets.items()}, tuple(skipped), tuple(unused), tuple(kept))
