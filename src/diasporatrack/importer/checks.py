"""What every importer shares: the fields, located problems, and checks of single values."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError, Problem, WorkspaceError
from ..model import ID_PATTERN, IMPACTS, date_in_range

LIST_FIELDS = ("addressed_to", "owners", "themes", "links", "author", "sdgs", "affected_persons", "cites")
FREE_TEXT = ("title", "text", "quote", "reference")
FIELDS = ("id", "title", "text", "quote", "author", "addressed_to", "owners", "themes", "status", "response",
          "due", "review_every", "impact", "links", "reference", "sdgs", "affected_persons", "author_group",
          "action_category", "cycle", "session", "extra", "progress", "parent", "weight", "cites", "progress_from",
          "translations")
# Checked by the rules of a YAML file (diasporatrack.fieldcheck); a spreadsheet's text is read first.
CHECKED = ("sdgs", "action_category", "extra", "progress", "weight", "parent", "cites", "progress_from",
           "translations")

# Past this many, the problems of one file are counted rather than listed: a
# million bad rows would otherwise print a million lines (and hold them).
MAX_PROBLEMS = 1000


class Rows:
    """Collects the located problems of one input file; ``done`` raises them all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.more = 0

    def bad(self, line: int | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(message=message, path=self.path, line=line))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.problems)

    def done(self) -> None:
        if self.problems:
            problems = list(self.problems)
            if self.more:
                problems.append(Problem(message=f"... and {self.more:,} more problems (the first "
                                                f"{MAX_PROBLEMS:,} are listed)", path=self.path))
            raise WorkspaceError(problems)


def open_input(path: Path) -> BinaryIO:
    """Open an input file for reading, refusing anything but a regular file (a FIFO would block)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"{path}: not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


_CHECKED_BY_CHECK_FIELD = {"id", "due", "review_every", "impact", "status", "response"}


def check_texts(rows: Rows, line: int | None, where: str, rec: dict[str, Any]) -> None:
    """Check text and list values by the rules the workspace reader applies, so what is written reads back."""
    from ..workspace import RECOMMENDATION_SPEC

    for field, value in rec.items():
        if value in (None, "", []) or field in _CHECKED_BY_CHECK_FIELD or field not in RECOMMENDATION_SPEC:
            continue
        try:
            RECOMMENDATION_SPEC[field](value)
        except ValueError as err:
            rows.bad(line, f"{where}: {field}: {err}")


def check_field(rows: Rows, line: int | None, field: str, value: Any, tracker, where: str) -> Any:
    """The value of ``field`` read from text, or a problem recorded for ``where``."""
    if field in CHECKED:
        return check_classified(rows, line, field, value, where)
    if field == "id" and not re.fullmatch(ID_PATTERN, value):
        rows.bad(line, f"{where}: id {clip(value)} is not a valid id (letters, digits and . _ : - only)")
    elif field == "due":
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            rows.bad(line, f"{where}: due {clip(value)} is not a date (YYYY-MM-DD)")
        else:
            if date_in_range(day) is None:
                return day
            rows.bad(line, f"{where}: due: {date_in_range(day)}")  # the range the YAML files accept
    elif field == "review_every":
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 36500:
            rows.bad(line, f"{where}: review_every {clip(value)} is not a whole number of days (1 to 36500)")
        else:
            return int(value)
    elif field == "impact" and value not in IMPACTS:
        rows.bad(line, f"{where}: impact {clip(value)} is not one of {', '.join(IMPACTS)}")
    elif field == "status" and value not in tracker.lifecycle:
        rows.bad(line, f"{where}: unknown status {clip(value)}")
    elif field == "response" and value not in tracker.responses:
        rows.bad(line, f"{where}: unknown response {clip(value)}")
    return value


def _from_text(field: str, value: str) -> Any:
    """A spreadsheet cell's text as the value a YAML file would hold."""
    if field in ("extra", "translations"):  # one cell holding a JSON object, as the CSV export writes it
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            example = '{"ur": {"title": "..."}}' if field == "translations" else '{"session": 41}'
            raise ValueError(f"expected a JSON object such as {example}") from None
    if field in ("action_category", "progress", "weight"):
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{clip(value)} is not a number") from None
        return int(number) if number.is_integer() and "." not in value else number
    return value


def revive_dates(value: Any) -> Any:
    """Dates in ``extra`` travel as YYYY-MM-DD text in JSON and CSV; make them dates again."""
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if isinstance(item, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", item):
            try:
                item = dt.date.fromisoformat(item)
            except ValueError:
                pass
        out[key] = item
    return out


def check_classified(rows: Rows, line: int | None, field: str, value: Any, where: str) -> Any:
    """A classification, progress or cluster field checked as the workspace reader checks it."""
    from .. import fieldcheck
    from ..translations import translations_of
    from ..workspace import id_list, identifier

    convert = {"sdgs": fieldcheck.sdg_list, "action_category": fieldcheck.action_category,
               "extra": fieldcheck.extra, "progress": fieldcheck.percent, "weight": fieldcheck.positive_number,
               "parent": identifier, "cites": id_list, "progress_from": fieldcheck.progress_basis,
               "translations": translations_of("recommendation")}[field]
    try:
        if isinstance(value, str):
            value = _from_text(field, value)
        checked = convert(revive_dates(value) if field == "extra" else value)
    except ValueError as err:
        rows.bad(line, f"{where}: {field}: {err}")
        return None
    return list(checked) if isinstance(checked, tuple) else checked


def check_links(rows: Rows, tracker, recs: list[tuple[int | None, str, dict]], findings) -> None:
    """Parents and cited findings must exist in the workspace or among what is imported with them."""
    ids = {rec.get("id") for _, _, rec in recs}
    known = {f.id for source in tracker.sources.values() for f in source.findings} | set(findings)
    for line, where, rec in recs:
        parent = rec.get("parent")
        if parent and parent not in ids and parent not in tracker:
            rows.bad(line, f"{where}: unknown parent {clip(parent)} (not in the file nor the workspace)")
        for finding in rec.get("cites") or ():
            if finding not in known:
                rows.bad(line, f"{where}: cites unknown finding {clip(finding)} (not in the file nor the workspace)")


MAX_SOURCE_ID = 128  # the id names the file (ID.yaml); every id is at most 128 characters (model.ID_PATTERN)


def source_id_problem(tracker, source_id: str) -> str | None:
    """Why ``source_id`` cannot be the id of a new source file, or None."""
    if len(source_id.encode("utf-8")) > MAX_SOURCE_ID:
        return (f"source id {clip(source_id)} is too long to name a file (at most {MAX_SOURCE_ID} characters; "
                "choose a shorter --source)")
    if not re.fullmatch(ID_PATTERN, source_id):
        return f"source id {clip(source_id)} is not a valid id (letters, digits and . _ : - only)"
    if source_id in tracker.sources:
        return (f"source {source_id!r} is already in the workspace; choose another --source, or give --update "
                "to bring it up to date from this file")
    return None


def check_sources(tracker, source_ids) -> None:
    for source_id in source_ids:
        problem = source_id_problem(tracker, source_id)
        if problem:
            raise InputError(problem)


def clip(value: Any, limit: int = 60) -> str:
    """``repr`` of a value, at most about ``limit`` characters: messages never quote a whole bomb."""
    text = value if isinstance(value, str) else str(value)
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text):,} characters)"


def short(text: str, limit: int = 60) -> str:
    """``text`` as it is, or its first ``limit`` characters and an ellipsis: for labels in messages."""
    return text if len(text) <= limit else text[:limit] + "…"


def split_list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def slug(text: str) -> str:
    """An id-like word for ``text``: ``Côte d’Ivoire`` -> ``cote-d-ivoire`` (accents dropped, not the letters)."""
    plain = text.casefold()
    if not plain.isascii():
        import unicodedata

        plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    return _NOT_SLUG.sub("-", plain).strip("-") or "item"


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def title_from(text: str, limit: int = 80) -> str:
    """A title from a text: its first sentence, never a leading paragraph number, never cut mid-word."""
    from ..extraction import suggest_title

    return suggest_title(text, limit)


def unneutralise(cell: str) -> str:
    """Take off the mark the CSV exporter puts on text a spreadsheet would run as a formula."""
    if not cell.startswith("'"):  # the mark is a leading apostrophe: most cells have none
        return cell
    from ..serialize import unsafe_cell

    return unsafe_cell(cell)
