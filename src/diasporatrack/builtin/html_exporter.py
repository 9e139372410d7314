"""``html``: a self-contained dashboard file.

Progress bars per source, owner and theme and a sortable, filterable table,
in one file that loads nothing from the network: the styles and the script
are inline, and a Content-Security-Policy allows only that one script (by
its hash), so even text that slipped past escaping could not run. Every
piece of workspace text is escaped.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from html import escape
from importlib import resources

from ..hookspecs import hookimpl
from ..model import Recommendation
from ..report import GroupProgress, by_owner, by_source, by_theme, group_progress, progress

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:75rem;padding:0 1rem;color:#1d2430}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem}
.meta{color:#5a6472}.groups{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:1.5rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e2e6ea;
vertical-align:top}th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
progress{width:7rem;height:.8rem;vertical-align:middle}.groups td:last-child{white-space:nowrap}.status{white-space:nowrap}
input#filter{font:inherit;padding:.3rem .5rem;width:20rem;max-width:100%;margin:.5rem 0}
"""

COLUMNS = (
    ("id", "ID"), ("title", "Recommendation"), ("status", "Status"), ("response", "Response"), ("owners", "Owners"),
    ("due", "Due"), ("source", "Source"), ("addressed_to", "Addressed to"), ("themes", "Themes"),
)


def _script() -> str:
    return resources.files(__package__).joinpath("dashboard.js").read_text(encoding="utf-8")


def _bars(title: str, groups: Iterable[GroupProgress], names: dict[str, str]) -> str:
    rows = "".join(
        f"<tr><td>{escape(names.get(g.group, g.group))}</td><td>{g.count}</td>"
        f'<td><progress max="100" value="{g.progress * 100:.0f}"></progress> {g.progress:.0%}</td></tr>'
        for g in groups
    )
    return (f"<section><h2>{escape(title)}</h2><table><thead><tr><th>Name</th><th>Count</th><th>Progress</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></section>")


def render(tracker, recommendations: Sequence[Recommendation], today: dt.date | None = None) -> str:
    lifecycle = tracker.lifecycle
    order = {name: i for i, name in enumerate(lifecycle.names)}
    script = _script()
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"
    source_names = {s.id: s.title for s in tracker.sources.values()}
    owner_names = {o.id: o.name for o in tracker.owners.values()}
    rows = []
    for rec in recommendations:
        cells = [
            f"<td>{escape(rec.id)}</td>",
            f"<td>{escape(rec.title)}</td>",
            f'<td class="status" data-sort="{order.get(rec.status, 99):02d}">{escape(rec.status)}</td>',
            f"<td>{escape(rec.response or '')}</td>",
            f"<td>{escape(', '.join(owner_names.get(o, o) for o in rec.owners) or '—')}</td>",
            f'<td data-sort="{rec.due.isoformat() if rec.due else ""}">'
            f"{escape(rec.due.isoformat() if rec.due else '')}</td>",
            f"<td>{escape(source_names.get(rec.source, rec.source))}</td>",
            f"<td>{escape(', '.join(rec.addressed_to))}</td>",
            f"<td>{escape(', '.join(rec.themes))}</td>",
        ]
        rows.append(f'<tr id="rec-{escape(rec.id)}">{"".join(cells)}</tr>')
    heads = "".join(f'<th><button type="button" data-key="{key}">{label}</button></th>' for key, label in COLUMNS)
    overall = progress(recommendations, lifecycle)
    day = (today or dt.date.today()).isoformat()
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Recommendations dashboard</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Recommendations dashboard</h1>
<p class="meta">{len(recommendations)} recommendations from {len({r.source for r in recommendations})} sources,
as of {day}. Overall progress: <progress max="100" value="{overall * 100:.0f}"></progress> {overall:.0%}</p>
<div class="groups">
{_bars("By source", group_progress(recommendations, lifecycle, by_source), source_names)}
{_bars("By owner", group_progress(recommendations, lifecycle, by_owner), owner_names)}
{_bars("By theme", group_progress(recommendations, lifecycle, by_theme), {})}
</div>
<h2>Recommendations</h2>
<label for="filter">Filter:</label> <input id="filter" type="search" placeholder="words in any column">
<span class="meta"><span id="shown">{len(recommendations)}</span> shown</span>
<table id="recommendations">
<thead><tr>{heads}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<script>{script}</script>
</body>
</html>
"""


class HtmlExporter:
    name = "html"
    extension = "html"
    description = "Self-contained dashboard: progress bars and a sortable table"

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> str:
        return render(tracker, recommendations)


@hookimpl
def register_exporters():
    return [HtmlExporter()]
