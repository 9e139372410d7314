"""``xlsx`` and ``docx``: a sheet of an Excel workbook, a table of a Word file (the optional extra ``office``).

Both readers live in :mod:`diasporatrack.importer.office`; this module
registers them, so the columns of a workbook or a Word table are mapped,
cleaned and checked as a CSV file's are, with or without a preset.
"""

from __future__ import annotations

from ...hookspecs import hookimpl


class XlsxReader:
    name = "xlsx"
    description = "Excel workbooks: one sheet, streamed (--sheet NAME or number; needs the extra office)"
    extensions = (".xlsx", ".xlsm")
    options = ("sheet",)

    def read(self, path, options):
        from ...importer.office import open_office_table

        return open_office_table(path, sheet=options.get("sheet")).sheet()


class DocxReader:
    name = "docx"
    description = "Word files: one table, read whole (--table N; needs the extra office)"
    extensions = (".docx",)
    options = ("table",)

    def read(self, path, options):
        from ...importer.office import open_office_table

        return open_office_table(path, table=options.get("table")).sheet()


@hookimpl
def register_importers():
    return [XlsxReader(), DocxReader()]
