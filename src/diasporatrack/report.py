"""Summaries for people: progress per source, owner, theme and status.

Progress of a group is the mean progress weight of its recommendations'
statuses (``proposed`` 0, ``implemented`` 1, see ``statuses``). The same
figures feed ``stats`` and the dashboards of exporters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import attrs

from .lifecycle import Lifecycle
from .model import Recommendation

UNOWNED = "(unowned)"


@attrs.frozen
class GroupProgress:
    """How far the recommendations of one group have come."""

    group: str
    count: int
    progress: float
    by_status: dict[str, int] = attrs.field(eq=False)


def progress(recs: Iterable[Recommendation], lifecycle: Lifecycle) -> float:
    """Mean progress weight, 0.0 for no recommendations."""
    weights = [lifecycle[r.status].weight for r in recs if r.status in lifecycle]
    return sum(weights) / len(weights) if weights else 0.0


def group_progress(
    recs: Iterable[Recommendation],
    lifecycle: Lifecycle,
    keys: Callable[[Recommendation], Iterable[str]],
) -> list[GroupProgress]:
    """Progress per group; a recommendation counts in every group ``keys`` gives it."""
    groups: dict[str, list[Recommendation]] = {}
    for rec in recs:
        for key in keys(rec):
            groups.setdefault(key, []).append(rec)
    return [
        GroupProgress(
            group=key,
            count=len(members),
            progress=progress(members, lifecycle),
            by_status=dict(Counter(r.status for r in members)),
        )
        for key, members in sorted(groups.items())
    ]


def by_source(rec: Recommendation) -> list[str]:
    return [rec.source]


def by_owner(rec: Recommendation) -> list[str]:
    return list(rec.owners) or [UNOWNED]


def by_theme(rec: Recommendation) -> list[str]:
    return list(rec.themes) or ["(no theme)"]


def bar(fraction: float, width: int = 20) -> str:
    """A text progress bar such as ``#####...............  25%``."""
    fraction = min(max(fraction, 0.0), 1.0)
    filled = round(fraction * width)
    return "#" * filled + "." * (width - filled) + f" {fraction:4.0%}"
