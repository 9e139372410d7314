"""The implementation plan on the static site: actions, their status and their indicators' series.

Built from the plan of the public view (:meth:`PublishedView.plan`): actions of
published recommendations only, owners of kind ``person`` left out unless
``publish.persons``, every event attributed to the owner it was done for or
"a member", and a note only when it was marked public. An action appears when
it implements a recommendation of the site; a workspace without
``actions.yaml`` gets no plan pages and no link to them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from ..actions import Action
from ..indicators import Indicator


class SitePlan:
    """The actions shown on a site, by recommendation, with what their pages need."""

    def __init__(self, site: Any) -> None:
        self.site = site
        plan_of = getattr(site.view, "plan", None)
        plan = plan_of() if plan_of is not None else None
        shown = {r.id for r in site.recs} if plan is not None and plan.actions else set()
        self.lifecycle = plan.lifecycle if plan is not None else None
        self.actions: list[Action] = []
        self.by_rec: dict[str, list[Action]] = {}
        for action in (plan or ()):
            implements = tuple(r for r in action.implements if r in shown)
            if not implements:
                continue
            self.actions.append(action)
            for rec_id in implements:
                self.by_rec.setdefault(rec_id, []).append(action)
        palette = site.palette
        self.colours = ({name: palette[i % len(palette)] for i, name in enumerate(self.lifecycle.names)}
                        if self.lifecycle is not None else {})

    def __bool__(self) -> bool:
        return bool(self.actions)

    def of(self, rec_id: str) -> list[Action]:
        """The published actions that implement a recommendation."""
        return self.by_rec.get(rec_id, [])

    def definition(self, status: str) -> str:
        lifecycle = self.lifecycle
        return lifecycle[status].definition if lifecycle is not None and status in lifecycle else ""

    def bar(self, actions: list[Action]) -> Any:
        """A stacked bar of the actions' statuses, in their lifecycle's order."""
        from .site import Bar

        counts = Counter(a.status for a in actions)
        parts = [(s, counts.get(s, 0), c) for s, c in self.colours.items()]
        parts += [(s, n, "#555555") for s, n in sorted(counts.items()) if s not in self.colours]
        return Bar(tuple(parts), sum(counts.values()))

    def status_rows(self) -> list[tuple[str, str, int, str]]:
        counts = Counter(a.status for a in self.actions)
        return [(name, self.definition(name), counts.get(name, 0), colour) for name, colour in self.colours.items()]

    def events(self, action: Action) -> list:
        """The action's public changes and its indicators' reports, in the order they happened."""
        return sorted(action.history, key=lambda e: e.sort_key)

    # --- indicators --------------------------------------------------------

    def said(self, indicator: Indicator) -> str:
        """The indicator's series in words, for a chart's label: the chart is never the only way to read it."""
        unit = f" {indicator.unit}" if indicator.unit else ""
        parts = [f"{r.on.isoformat()}: {r.value}{unit}" for r in indicator.reports]
        if indicator.target is not None:
            parts.append(f"{self.site.words['target']}: {_number(indicator.target)}{unit}")
        return f"{indicator.title}. " + "; ".join(parts)

    def chart(self, indicator: Indicator) -> dict[str, Any] | None:
        """A line of the reported values over time, in a 100 x 30 box; None when there is nothing to draw.

        Numeric values are placed between the lowest and highest of the values, the baseline and the
        target; qualitative ones by their level's rank. The target is a dashed line.
        """
        reports = [r for r in indicator.reports if _value_of(indicator, r.value) is not None]
        if not reports:
            return None
        values = [_value_of(indicator, r.value) for r in reports]
        target = indicator.target if indicator.kind == "numeric" else None
        scale = [v for v in (*values, indicator.baseline if indicator.kind == "numeric" else None, target)
                 if v is not None]
        if indicator.kind == "qualitative":
            scale += [0, max(len(indicator.levels) - 1, 1)]
        low, high = min(scale), max(scale)
        span = (high - low) or 1.0
        first, last = reports[0].on, reports[-1].on
        days = (last - first).days or 1

        def y(value: float) -> float:
            return round(28 - 26 * (value - low) / span, 3)

        def x(day: dt.date) -> float:
            return round(2 + 96 * (day - first).days / days, 3) if last != first else 50.0

        points = [(x(r.on), y(v)) for r, v in zip(reports, values)]
        return {"points": " ".join(f"{a},{b}" for a, b in points), "dots": points,
                "target": y(target) if target is not None else None, "label": self.said(indicator)}


def _value_of(indicator: Indicator, value: Any) -> float | None:
    if indicator.kind == "qualitative":
        return float(indicator.levels.index(value)) if value in indicator.levels else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def build_plan_pages(site: Any) -> None:
    """``a/index.html`` (every action, by status) and one page per action, when the site has any."""
    from .site import page_name

    plan = site.plan
    if not plan:
        return
    site.page("a/index.html", "plan.html", actions=plan.actions)
    for action in plan.actions:
        site.page(f"a/{page_name(action.id)}.html", "action.html", action=action,
                  implements=[r for r in action.implements if r in site.by_id])
