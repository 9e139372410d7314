"""Plain text tables, as the command line prints them.

The layout is tabulate's ``simple`` format with every cell taken as text
(``disable_numparse``): a header line, a line of dashes, then one line per
row, columns two spaces apart, each at least two wider than its header,
cells stripped of surrounding blanks and lines of trailing blanks. Drawing
one costs a fraction of importing tabulate, which start-up pays for every
command that prints a table; tabulate still draws the rare table this
module would not lay out the same way (a cell with a line break or a
terminal escape; when ``wcwidth`` is installed, any character it might not
measure as one column).
"""

from __future__ import annotations

from collections.abc import Sequence

TYPE_CHECKING = False  # typing itself is not imported: it costs start-up
if TYPE_CHECKING:
    from typing import Any

# Characters after which tabulate starts a new line of a cell, or whose width it measures differently.
_SPECIAL = frozenset("\r\n\x0b\x0c\x1b\x1c\x1d\x1e\x85\u2028\u2029")
_wide_aware: bool | None = None
# Characters every wcwidth release measures as one column: printable ASCII,
# Latin-1 and Latin Extended-A/B (not the soft hyphen, which some count as
# none) and General Punctuation's dashes, quotes and marks.
_ONE_COLUMN = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x250) if c != 0xAD]
    + [chr(c) for c in range(0x2010, 0x2028)]
    + [chr(c) for c in range(0x2030, 0x205F)]
)
_NUMBER_STARTS = frozenset("0123456789+-.iInN,")  # how a float(), an "inf" or a "nan" can begin


def simple_table(rows: Sequence[Sequence[Any]], headers: Sequence[str], *, numparse: bool = False) -> str:
    """``rows`` under ``headers``; None shows as an empty cell, anything else as ``str(value)``.

    With ``numparse``, as tabulate's default (numbers right-aligned on the
    decimal point): the lean layout is used only when no cell could be taken
    for a number or a boolean, which is then the same layout.
    """
    cells = [["" if value is None else str(value) for value in row] for row in rows]
    if not _plain(cells, headers) or (numparse and any(_maybe_number(row) for row in rows)):
        from tabulate import tabulate

        return tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=not numparse)
    cells = [[text.strip() for text in row] for row in cells]
    widths = [len(h) + 2 for h in headers]
    for row in cells:
        for i, text in enumerate(row):
            if len(text) > widths[i]:
                widths[i] = len(text)
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines.extend("  ".join(text.ljust(w) for text, w in zip(row, widths)).rstrip() for row in cells)
    return "\n".join(lines)


def _plain(cells: list[list[str]], headers: Sequence[str]) -> bool:
    """Whether this module lays the table out exactly as tabulate would."""
    if any(len(row) != len(headers) for row in cells):
        return False
    if any(h != h.strip() or not h.isprintable() for h in headers):
        return False
    joined = "".join(map("".join, cells))
    if any(ch in joined for ch in _SPECIAL):
        return False
    if joined.isascii() and joined.isprintable():
        return True
    if not _counts_wide_characters():
        return True  # tabulate then counts characters, as this module does
    return _ONE_COLUMN.issuperset(joined)


def _maybe_number(row: Sequence[Any]) -> bool:
    """Whether tabulate might type a cell of this row as a number or a boolean (more often than it does)."""
    for value in row:
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            if not hasattr(value, "isoformat"):  # dates are text to tabulate; numbers and booleans are not
                return True
            continue
        if value in ("True", "False"):
            return True
        if value.lstrip()[:1] not in _NUMBER_STARTS:
            continue  # no number begins so: most text is told apart without a failed conversion
        if "," in value and value.lstrip("+-").replace(",", "").replace(".", "", 1).isdigit():
            return True  # "1,000.5": a number with thousands separators
        try:
            float(value)
        except (ValueError, TypeError, OverflowError):
            continue
        return True
    return False


def _counts_wide_characters() -> bool:
    """Whether tabulate measures text with wcwidth (it does when wcwidth is installed), not by its length."""
    global _wide_aware
    if _wide_aware is None:
        import importlib.util

        _wide_aware = importlib.util.find_spec("wcwidth") is not None
    return _wide_aware
