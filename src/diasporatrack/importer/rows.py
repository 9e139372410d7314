"""What a table reader hands to the import: a header, then rows of text cells, each with its place.

Every file layout that is a table (CSV, TSV, a spreadsheet's sheet, a Word
document's table) is read into a :class:`Sheet`; the import maps its
columns onto fields the same way whatever the layout. A row carries the
place a person would look for it: the physical line where it starts in a
text file (``file:79: row 11``), else a label such as ``sheet Recs, row 12``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs


@attrs.frozen
class Row:
    """One row of a table: its cells by column name, and where it is.

    ``cells`` holds text for every column of the header (``""`` when
    empty); a reader turns numbers and dates into text (dates as
    YYYY-MM-DD). ``number`` counts rows as a spreadsheet does (the header
    is row 1). ``line`` is the physical line where the row starts in a text
    file, ``None`` elsewhere. ``where`` names the row in messages:
    ``"row 12"``, ``"sheet Recs, row 12"``, ``"table 1, row 12"``. A row
    the reader could not read has a ``problem``: the import reports it at
    its place and goes on checking the others, writing nothing. A
    ``heading`` is a row that spans the table (a title between groups of
    rows): a preset's ``prepare`` may read it; it is never a recommendation.
    """

    cells: dict[str, str]
    number: int
    line: int | None = None
    where: str = ""
    problem: str | None = None
    heading: bool = False  # a row spanning a Word table ("Theme: ..."): a preset may read it; never a record

    @property
    def label(self) -> str:
        return self.where or f"row {self.number}"


def _no_close() -> None:
    return None


@attrs.define(eq=False)
class Sheet:
    """A table opened by a reader: its ``columns``, then its ``rows``, read once.

    ``read_as`` says how the file was read when anything was guessed or
    unusual (an encoding, a delimiter, a sheet), each guess with the option
    that overrides it; the import prints it. ``header_line`` is where the
    header is (for messages about it). Use it as a context manager, or call
    ``close()``: a reader may hold the file open while rows are read.
    """

    path: Path
    columns: list[str]
    rows: Iterable[Row]
    read_as: str | None = None
    header_line: int | None = None
    close: Callable[[], None] = _no_close

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __enter__(self) -> Sheet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
