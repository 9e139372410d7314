"""``markdown``: a status report grouped by source, for a wiki or an e-mail."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from ..hookspecs import hookimpl
from ..progress import measure_for
from ..model import Recommendation
from ..publish import profile_of
from ..report import bar, findings_to_publish, progress


def cell(value: object) -> str:
    """Text that stays inside one table cell and renders as plain text."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    for ch in "`*_[]":
        text = text.replace(ch, "\\" + ch)
    return " ".join(text.split())  # newlines would end the row


_BLOCK_START = re.compile(r"^(?:[#>+=~:-]|\d{1,9}[.)])")


def paragraph(value: object) -> str:
    """Like :func:`cell`, for a line of its own: nothing at its start may open a block.

    A ``publisher: "~~~"`` would open a code fence that swallows the rest of
    the report; ``#``, ``>``, ``-``, ``+``, ``=``, ``1.`` and ``1)`` would make
    a heading, a quote, a list or a rule. The mark is escaped, the text kept.
    """
    text = cell(value)
    found = _BLOCK_START.match(text)
    if found is None:
        return text
    mark = found.group()
    return (mark[:-1] + "\\" + mark[-1] if mark[-1] in ".)" else "\\" + mark) + text[len(mark):]


def shown_cell(shown, lang: str | None) -> str:
    """A text as :func:`cell` makes it; with ``--lang``, a fallback says the language it is in: ``[en]``."""
    if shown is None:
        return ""
    if lang is None or shown.lang == lang:
        return cell(shown.text)
    return cell(shown.text) + " " + cell(f"[{shown.lang or 'as written'}]")


class MarkdownExporter:
    name = "markdown"
    extension = "md"
    description = "Status report grouped by source, with progress"
    public = True  # a published artefact: Tracker.export hands it the public view

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> str:
        lifecycle = tracker.lifecycle
        measure = measure_for(tracker)  # a published view computes it from what it publishes
        findings = findings_to_publish(tracker, recommendations)
        today = dt.date.today().isoformat()
        from ..translations import Localizer

        loc = Localizer.for_tracker(tracker)
        lang = loc.lang
        lines = [
            f"# {cell(profile_of(tracker).title or 'Status of recommendations')}",
            "",
            f"{len(recommendations)} recommendation{'s' * (len(recommendations) != 1)}, as of {today}. "
            f"Overall progress: `{bar(progress(recommendations, lifecycle, measure))}`",
            "",
            *([f"Text in {cell(lang)} where it is translated; other text is shown as written, marked with its "
               "language.", ""] if lang else []),
            "| Status | Count |",
            "| --- | ---: |",
        ]
        for status in lifecycle:
            count = sum(1 for r in recommendations if r.status == status.name)
            if count:
                lines.append(f"| {cell(status.name)} | {count} |")
        by_source: dict[str, list[Recommendation]] = {}
        for rec in recommendations:
            by_source.setdefault(rec.source, []).append(rec)
        for item in findings:  # a source may state findings and make no recommendation
            by_source.setdefault(item.source, [])
        for source_id, recs in by_source.items():
            source = tracker.sources.get(source_id)
            title = shown_cell(loc.source(source), lang) if source else cell(source_id)
            lines += ["", f"## {title}", ""]
            if source is not None:
                meta = [source.publisher, source.date.isoformat() if source.date else None]
                lines += [paragraph(" · ".join(m for m in meta if m) or source_id), ""]
            if recs:
                lines += [f"Progress: `{bar(progress(recs, lifecycle, measure))}`", ""]
                lines += ["| ID | Status | Response | Owners | Due | Recommendation |",
                          "| --- | --- | --- | --- | --- | --- |"]
                for rec in recs:
                    lines.append(
                        f"| {cell(rec.id)} | {cell(rec.status)} | {cell(rec.response or '—')} "
                        f"| {cell(', '.join(rec.owners) or '—')} "
                        f"| {cell(rec.due.isoformat() if rec.due else '')} | {shown_cell(loc.rec(rec, 'title'), lang)} |"
                    )
            stated = [f for f in findings if f.source == source_id]
            if stated:
                lines += ([] if lines[-1] == "" else [""]) + ["Findings:", ""]
                for item in stated:
                    cited = f" (cited by {cell(', '.join(item.cited_by))})" if item.cited_by else ""
                    text = shown_cell(loc.finding(item.finding, source), lang)
                    lines.append(f"- {cell(item.finding.id)}: {text}{cited}")
        return "\n".join(lines) + "\n"


@hookimpl
def register_exporters():
    return [MarkdownExporter()]
