"""``html``: a self-contained dashboard file.

A status and a response breakdown (counts and stacked bars, with each
status's published definition), progress per source, owner and theme, and a
sortable, filterable table whose rows open on the recommendation's text,
verbatim quote with its citation, and public history. One file that loads
nothing from the network: the styles and the script are inline, and a
Content-Security-Policy allows only that one script (by its hash), so even
text that slipped past escaping could not run. Every piece of workspace text
is escaped; only ``http(s)`` addresses become links. Below a phone's width
the tables turn into cards, so nothing scrolls sideways.

It is a published artefact: it gets the public view of the tracker unless
exported with ``--private`` (see :mod:`diasporatrack.publish`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from importlib import resources

import attrs

from ..hookspecs import hookimpl
from ..progress import measure_for
from ..model import Event, Recommendation, Source
from ..publish import profile_of
from ..translations import PROGRAM_LANGUAGE, Localizer, Shown, lang_attributes
from ..report import (
    GroupProgress,
    by_owner_rolled_up,
    by_sdg,
    by_source,
    by_theme,
    findings_to_publish,
    group_progress,
    progress,
)

DEFAULT_TITLE = "Recommendations dashboard"
# The dashboard's own words are English; each text in another language is marked with its own lang and dir.
PAGE_LANGUAGE = PROGRAM_LANGUAGE
NO_RESPONSE = "none recorded"
# Distinct, readable on white, in lifecycle order; text labels say the same, so colour is never the only cue.
PALETTE = ("#8c96a3", "#3b7dd8", "#e0a526", "#2e9e5b", "#7fc08f", "#c2571a", "#b3261e", "#6b4fa0", "#1f6f78",
           "#a1487e")
COLUMNS = (
    ("id", "ID"), ("title", "Recommendation"), ("status", "Status"), ("response", "Response"), ("owners", "Owners"),
    ("due", "Due"), ("source", "Source"), ("addressed_to", "Addressed to"), ("themes", "Themes"),
)


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


def natural_key(text: str) -> str:
    """A sort key in which "session 2" comes before "session 10"."""
    return re.sub(r"\d+", lambda m: m.group().zfill(12), text.casefold())


def _link(url: str | None, label: str | None = None) -> str:
    """A link for an http(s) address; anything else (javascript:, data:) stays text."""
    if not url:
        return ""
    if re.match(r"^https?://", url, re.IGNORECASE):
        return f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(label or url)}</a>'
    return escape(label or url)


def _stack(counts: Iterable[tuple[str, int, str]], total: int, big: bool = False) -> str:
    """A stacked bar of (label, count, colour); its text alternative lists every part."""
    parts = [(label, n, colour) for label, n, colour in counts if n]
    spans = "".join(f'<span style="width:{100 * n / total:.3f}%;background:{colour}" title="{escape(label)}: {n}">'
                    "</span>" for label, n, colour in parts) if total else ""
    said = ", ".join(f"{label} {n}" for label, n, _ in parts) or "none"
    return f'<div class="stack{" big" if big else ""}" role="img" aria-label="{escape(said)}">{spans}</div>'


def _breakdown(title: str, rows: list[tuple[str, str, int, str]], total: int) -> str:
    """A section: the stacked bar, then a table of name, definition, count and share."""
    body = "".join(
        f'<tr><td data-label="{escape(title)}"><span class="swatch" style="background:{colour}"></span>'
        f"{escape(name)}</td><td data-label=\"Meaning\">{escape(definition)}</td>"
        f'<td class="num" data-label="Count">{n}</td>'
        f'<td class="num" data-label="Share">{(n / total if total else 0):.0%}</td></tr>'
        for name, definition, n, colour in rows)
    bar = _stack(((name, n, colour) for name, _, n, colour in rows), total, big=True)
    return (f'<section aria-labelledby="h-{title.lower()}"><h2 id="h-{title.lower()}">{escape(title)}</h2>{bar}'
            f'<table class="cards"><thead><tr><th scope="col">{escape(title)}</th><th scope="col">Meaning</th>'
            f'<th scope="col">Count</th><th scope="col">Share</th></tr></thead><tbody>{body}</tbody></table></section>')


def _groups(title: str, groups: Iterable[GroupProgress], names: dict[str, str], colours: dict[str, str]) -> str:
    ordered = sorted(groups, key=lambda g: natural_key(names.get(g.group, g.group)))
    rows = "".join(
        f'<tr><td data-label="{escape(title[3:].capitalize())}">{escape(names.get(g.group, g.group))}</td>'
        f'<td class="num" data-label="Count">{g.count}</td>'
        f'<td data-label="Progress">{g.progress:.0%} '
        f"{_stack(((s, n, colours.get(s, '#555')) for s, n in _in_order(g.by_status, colours)), g.count)}</td></tr>"
        for g in ordered
    )
    return (f"<section><h2>{escape(title)}</h2><table class=\"cards\"><thead><tr><th scope=\"col\">Name</th>"
            f'<th scope="col">Count</th><th scope="col">Progress and statuses</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></section>")


def _in_order(counts: dict[str, int], colours: dict[str, str]) -> list[tuple[str, int]]:
    known = [(s, counts[s]) for s in colours if s in counts]
    return known + sorted((s, n) for s, n in counts.items() if s not in colours)


def citation(source: Source | None, source_id: str, loc: Localizer | None = None) -> str:
    """"Title", publisher, date: the source a quote comes from, linked when it has a web address."""
    if source is None:
        return escape(source_id)
    meta = ", ".join(escape(m) for m in (source.publisher, source.date.isoformat() if source.date else None) if m)
    shown = (loc or Localizer(None)).source(source)
    title = _link(source.url, shown.text) if source.url else escape(shown.text)
    return f"<cite{lang_attributes(shown, PAGE_LANGUAGE)}>{title}</cite>" + (f", {meta}" if meta else "")


def _event_line(event: Event) -> str:
    what = attrs.evolve(event, note=None, for_owner=None).describe()  # the note and who are shown apart
    parts = [f"<time datetime=\"{event.at.date().isoformat()}\">{event.at.date().isoformat()}</time>",
             escape(what or event.kind), f"({escape(event.by)})"]
    if event.note:
        parts.append(f"— {escape(event.note)}")
    return "<li>" + " ".join(p for p in parts if p) + "</li>"


def _text(shown: Shown | None, tag: str) -> str:
    """``shown`` in an element marked with its own language when the page's is not it."""
    return f"<{tag}{lang_attributes(shown, PAGE_LANGUAGE)}>{escape(shown.text)}</{tag}>" if shown else ""


def _detail(rec: Recommendation, source: Source | None, loc: Localizer) -> str:
    parts = []
    if rec.text:
        parts.append(_text(loc.rec(rec, "text"), "p"))
    if rec.quote:  # the source's own words always; a translation of them only beside them, labelled
        said = f"{escape(rec.author)}, in " if rec.author else ""
        parts.append(f"<blockquote>{_text(loc.rec(rec, 'quote'), 'p')}</blockquote>"
                     f"<p>— {said}{citation(source, rec.source, loc)}</p>")
        translated = loc.quote_translation(rec)
        if translated is not None:
            parts.append(f'<p class="translation">Translation of the quote ({escape(translated.lang or "")}), '
                         f"not the source's words: {_text(translated, 'span')}</p>")
    else:
        parts.append(f"<p>Source: {citation(source, rec.source, loc)}</p>")
    if rec.links:
        parts.append("<p>Links: " + ", ".join(_link(u) for u in rec.links) + "</p>")
    if rec.history:
        lines = "".join(_event_line(e) for e in rec.history)
        parts.append(f'<ol class="history" aria-label="History">{lines}</ol>')
    return (f"<details>{_text(loc.rec(rec, 'title'), 'summary')}{''.join(parts)}</details>")


def render(tracker, recommendations: Sequence[Recommendation], today: dt.date | None = None) -> str:
    lifecycle = tracker.lifecycle
    profile = profile_of(tracker)
    title = profile.title or DEFAULT_TITLE
    order = {name: i for i, name in enumerate(lifecycle.names)}
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(lifecycle.names)}
    script = _asset("dashboard.js")
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; base-uri 'none'; " \
             "form-action 'none'"
    loc = Localizer.for_tracker(tracker)  # the language asked for (export --lang), else the text as written
    shown_sources = {s.id: loc.source(s) for s in tracker.sources.values()}
    source_names = {s_id: shown.text for s_id, shown in shown_sources.items()}
    owner_names = {o.id: o.name for o in tracker.owners.values()}
    labels = dict(COLUMNS)
    rows = []
    for rec in recommendations:
        source_title = source_names.get(rec.source, rec.source)
        rec_title = loc.rec(rec, "title")
        cells = [
            f'<td data-label="ID">{escape(rec.id)}</td>',
            f'<td data-sort="{escape(natural_key(rec_title.text))}">'
            f"{_detail(rec, tracker.sources.get(rec.source), loc)}</td>",
            f'<td class="status" data-label="{labels["status"]}" data-sort="{order.get(rec.status, 99):02d}">'
            f"{escape(rec.status)}</td>",
            f'<td data-label="{labels["response"]}">{escape(rec.response or "")}</td>',
            f'<td data-label="{labels["owners"]}">'
            f"{escape(', '.join(owner_names.get(o, o) for o in rec.owners) or '—')}</td>",
            f'<td data-label="{labels["due"]}" data-sort="{rec.due.isoformat() if rec.due else ""}">'
            f"{escape(rec.due.isoformat() if rec.due else '')}</td>",
            f'<td data-label="{labels["source"]}" data-sort="{escape(natural_key(source_title))}">'
            f"{_text(shown_sources.get(rec.source), 'span') or escape(source_title)}</td>",
            f'<td data-label="{labels["addressed_to"]}">{escape(", ".join(rec.addressed_to))}</td>',
            f'<td data-label="{labels["themes"]}">{escape(", ".join(rec.themes))}</td>',
        ]
        rows.append(f'<tr id="rec-{escape(rec.id)}">{"".join(cells)}</tr>')
    heads = "".join(f'<th scope="col" aria-sort="none"><button type="button" data-key="{key}">{label}</button></th>'
                    for key, label in COLUMNS)
    sort_options = "".join(f'<option value="{key}">{label}</option>' for key, label in COLUMNS)
    total = len(recommendations)
    measure = measure_for(tracker)  # progress set by hand and clusters count, as in `stats`
    overall = progress(recommendations, lifecycle, measure)
    findings = _findings(findings_to_publish(tracker, recommendations), source_names, loc, tracker.sources)
    statuses = Counter(r.status for r in recommendations)
    status_rows = [(s.name, s.definition, statuses.get(s.name, 0), colours[s.name]) for s in lifecycle]
    status_rows += [(name, "not a status of this lifecycle", n, "#555") for name, n in sorted(statuses.items())
                    if name not in lifecycle]
    responses = Counter(r.response or NO_RESPONSE for r in recommendations)
    response_rows = [(r.name, r.definition, responses.get(r.name, 0), PALETTE[(i + 1) % len(PALETTE)])
                     for i, r in enumerate(tracker.responses)]
    response_rows += [(name, "" if name == NO_RESPONSE else "not in the vocabulary of responses", n, "#d5dbe1")
                      for name, n in sorted(responses.items()) if name not in tracker.responses]
    day = (today or dt.date.today()).isoformat()
    n_sources = len({r.source for r in recommendations})
    intro = f"<p>{escape(profile.description)}</p>" if profile.description else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{escape(title)}</title>
<style>{_asset("dashboard.css")}</style>
</head>
<body>
<header>
<h1>{escape(title)}</h1>
{intro}<p class="meta">{plural(total, "recommendation")} from {plural(n_sources, "source")}, as of {day}.
Overall progress: {overall:.0%}.</p>
</header>
<main>
<div class="groups">
{_breakdown("Status", status_rows, total)}
{_breakdown("Response", response_rows, total)}
</div>
<div class="groups">
{_groups("By source", group_progress(recommendations, lifecycle, by_source, measure), source_names, colours)}
{_groups("By owner", group_progress(recommendations, lifecycle, by_owner_rolled_up(tracker.owners), measure),
         owner_names, colours)}
{_groups("By theme", group_progress(recommendations, lifecycle, by_theme, measure, labels=True), {}, colours)}
{_groups("By SDG", group_progress(recommendations, lifecycle, by_sdg, measure), {}, colours)}
</div>
<section aria-labelledby="h-recs">
<h2 id="h-recs">Recommendations</h2>
<p><label for="filter">Filter:</label> <input id="filter" type="search"
placeholder="every word, in any column" aria-describedby="filter-help">
<span class="meta"><span id="shown">{total}</span> shown</span>
<label class="sorter">Sort by <select id="sort">{sort_options}</select></label></p>
<p id="filter-help" class="meta">Each word must begin a word of the row, in any column (capitals and accents
do not matter). Open a recommendation for its text, quote, source and history.</p>
<table id="recommendations" class="cards">
<thead><tr>{heads}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</section>
{findings}
</main>
<script>{script}</script>
</body>
</html>
"""



def _findings(found, source_names: dict[str, str], loc: Localizer, sources) -> str:
    """The findings of the sources, with links to the recommendations that cite them."""
    if not found:
        return ""
    rows = "".join(
        f"<tr><td>{escape(item.finding.id)}</td><td>{escape(source_names.get(item.source, item.source))}</td>"
        f"{_text(loc.finding(item.finding, sources.get(item.source)), 'td')}<td>"
        + ", ".join(f'<a href="#rec-{escape(r)}">{escape(r)}</a>' for r in item.cited_by)
        + "</td></tr>"
        for item in found
    )
    return ('<section aria-labelledby="h-findings"><h2 id="h-findings">Findings</h2><table id="findings">'
            '<thead><tr><th scope="col">ID</th><th scope="col">Source</th><th scope="col">Finding</th>'
            f'<th scope="col">Cited by</th></tr></thead><tbody>{rows}</tbody></table></section>')


class HtmlExporter:
    name = "html"
    extension = "html"
    description = "Self-contained dashboard: status breakdown, progress bars and a filterable table"
    public = True  # a published artefact: Tracker.export hands it the public view

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> str:
        return render(tracker, recommendations)


@hookimpl
def register_exporters():
    return [HtmlExporter()]
