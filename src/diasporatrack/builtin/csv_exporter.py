"""``csv``: one row per recommendation, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..hookspecs import hookimpl
from ..model import Recommendation
from ..serialize import recommendation_to_dict, safe_cell

COLUMNS = (
    "id", "title", "text", "source", "quote", "author", "addressed_to", "owners", "themes",
    "status", "response", "due", "review_every", "impact", "links", "updated",
)


def to_csv(rows: Sequence[dict], columns: Sequence[str] = COLUMNS) -> str:
    """CSV text; lists are joined with ``; `` and no cell can start a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return out.getvalue()


class CsvExporter:
    name = "csv"
    extension = "csv"
    description = "One row per recommendation; formulas neutralised for spreadsheets"

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> str:
        return to_csv([recommendation_to_dict(r) for r in recommendations])


@hookimpl
def register_exporters():
    return [CsvExporter()]
