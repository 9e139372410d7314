"""Turning spreadsheets, Markdown lists and exports into new source files.

An import is planned, then written. Planning reads the input and checks
every row (``plan_csv``, ``plan_markdown``, ``plan_json``); if anything is
wrong it raises one :class:`~diasporatrack.errors.WorkspaceError` listing
every problem by line and row, and nothing is written. A plan's
:meth:`~ImportPlan.write` then puts every file in place, all or nothing: one
new YAML file per source (never over an existing file), the owners it had
to create appended to ``owners.yaml`` (every line already there kept), and,
from a JSON export, the history of the recommendations it creates appended
to the journal. Reading the JSON or CSV that ``export`` wrote gives back the
same recommendations, sources and owners.

Which importer reads a file is a plugin's business (the hook
``register_importers``): a *table reader* turns a file into a
:class:`Sheet` of :class:`Row` values, and the same steps then map its
columns onto fields, whatever the layout, with a *preset*'s columns and
values when one is named; a *document importer* (Markdown, a JSON export)
makes its plan itself.

One module per job: ``spreadsheet`` chooses the importer, ``table`` reads
CSV/TSV files (``encodings`` guesses their encoding), ``rows`` holds what a
reader returns, ``sheetplan`` maps a sheet's rows (with ``columns``,
``values``, ``dates`` and ``cleanup``), ``office`` reads the sheets of Excel workbooks and the tables of Word
files, ``ohchr`` takes OHCHR's thematic list apart, ``markdown`` and ``jsonexport`` plan
their inputs, ``plan`` writes a plan, ``checks`` holds what they share.
"""

from __future__ import annotations

from .jsonexport import plan_json
from .markdown import plan_markdown
from .plan import Draft, ImportPlan
from .rows import Row, Sheet
from .sheetplan import ImportOptions, plan_sheet
from .spreadsheet import plan_csv, plan_file, presets

__all__ = ["Draft", "ImportOptions", "ImportPlan", "Row", "Sheet", "plan_csv", "plan_file", "plan_json",
           "plan_markdown", "plan_sheet", "presets"]
