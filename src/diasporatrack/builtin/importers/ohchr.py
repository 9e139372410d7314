"""``ohchr``: OHCHR's thematic list of the UPR recommendations a State received (a Word table).

The layout, and how each part of it is read, is described in
:mod:`diasporatrack.importer.ohchr`; this module registers it as a preset,
applied to the rows of the Word (or Excel) reader like any other preset.
``--state NAME`` names the State under review when the list has no column
for it.
"""

from __future__ import annotations

from ...hookspecs import hookimpl
from ...importer import ohchr


class OhchrPreset:
    name = "ohchr"
    description = ohchr.DESCRIPTION
    columns = ohchr.COLUMNS
    required = ("text",)
    values = {"response": ohchr.RESPONSES}
    split = {"themes": r"\n", "sdgs": r"\n"}
    options = ("state",)

    def __init__(self, state: str | None = None) -> None:
        self.state = state
        self.themes: dict[int, str] = {}  # row number -> the theme of the group it is in

    def with_options(self, options):
        """A preset for one import: its options, and the themes of that file's rows."""
        return OhchrPreset(options.get("state"))

    def prepare(self, rows):
        return ohchr.prepare(rows, self.state, self.themes)

    def source(self, rec):
        return ohchr.source_block(rec, self.state)

    def finish(self, rec, row):
        return ohchr.finish(rec, self.themes.get(row.number), self.state, rec["source"])


@hookimpl
def register_importers():
    return [OhchrPreset()]
