"""The Sustainable Development Goals: their numbering, checked, and their titles.

The numbering (17 goals, 169 targets such as ``16.3`` and ``16.a``) ships in
``data/sdgs.json`` with the goals' official short titles; ``diasporatrack
sdgs`` prints it. A recommendation's ``sdgs`` names goals (``"5"``) or
targets (``"5.1"``); filtering by a goal also finds its targets.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import attrs


@attrs.frozen
class Goal:
    """One goal: its number, its short title and its targets' numbers."""

    number: str
    title: str
    targets: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    text = resources.files("diasporatrack.data").joinpath("sdgs.json").read_text(encoding="utf-8")
    return json.loads(text)


@functools.lru_cache(maxsize=1)
def goals() -> dict[str, Goal]:
    """Every goal by number, in order."""
    return {g["goal"]: Goal(g["goal"], g["title"], tuple(g["targets"])) for g in _document()["goals"]}


@functools.lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(goals()) | frozenset(t for g in goals().values() for t in g.targets)


def about() -> str:
    """Where the numbering and titles come from, and what is not shipped."""
    doc = _document()
    return f"{doc['about']}\n\nTarget texts: {doc['target_texts']}"


def normalise(code: str) -> str:
    """``" 16.A "`` -> ``"16.a"``: the spelling the numbering uses."""
    return code.strip().lower()


def check(code: str) -> str:
    """The code in its shipped spelling, or ``ValueError`` saying why it is not a goal or target."""
    if not isinstance(code, str):
        raise ValueError(f"an SDG is written as text such as \"5\" or \"16.3\", not {code!r}")
    value = normalise(code)
    if value in _known():
        return value
    goal = value.split(".", 1)[0]
    if goal not in goals():
        raise ValueError(f"{code!r} is not an SDG: goals are numbered 1 to 17")
    shown = goals()[goal].targets
    raise ValueError(f"{code!r} is not a target of goal {goal} (its targets are {shown[0]} to {shown[-1]})")


def goal_of(code: str) -> str:
    """The goal a goal or target belongs to: ``"16.a"`` -> ``"16"``."""
    return code.split(".", 1)[0]


def matches(wanted: str, codes: tuple[str, ...]) -> bool:
    """Whether ``codes`` hold ``wanted`` or, when ``wanted`` is a goal, any of its targets."""
    if "." in wanted:
        return wanted in codes
    return any(c == wanted or c.startswith(wanted + ".") for c in codes)


def title(code: str) -> str:
    """A code with its goal's title: ``"5.1"`` -> ``"5.1 (Gender equality)"``."""
    goal = goals().get(goal_of(code))
    return f"{code} ({goal.title})" if goal else code
