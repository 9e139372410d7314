"""Reading a CSV or TSV file as a table, streamed, with physical line numbers.

The encoding and the delimiter are guessed on a bounded sample of the file
(or given); the rows are then read one at a time. Each row is reported with
the physical line where it starts, which is not its record number when
cells hold line breaks. The shape of the file is checked as it is read: a
row with more or fewer cells than the header, a quote that never closes, a
cell or a row past the limits below, bytes that are not in the encoding.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import attrs

from ..errors import InputError
from .checks import clip, open_input
from .encodings import check_encoding, detect_encoding, label, likely_encoding
from .rows import Row, Sheet

# The limits of an imported table (docs/reliability.md, "Limits").
MAX_FILE_BYTES = 2 * 1024 ** 3  # 2 GiB: about six million UPR-sized rows
MAX_ROW_CHARS = 4 * 1024 ** 2  # one row, line breaks inside its cells included
SAMPLE_BYTES = 256 * 1024  # what the encoding and delimiter are guessed from
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}

_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes the codec could not read, kept by surrogateescape


class _Stop(Exception):
    """A problem after which the rest of the file cannot be read reliably."""

    def __init__(self, line: int | None, message: str) -> None:  # None: where the row starts
        self.line, self.message = line, message


@attrs.define(eq=False)
class Table:
    """An open table: its header, then ``rows()`` once."""

    path: Path
    encoding: str
    delimiter: str
    encoding_guessed: bool
    delimiter_guessed: bool
    header: list[str] = attrs.Factory(list)
    header_line: int = 1
    _lines: _Lines | None = None
    _reader: Iterator[list[str]] | None = None

    def describe(self) -> str:
        """How the file was read, every guess stated (the options that override it named)."""
        encoding = f"{label(self.encoding)}{' (guessed; --encoding overrides)' if self.encoding_guessed else ''}"
        delimiter = (f"{DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}-separated"
                     f"{' (guessed; --delimiter overrides)' if self.delimiter_guessed else ''}")
        return f"{self.path}: read as {encoding}, {delimiter}"

    def rows(self) -> Iterator[Row]:
        """Every row that is not blank, as a :class:`Row`; a row of the wrong shape has its ``problem``.

        ``Row.number`` counts records as a spreadsheet numbers its rows (the
        header is row 1); ``Row.line`` is the physical line where the row
        starts. After a problem that leaves the rest of the file unreadable
        (a quote that never closes) no row follows.
        """
        assert self._lines is not None and self._reader is not None
        lines, header, row = self._lines, self.header, 1
        width = len(header)
        while True:
            start = lines.number + 1
            lines.record_chars = 0
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except _Stop as stop:
                yield Row({}, row + 1, stop.line or start, problem=stop.message)
                return
            except csv.Error as err:
                row += 1
                yield Row({}, row, start, problem=_csv_problem(str(err), start, lines.number))
                if "field larger" in str(err) or "end of data" in str(err):
                    return  # a quote that never closes: every later line is inside it
                continue
            row += 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != width:
                yield Row({}, row, start, problem=(
                    f"{len(cells)} cell{'s' * (len(cells) != 1)} where the header has {width} "
                    f"({'cells would be lost' if len(cells) > width else 'cells are missing'}"
                    "; is a delimiter or a quote inside a cell not quoted?)"))
                continue
            yield Row(dict(zip(header, cells)), row, start)

    def sheet(self) -> Sheet:
        """This table as the :class:`Sheet` every importer reads; closing it closes the file."""
        unusual = label(self.encoding) != "UTF-8" or self.delimiter != ","
        return Sheet(self.path, list(self.header), self.rows(), read_as=self.describe() if unusual else None,
                     header_line=self.header_line, close=lambda: close_table(self))


class _Lines:
    """The physical lines of a text stream, counted, each within the row limit."""

    def __init__(self, stream: io.TextIOBase, encoding: str) -> None:
        self.stream, self.encoding = stream, encoding
        self.number = 0
        self.record_chars = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = self.stream.readline(MAX_ROW_CHARS + 1)
        except UnicodeDecodeError as err:
            raise _Stop(self.number + 1, f"line {self.number + 1} or soon after: {err.reason} for "
                                         f"{label(self.encoding)}; give --encoding") from None
        if not line:
            raise StopIteration
        self.number += 1
        self.record_chars += len(line)
        if self.record_chars > MAX_ROW_CHARS:
            raise _Stop(None, f"a row longer than the limit of {MAX_ROW_CHARS:,} characters "
                                     "(a quote that never closes, or not a table?)")
        bad = _ESCAPED.search(line)
        if bad:
            raw = line.encode("utf-8", "surrogateescape")
            guess = likely_encoding(raw)
            hint = f"; it reads as {label(guess)}" if guess else ""
            raise _Stop(self.number, f"byte 0x{ord(bad.group()) - 0xDC00:02X} is not {label(self.encoding)} text "
                                     f"(a file of mixed encodings{hint}?); give --encoding")
        return line


def _csv_problem(message: str, start: int, end: int) -> str:
    if "end of data" in message:
        return f"a quote opened on this row never closes (the file ends {end - start + 1} lines later)"
    if "field larger" in message:
        return (f"a cell longer than the limit of {csv.field_size_limit():,} characters "
                "(a quote that never closes?)")
    if "expected after" in message:
        return "text after the closing quote of a cell (a quote inside a cell must be doubled: \"\")"
    return message


def open_table(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> Table:
    """Open ``path`` and read its header; close it with ``close_table``."""
    path = Path(path)
    if encoding is not None:
        encoding = check_encoding(encoding)
    if delimiter is not None:
        delimiter = _check_delimiter(delimiter)
    raw = open_input(path)
    try:
        info = os.fstat(raw.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise InputError(f"{path}: {info.st_size:,} bytes is past the limit of {MAX_FILE_BYTES:,} for a table; "
                             "split the file")
        sample = raw.read(SAMPLE_BYTES)
        whole = len(sample) < SAMPLE_BYTES
        if not sample.strip():
            raise InputError(f"{path}: the file is empty")
        guessed_encoding = encoding is None
        if encoding is None:
            encoding = detect_encoding(path, sample, whole)
        text_sample = _decode_sample(sample, encoding, whole)
        guessed_delimiter = delimiter is None
        if delimiter is None:
            delimiter = "\t" if path.suffix.casefold() == ".tsv" else sniff_delimiter(text_sample)
        raw.seek(0)
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
    except BaseException:
        raw.close()
        raise
    lines = _Lines(stream, encoding)
    table = Table(path, encoding, delimiter, guessed_encoding, guessed_delimiter)
    table._lines = lines
    table._reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    try:
        while True:
            start = lines.number + 1
            lines.record_chars = 0
            header = next(table._reader)
            if header and any(cell.strip() for cell in header):
                break
        if header[0].startswith("\ufeff"):  # a byte order mark the codec kept
            header[0] = header[0][1:]
    except StopIteration:
        close_table(table)
        raise InputError(f"{path}: the file is empty") from None
    except _Stop as stop:
        close_table(table)
        raise InputError(f"{path}:{stop.line or start}: the header row: {stop.message}") from None
    except csv.Error as err:
        close_table(table)
        raise InputError(f"{path}:{start}: the header row: {_csv_problem(str(err), start, lines.number)}") from None
    # A column without a name is named by its place, so its cells are mapped or reported like any other.
    table.header = [name.strip() or f"column {index + 1}" for index, name in enumerate(header)]
    table.header_line = start
    seen: dict[str, int] = {}
    for index, name in enumerate(table.header):
        if name and name.casefold() in seen:  # one of the two would be lost
            close_table(table)
            raise InputError(f"{path}:{start}: the header names the column {clip(name)} twice "
                             f"(columns {seen[name.casefold()] + 1} and {index + 1}); rename one")
        seen[name.casefold()] = index
    return table


def close_table(table: Table) -> None:
    if table._lines is not None:
        table._lines.stream.close()


def _decode_sample(sample: bytes, encoding: str, whole: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(sample, final=whole)
    if not whole:  # the last line may be cut short
        cut = max(text.rfind("\n"), text.rfind("\r"))
        text = text[: cut + 1] if cut > 0 else text
    return text


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the sample's rows most consistently into the most cells."""
    best, best_score = ",", (False, -1.0, 0)
    for candidate in DELIMITERS:
        try:
            records = [r for _, r in zip(range(200), csv.reader(io.StringIO(text, newline=""), delimiter=candidate))
                       if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not records:
            continue
        width = len(records[0])
        consistent = sum(len(r) == width for r in records) / len(records)
        score = (width > 1, consistent, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _check_delimiter(value: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    delimiter = named.get(value.casefold(), value)
    if len(delimiter) != 1 or delimiter in ('"', "\r", "\n") or delimiter.isalnum():
        raise InputError(f"--delimiter {value!r}: give one character such as , ; | or 'tab'")
    return delimiter
