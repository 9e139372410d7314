"""``csv``: one row per recommendation, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from ..hookspecs import hookimpl
from ..model import Recommendation
from ..serialize import recommendation_to_dict, safe_cell

COLUMNS = (
    "id", "title", "text", "source", "quote", "author", "addressed_to", "owners", "themes",
    "status", "response", "due", "review_every", "impact", "links", "updated",
    "reference", "sdgs", "affected_persons", "author_group", "action_category", "cycle", "session", "extra",
    "progress", "parent", "weight", "cites",
)


def to_csv(rows: Sequence[dict], columns: Sequence[str] = COLUMNS) -> str:
    """CSV text; lists are joined with ``; ``, ``extra`` is a JSON object, and no cell can start a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(_cell(row.get(c))) for c in columns])
    return out.getvalue()


def _cell(value):
    if isinstance(value, dict):  # extra: one cell that reads back exactly
        return json.dumps(value, ensure_ascii=False) if value else None
    return value


class CsvExporter:
    name = "csv"
    extension = "csv"
    description = "One row per recommendation; formulas neutralised for spreadsheets"

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> str:
        return to_csv([recommendation_to_dict(r) for r in recommendations])


@hookimpl
def register_exporters():
    return [CsvExporter()]
