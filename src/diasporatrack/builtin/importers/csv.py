"""``csv``: spreadsheets saved as CSV or TSV, in any common encoding, with any common delimiter."""

from __future__ import annotations

from ...hookspecs import hookimpl


class CsvReader:
    name = "csv"
    description = "CSV and TSV files: encoding and delimiter guessed on a sample (--encoding, --delimiter)"
    extensions = (".csv", ".tsv")
    options = ("encoding", "delimiter")

    def read(self, path, options):
        from ...importer.table import open_table

        table = open_table(path, encoding=options.get("encoding"), delimiter=options.get("delimiter"))
        return table.sheet()


@hookimpl
def register_importers():
    return [CsvReader()]
