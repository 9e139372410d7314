"""Summaries for people: progress per source, owner, theme, SDG, group of persons, ...

Progress of a group is the mean progress of its recommendations: by default
their statuses' progress weights (``proposed`` 0, ``implemented`` 1, see
``statuses``); pass ``measure=tracker.progress()`` to count progress set
with ``update --progress`` and clusters too. The same figures feed ``stats``
and the dashboards of exporters. Labels (themes, groups, addressees,
authors) are grouped as :func:`diasporatrack.labels.label_key` makes them,
so "Women's rights" and "women’s rights" are one group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping

import attrs

from .labels import group_labels, label_key
from .lifecycle import Lifecycle
from .model import Finding, Owner, Recommendation

Measure = Callable[[Recommendation], float]

UNOWNED = "(unowned)"


@attrs.frozen
class GroupProgress:
    """How far the recommendations of one group have come."""

    group: str
    count: int
    progress: float
    by_status: dict[str, int] = attrs.field(eq=False)


def progress(recs: Iterable[Recommendation], lifecycle: Lifecycle, measure: Measure | None = None) -> float:
    """Mean progress (from 0 to 1), 0.0 for no recommendations."""
    if measure is not None:
        values = [measure(r) for r in recs]
    else:
        values = [lifecycle[r.status].weight for r in recs if r.status in lifecycle]
    return sum(values) / len(values) if values else 0.0


def group_progress(
    recs: Iterable[Recommendation],
    lifecycle: Lifecycle,
    keys: Callable[[Recommendation], Iterable[str]],
    measure: Measure | None = None,
    labels: bool = False,
) -> list[GroupProgress]:
    """Progress per group; a recommendation counts once in every group ``keys`` gives it.

    With ``labels``, keys that differ only in case, accents or punctuation
    are one group, shown by its most used spelling.
    """
    groups: dict[str, list[Recommendation]] = {}
    spellings: list[str] = []
    for rec in recs:
        seen = set()
        for key in keys(rec):
            if labels:
                spellings.append(key)
                key = label_key(key)
            if key not in seen:
                seen.add(key)
                groups.setdefault(key, []).append(rec)
    shown = group_labels(spellings) if labels else {}
    found = [
        GroupProgress(
            group=shown.get(key, key),
            count=len(members),
            progress=progress(members, lifecycle, measure),
            by_status=dict(Counter(r.status for r in members)),
        )
        for key, members in groups.items()
    ]
    return sorted(found, key=lambda g: _natural(g.group))


def _natural(text: str) -> tuple:
    """Sort key that puts goal 2 before goal 10."""
    head = text.split(" ", 1)[0]
    return (0, int(head), text) if head.isdigit() else (1, 0, text)


def by_source(rec: Recommendation) -> list[str]:
    return [rec.source]


def by_owner(rec: Recommendation) -> list[str]:
    return list(rec.owners) or [UNOWNED]


def by_theme(rec: Recommendation) -> list[str]:
    return list(rec.themes) or ["(no theme)"]


def by_sdg(rec: Recommendation) -> list[str]:
    """The goals a recommendation serves (a target counts for its goal), with their titles."""
    from .sdgs import goal_of, goals

    titles = goals()
    found = dict.fromkeys(goal_of(code) for code in rec.sdgs)
    return [f"{g} {titles[g].title}" for g in found] or ["(no SDG)"]


def by_affected(rec: Recommendation) -> list[str]:
    return list(rec.affected_persons) or ["(no group named)"]


def by_author(rec: Recommendation) -> list[str]:
    return list(rec.authors) or ["(the source's authors)"]


def by_addressee(rec: Recommendation) -> list[str]:
    return list(rec.addressed_to) or ["(nobody named)"]


def by_owner_rolled_up(owners: Mapping[str, Owner]) -> Callable[[Recommendation], list[str]]:
    """Like :func:`by_owner`, but an expert group's recommendations also count for the
    organisations above it (as ``list --owner`` finds them)."""

    def keys(rec: Recommendation) -> list[str]:
        found: dict[str, None] = {}
        for owner_id in rec.owners:
            seen: set[str] = set()
            current: str | None = owner_id
            while current is not None and current not in seen:  # a loop is a file error: stop anyway
                seen.add(current)
                found.setdefault(current)
                parent = owners.get(current)
                current = parent.parent if parent is not None else None
        return list(found) or [UNOWNED]

    return keys


def bar(fraction: float, width: int = 20) -> str:
    """A text progress bar such as ``#####...............  25%``."""
    fraction = min(max(fraction, 0.0), 1.0)
    filled = round(fraction * width)
    return "#" * filled + "." * (width - filled) + f" {fraction:4.0%}"


@attrs.frozen
class PublishedFinding:
    """A finding as exporters show it: with its source and the recommendations citing it."""

    source: str
    finding: Finding
    cited_by: tuple[str, ...]


def findings_to_publish(tracker, recs: Iterable[Recommendation]) -> list[PublishedFinding]:
    """The findings an export of ``recs`` includes, in source order.

    Every finding when the export holds every recommendation (a source such
    as an article may make no recommendation and only state findings);
    otherwise those of the exported recommendations' sources and those they cite.
    """
    recs = list(recs)
    everything = len(recs) == len(tracker)
    sources = {r.source for r in recs}
    cited: dict[str, list[str]] = {}
    for rec in recs:
        for finding_id in rec.cites:
            cited.setdefault(finding_id, []).append(rec.id)
    found = []
    for source in tracker.sources.values():
        for finding in source.findings:
            if everything or source.id in sources or finding.id in cited:
                found.append(PublishedFinding(source.id, finding, tuple(cited.get(finding.id, ()))))
    return found
