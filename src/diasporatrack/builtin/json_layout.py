"""The text of a ``json`` export, put together from ready-made JSON parts.

The exporter (:mod:`.json_exporter`) writes its document with
``json.dumps(..., indent=2)``. The start-up fast path
(:mod:`diasporatrack.cli.quick_export`) writes the same bytes from parts the
cache keeps, without importing json, the model or a plugin: each part was
dumped on its own, at the top level, with ``indent=2``. JSON text never
holds a raw line break (strings escape it), so a part goes one level deeper
by putting two more spaces after each line break.
"""

from __future__ import annotations

SCHEMA = "diasporatrack-export"
SCHEMA_VERSION = 3  # 3: translations, a source's language, progress_from; 2: classification, progress and
# cluster fields; author is a list

FIRST, NEXT = "    ", ",\n    "  # before the first recommendation, before each of the others
TAIL = "\n  ]\n}\n"  # after the last recommendation


def nested(text: str, levels: int = 1) -> str:
    """A part dumped at the top level, as it reads ``levels`` levels deeper."""
    return text.replace("\n", "\n" + "  " * levels)


def head(generated: str, statuses: str, sources: list[str], owners: str) -> str:
    """Everything before the first recommendation of an export without ``actions`` and ``lang``.

    ``statuses`` and ``owners`` are lists and each of ``sources`` a source,
    dumped at the top level; ``generated`` is the UTC time as the exporter
    writes it.
    """
    listed = "[\n    " + ",\n    ".join(nested(s, 2) for s in sources) + "\n  ]" if sources else "[]"
    return (f'{{\n  "schema": "{SCHEMA}",\n  "version": {SCHEMA_VERSION},\n  "generated": "{generated}",\n'
            f'  "statuses": {nested(statuses)},\n  "sources": {listed},\n  "owners": {nested(owners)},\n'
            '  "recommendations": [\n')


def row(n: int, text: str) -> str:
    """The ``n``-th recommendation (from 0), its JSON text on one line."""
    return (NEXT if n else FIRST) + text
