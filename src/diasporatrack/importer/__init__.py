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

One module per job: ``table`` reads CSV/TSV files (``encodings`` guesses
their encoding), ``spreadsheet``, ``markdown`` and ``jsonexport`` turn each
kind of input into a plan, ``plan`` writes it, ``checks`` holds what they
share.
"""

from __future__ import annotations

from .jsonexport import plan_json
from .markdown import plan_markdown
from .plan import Draft, ImportPlan
from .spreadsheet import plan_csv

__all__ = ["Draft", "ImportPlan", "plan_csv", "plan_json", "plan_markdown"]
