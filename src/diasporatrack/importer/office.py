"""Reading the tables of office files: a sheet of an Excel workbook, a table of a Word document.

Both are read with well-kept libraries from the optional extra ``[office]``:
openpyxl for ``.xlsx`` (in its read-only mode, which streams a sheet row by
row, so memory does not grow with the sheet) and python-docx for ``.docx``
(a Word file is read whole, within :data:`MAX_WORD_BYTES`). Each opens as an
:class:`OfficeTable`: a header and rows of text cells, every row with its
location as a person finds it in the file (``sheet Recs, row 12``,
``table 1, row 12``).

:meth:`OfficeTable.sheet` hands the table to the import as every reader
does (a :class:`~diasporatrack.importer.Sheet` of rows), so its columns are
mapped, cleaned and checked as a CSV file's are; a row spanning a Word
table (``Theme: ...`` between groups of rows) comes as a ``heading`` row,
which a preset may read and which is never a recommendation. The readers
are registered by ``builtin/importers/office.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from ..errors import InputError
from .checks import clip, open_input
from .rows import Row, Sheet

OFFICE_HINT = "install the optional extra: pip install 'diasporatrack[office]'"
SUFFIXES = (".xlsx", ".xlsm", ".docx")
# The limits of an imported office file (docs/reliability.md, "Limits").
MAX_WORKBOOK_BYTES = 512 * 1024 ** 2  # a compressed workbook; its sheets are streamed
MAX_WORD_BYTES = 50 * 1024 ** 2  # read whole, like a document given to `extract`
MAX_UNPACKED_BYTES = 1024 ** 3  # what the parts of either file may unpack to: a zip bomb is refused
MAX_CELL_CHARS = 131_072  # the CSV reader's cell limit; Excel itself stops at 32,767


@attrs.frozen
class Entry:
    """One row of an office table: its number, its location and its cells as text."""

    number: int
    where: str
    cells: tuple[str, ...]
    spanning: bool = False  # one cell across the whole row: a heading inside a Word table


@attrs.define(eq=False)
class OfficeTable:
    """A table of an office file: ``header``, then ``sheet()`` (or ``entries()``), read once."""

    path: Path
    label: str  # "sheet Recs", "table 1"
    header: list[str]
    header_number: int
    chosen: str | None  # how the sheet or table was chosen, when the file has several
    _entries: Iterator[Entry]
    _close: Any = None

    def describe(self) -> str:
        """What was read, every guess stated with the option that overrides it."""
        return f"{self.path}: read {self.label}{f' ({self.chosen})' if self.chosen else ''}"

    def entries(self) -> Iterator[Entry | Row]:
        """Every row below the header that is not blank, spanning rows included; a row of the wrong shape
        comes as a :class:`Row` with its problem."""
        width = len(self.header)
        for entry in self._entries:
            if not any(entry.cells):
                continue
            long = next((c for c in entry.cells if len(c) > MAX_CELL_CHARS), None)
            if long is not None:
                yield Row({}, entry.number, where=entry.where,
                          problem=f"a cell longer than the limit of {MAX_CELL_CHARS:,} characters")
                continue
            extra = [i for i, cell in enumerate(entry.cells[width:], start=width + 1) if cell]
            if extra and not entry.spanning:
                yield Row({}, entry.number, where=entry.where,
                          problem=f"a value in column {extra[0]}, which has no name in the header (it would be "
                                  "lost; name the column)")
                continue
            yield attrs.evolve(entry, cells=entry.cells[:width] + ("",) * (width - len(entry.cells)))

    def sheet(self) -> Sheet:
        """The table as the import reads every table: its columns, then its rows, each with its place."""
        names = [name or f"column {i}" for i, name in enumerate(self.header, start=1)]

        def rows() -> Iterator[Row]:
            for entry in self.entries():
                if isinstance(entry, Row):
                    yield entry
                else:
                    yield Row(dict(zip(names, entry.cells)), entry.number, where=entry.where,
                              heading=entry.spanning)

        return Sheet(self.path, names, rows(), read_as=self.describe() if self.chosen else None,
                     close=self.close)

    def close(self) -> None:
        if self._close is not None:
            self._close()


def open_office_table(path: Path, *, sheet: str | None = None, table: str | int | None = None) -> OfficeTable:
    """Open the sheet or table of ``path`` (by its suffix) and read its header."""
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix == ".docx":
        if sheet is not None:
            raise InputError("--sheet is for Excel workbooks (.xlsx); a Word file has tables: give --table N")
        return _open_docx(path, table)
    if suffix in (".xlsx", ".xlsm"):
        if table is not None:
            raise InputError("--table is for Word files (.docx); a workbook has sheets: give --sheet NAME")
        return _open_xlsx(path, sheet)
    raise InputError(f"{path}: not an office file ({', '.join(SUFFIXES)})")


def _checked_zip(path: Path, limit: int, kind: str) -> bytes | None:
    """The file's bytes when it is small enough to read whole (Word), after checking it is a sound zip."""
    with open_input(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise InputError(f"{path}: not a regular file")
        if size > limit:
            raise InputError(f"{path}: {size:,} bytes is past the limit of {limit:,} for {kind}")
        data = fh.read(limit + 1) if kind == "a Word file" else None
    if size == 0:
        raise InputError(f"{path}: the file is empty")
    try:
        with zipfile.ZipFile(path if data is None else _bytes_io(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise InputError(f"{path}: not {kind} (not the zip container office files are); is it a CSV "
                         "or an older .xls/.doc file saved under this name?") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(f"{path}: its parts unpack to {unpacked:,} bytes, past the limit of "
                         f"{MAX_UNPACKED_BYTES:,}: refused as a zip bomb")
    return data


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person reads in it (12, not 12.0; a date as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _open_xlsx(path: Path, sheet: str | None) -> OfficeTable:
    try:
        import openpyxl
    except ImportError:
        raise InputError(f"{path}: reading Excel workbooks needs openpyxl; {OFFICE_HINT}") from None
    _checked_zip(path, MAX_WORKBOOK_BYTES, "an Excel workbook")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a broken file; none may escape as a traceback
        raise InputError(f"{path}: not a readable Excel workbook (.xlsx): {clip(str(err) or type(err).__name__)}"
                         ) from None
    try:
        names = book.sheetnames
        if not names:
            raise InputError(f"{path}: the workbook has no sheets")
        chosen = None
        if sheet is None:
            name = names[0]
            if len(names) > 1:
                chosen = f"the first of {len(names)} sheets: {', '.join(names)}; --sheet chooses another"
        elif sheet in names:
            name = sheet
        elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
            name = names[int(sheet) - 1]
        else:
            raise InputError(f"--sheet {sheet}: the workbook has no such sheet; its sheets: "
                             + ", ".join(f"{i} {n}" for i, n in enumerate(names, start=1)))
        ws = book[name]
        if not hasattr(ws, "iter_rows"):
            raise InputError(f"{path}: sheet {name} is a chart, not a table; give --sheet")
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # the size a file states may be wrong: read what is there
        label = f"sheet {name}"

        def entries() -> Iterator[Entry]:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in values]
                while cells and not cells[-1]:
                    cells.pop()
                yield Entry(number, f"{label}, row {number}", tuple(cells))

        return _with_header(path, label, entries(), chosen, book.close)
    except BaseException:
        book.close()
        raise


def _open_docx(path: Path, table: str | int | None) -> OfficeTable:
    try:
        import docx
    except ImportError:
        raise InputError(f"{path}: reading Word files needs python-docx; {OFFICE_HINT}") from None
    data = _checked_zip(path, MAX_WORD_BYTES, "a Word file")
    try:
        document = docx.Document(_bytes_io(data))
    except Exception as err:  # python-docx raises several kinds for a broken file
        detail = clip(str(err) or type(err).__name__)
        if "is not a Word file" in str(err):  # a zip of another kind: its message names an object, not the file
            detail = "its main part is not a Word document (another office file renamed .docx?)"
        raise InputError(f"{path}: not a readable Word file (.docx): {detail}") from None
    tables = document.tables
    if not tables:
        raise InputError(f"{path}: the document has no tables (import reads a Word file's tables; a list of "
                         "paragraphs can be saved as text and imported as Markdown)")
    chosen = None
    if table is None:
        index = max(range(len(tables)), key=lambda i: len(tables[i].rows))
        if len(tables) > 1:
            chosen = f"the largest of {len(tables)} tables; --table chooses another"
    else:
        if not str(table).isdigit() or not 1 <= int(table) <= len(tables):
            raise InputError(f"--table {table}: the document has {len(tables)} table{'s' * (len(tables) != 1)}; "
                             f"give a number from 1 to {len(tables)}")
        index = int(table) - 1
    label = f"table {index + 1}"

    def entries() -> Iterator[Entry]:
        for number, row in enumerate(tables[index].rows, start=1):
            cells = row.cells
            spanning = len(cells) > 1 and len({id(c._tc) for c in cells}) == 1
            texts = [""] * getattr(row, "grid_cols_before", 0) + [cell_text(c.text) for c in cells]
            if spanning:
                texts = texts[:1]
            yield Entry(number, f"{label}, row {number}", tuple(texts), spanning)

    return _with_header(path, label, entries(), chosen, None)


def _with_header(path: Path, label: str, entries: Iterator[Entry], chosen: str | None, close) -> OfficeTable:
    """The table whose header is the first row that is not blank; its names checked."""
    for entry in entries:
        if entry.spanning and entry.cells:
            continue  # a title row above the header
        if any(entry.cells):
            header = [name.strip() for name in entry.cells]
            break
    else:
        raise InputError(f"{path}: {label} is empty")
    seen: dict[str, int] = {}
    for index, name in enumerate(header, start=1):
        key = name.casefold()
        if key and key in seen:
            raise InputError(f"{path}: {label}, row {entry.number}: the header names the column {clip(name)} twice "
                             f"(columns {seen[key]} and {index}); rename one")
        seen[key] = index
    return OfficeTable(path, label, header, entry.number, chosen, entries, close)
