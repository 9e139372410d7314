"""Dates in spreadsheet cells: ISO, day-first or month-first, and which of the two a column uses.

``2015-06-25`` (a time after it is dropped) and ``25 June 2015`` read
alone. ``01/06/2015`` reads both ways: a column of such dates is read
day-first or month-first only when one of its values settles it
(``25/06/2015`` can only be day-first), and that is reported; a column
where none does is an error asking for ``--date-format``, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from ..errors import InputError
from .checks import clip

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z ]*(?:UTC)?)?")
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[T ][0-9:.]*)?")
_WORDS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B, %Y")
DAY_FIRST, MONTH_FIRST = "day-first", "month-first"
FORMATS = {DAY_FIRST: "%d/%m/%Y", MONTH_FIRST: "%m/%d/%Y"}


def check_format(fmt: str) -> str:
    """A ``--date-format`` that has a day, a month and a year, or a one-line error."""
    if not all(code in fmt for code in ("%d", "%Y")) or not ("%m" in fmt or "%b" in fmt or "%B" in fmt):
        raise InputError(f"--date-format {fmt!r}: give a strftime format with a day, a month and a year, "
                         "such as %d/%m/%Y or %m/%d/%Y")
    return fmt


def order_of(text: str) -> str | None:
    """``day-first`` or ``month-first`` if this one value settles it, else None."""
    found = _NUMERIC.fullmatch(text.strip())
    if not found:
        return None
    first, second = int(found.group(1)), int(found.group(2))
    if first > 12 and second <= 12:
        return DAY_FIRST
    if second > 12 and first <= 12:
        return MONTH_FIRST
    return None


def ambiguous(text: str) -> bool:
    """Whether ``text`` is a numeric date that reads both day-first and month-first."""
    found = _NUMERIC.fullmatch(text.strip())
    return bool(found) and int(found.group(1)) <= 12 and int(found.group(2)) <= 12 and \
        found.group(1) != found.group(2)


def settle(column: str, values: Iterable[tuple[str, str]]) -> tuple[str | None, str | None]:
    """The order of a column's numeric dates and the value (with its place) that settles it.

    ``values`` are ``(text, where)`` pairs. Returns ``(order, evidence)``;
    ``(None, None)`` when no value is ambiguous. Raises :class:`InputError`
    when the column mixes both orders, or when every numeric date in it is
    ambiguous.
    """
    order = evidence = None
    first_ambiguous = None
    for text, where in values:
        this = order_of(text)
        if this is not None:
            if order is None:
                order, evidence = this, f"{text.strip()} ({where})"
            elif this != order:
                raise InputError(f"column {clip(column)} has day-first and month-first dates: {evidence} and "
                                 f"{text.strip()} ({where}); give --date-format")
        elif first_ambiguous is None and ambiguous(text):
            first_ambiguous = f"{text.strip()} ({where})"
    if order is None and first_ambiguous is not None:
        raise InputError(f"column {clip(column)}: every date reads both day-first and month-first "
                         f"(such as {first_ambiguous}); give --date-format '%d/%m/%Y' or '%m/%d/%Y'")
    return (order, evidence) if first_ambiguous is not None or order is not None else (None, None)


def parse_date(text: str, fmt: str | None = None) -> dt.date:
    """A cell's date; ``fmt`` is ``--date-format`` or the settled order's format. ValueError if it is none."""
    text = " ".join(text.split())
    if fmt is not None and fmt not in FORMATS.values():
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            raise ValueError(f"it does not match --date-format {fmt}") from None
    iso = _ISO.fullmatch(text)
    if iso:
        return _day(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    numeric = _NUMERIC.fullmatch(text)
    if numeric:
        first, second, year = int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3))
        order = {v: k for k, v in FORMATS.items()}.get(fmt or "") or order_of(text)
        if order is None and first == second:
            order = DAY_FIRST  # 05/05/2015 reads the same both ways
        if order is None:
            raise ValueError("it reads both day-first and month-first; give --date-format")
        day, month = (first, second) if order == DAY_FIRST else (second, first)
        return _day(year, month, day)
    for words in _WORDS:
        try:
            return dt.datetime.strptime(text, words).date()
        except ValueError:
            continue
    raise ValueError("write YYYY-MM-DD, 25 June 2015, or give --date-format")


def _day(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as err:  # 2026-02-30: "day is out of range for month"
        raise ValueError(str(err)) from None


def is_date_target(target: str) -> bool:
    """``due`` and every ``extra`` key ending in ``date`` hold dates."""
    return target == "due" or (target.startswith("extra.") and target.endswith("date"))


def settle_columns(open_sheet, targets, say) -> dict[str, str]:
    """Read the date columns once to tell day-first from month-first; reported per column.

    Called on the first numeric date (``01/06/2015``), never for a file of
    ISO dates: a second reading of a large file only when it is needed.
    """
    wanted = {column: target for target, cols in targets.items() if is_date_target(target) for column in cols}
    orders: dict[str, str] = {}
    with open_sheet() as sheet:
        found: dict[str, list[tuple[str, str]]] = {column: [] for column in wanted}
        settled: dict[str, tuple[str | None, str | None]] = {}
        for row in sheet:
            if row.problem:
                continue
            for column in wanted:
                value = row.cells.get(column, "")
                if value.strip() and (order_of(value) or ambiguous(value)):
                    found[column].append((value, row.label))
        for column, values in found.items():
            try:
                settled[column] = settle(column, values)
            except InputError as err:
                raise InputError(f"{sheet.path}: {err}") from None
            order, evidence = settled[column]
            if order is not None:
                orders[column] = FORMATS[order]
                say(f"{sheet.path}: column {column!r}: dates read {order} ({evidence} settles it; "
                    "--date-format overrides)")
    return orders
