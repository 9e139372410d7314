"""``csv``: one row per recommendation, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from ..hookspecs import hookimpl
from ..model import Recommendation
from ..serialize import recommendation_to_dict, safe_cell

COLUMNS = (
    "id", "title", "text", "source", "quote", "author", "addressed_to", "owners", "themes",
    "status", "response", "due", "review_every", "impact", "links", "updated",
    "reference", "sdgs", "affected_persons", "author_group", "action_category", "cycle", "session", "extra",
    "progress", "parent", "weight", "cites", "progress_from", "translations",
)


def to_csv(rows: Iterable[dict], columns: Sequence[str] = COLUMNS, *, header: bool = True) -> str:
    """CSV text; lists are joined with ``; ``, ``extra`` is a JSON object, and no cell can start a formula.

    ``header=False`` gives the rows alone, to continue a file written in pieces.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(_cell(row.get(c))) for c in columns])
    return out.getvalue()


def localized_columns(loc, rows: Sequence[dict], recs: Sequence[Recommendation]) -> tuple[str, ...]:
    """With ``--lang``: the title and text as shown, and the language of each, added to ``rows``."""
    for row, rec in zip(rows, recs):
        for field in ("title", "text"):
            shown = loc.rec(rec, field)
            row[f"{field}_shown"], row[f"{field}_lang"] = (shown.text, shown.lang) if shown else (None, None)
    return ("title_shown", "title_lang", "text_shown", "text_lang")


def _cell(value):
    if isinstance(value, dict):  # extra, translations: one cell that reads back exactly
        return json.dumps(value, ensure_ascii=False) if value else None
    return value


class CsvExporter:
    name = "csv"
    extension = "csv"
    description = "One row per recommendation; formulas neutralised for spreadsheets"

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> str:
        rows = [recommendation_to_dict(r) for r in recommendations]
        if getattr(tracker, "language", None) is None:
            return to_csv(rows)
        from ..translations import Localizer

        return to_csv(rows, COLUMNS + localized_columns(Localizer.for_tracker(tracker), rows, recommendations))


@hookimpl
def register_exporters():
    return [CsvExporter()]
