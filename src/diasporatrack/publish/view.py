"""A tracker as the public may see it.

:class:`PublishedView` has the parts of a :class:`~diasporatrack.Tracker`
that exporters read (``lifecycle``, ``responses``, ``sources``, ``owners``,
``config``, iteration, ``len``), with everything private taken out before
an exporter sees it. Taking data out here, once, rather than in each
exporter, means a new exporter cannot forget a rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from ..model import Event, Owner, Recommendation, Source
from .profile import MEMBER, PERSON, Profile

# Events not published: reminders sent (they name their recipients) and edits
# of the YAML (their old and new values may be of fields that are not published).
_INTERNAL_KINDS = ("reminded", "edit")
_EMPTY: dict[str, Any] = {
    "text": "", "quote": None, "authors": (), "addressed_to": (), "owners": (), "themes": (), "response": None,
    "due": None, "review_every": None, "impact": None, "links": (), "reference": None, "sdgs": (),
    "affected_persons": (), "author_group": None, "action_category": None, "cycle": None, "session": None,
    "extra": {}, "progress": None, "parent": None, "weight": None, "cites": (), "history": (),
}


def _only(translations, fields) -> dict:
    """``translations`` with only ``fields``; a language left with nothing goes."""
    kept = {lang: {f: t for f, t in texts.items() if f in fields} for lang, texts in translations.items()}
    return {lang: texts for lang, texts in kept.items() if texts}


class PublishedView:
    """The published part of a tracker under a :class:`Profile`."""

    def __init__(self, tracker: Any, profile: Profile) -> None:
        self.profile = profile
        self.lifecycle = tracker.lifecycle
        self.responses = tracker.responses
        self.root = tracker.root
        # Settings other than the publish block (SMTP host, plugin files) are not the public's.
        self.config = {"publish": dict(tracker.config.get("publish") or {})}
        if tracker.config.get("languages"):  # which language the text is in: public, it marks every page
            self.config["languages"] = tracker.config["languages"]
        people = {o.id for o in tracker.owners.values() if o.kind == PERSON and not profile.persons}
        self.owners: dict[str, Owner] = {
            o.id: attrs.evolve(o, email=None, note=None, parent=None if o.parent in people else o.parent)
            for o in tracker.owners.values() if o.id not in people
        }
        chosen = set(profile.sources) if profile.sources is not None else None
        self.sources: dict[str, Source] = {
            s.id: attrs.evolve(s, note=None, translations=_only(s.translations, ("title",)))
            for s in tracker.sources.values() if chosen is None or s.id in chosen
        }
        self._statuses = set(profile.statuses) if profile.statuses is not None else None
        self._tracker = tracker
        self._redacted: dict[str, tuple[Recommendation, Recommendation]] = {}

    # --- the tracker's reading surface -------------------------------------

    def __iter__(self) -> Iterator[Recommendation]:
        return (self.redact(r) for r in self._tracker if self.chosen(r))

    def __len__(self) -> int:
        return sum(1 for r in self._tracker if self.chosen(r))

    def __contains__(self, rec_id: object) -> bool:
        return rec_id in self._tracker and self.chosen(self._tracker.get(rec_id))

    def get(self, rec_id: str) -> Recommendation:
        rec = self._tracker.get(rec_id)
        if not self.chosen(rec):
            raise KeyError(rec_id)
        return self.redact(rec)

    def score(self, scorer: str = "urgency", recommendations: Iterable[Recommendation] | None = None,
              today: Any = None) -> dict:
        """Scores of the published recommendations (numbers, nothing private), as :meth:`Tracker.score`."""
        return self._tracker.score(scorer, list(self) if recommendations is None else recommendations, today=today)

    # --- taking private data out --------------------------------------------

    def chosen(self, rec: Recommendation) -> bool:
        """Whether this recommendation is published at all: not a draft, and chosen by the ``publish:`` settings."""
        return (not rec.draft and rec.source in self.sources
                and (self._statuses is None or rec.status in self._statuses))

    def select(self, recommendations: Iterable[Recommendation]) -> list[Recommendation]:
        """The published ones of ``recommendations``, each with its private parts taken out."""
        return [self.redact(r) for r in recommendations if self.chosen(r)]

    def redact(self, rec: Recommendation) -> Recommendation:
        """A recommendation with only its published fields, owners and events.

        Remembered while the tracker holds the same value: an export reads the view more than once (the
        site, then its data files), and a 100,000-recommendation workspace should be redacted once.
        """
        known = self._redacted.get(rec.id)
        if known is not None and known[0] is rec:
            return known[1]
        published = self._redact(rec)
        self._redacted[rec.id] = (rec, published)
        return published

    def _redact(self, rec: Recommendation) -> Recommendation:
        changes = {name: value for name, value in _EMPTY.items() if not self.profile.shows(name)}
        if "owners" not in changes:
            changes["owners"] = tuple(o for o in rec.owners if o in self.owners)
        if rec.translations:  # a translation of a field that is not published is not published either
            changes["translations"] = _only(rec.translations, [f for f in ("title", "text", "quote")
                                                              if self.profile.shows(f)])
        if "history" not in changes:
            changes["history"] = tuple(self.event(e) for e in rec.history if e.kind not in _INTERNAL_KINDS)
        # Most fields are already what they should be: building a new value (validators and all) only when
        # one differs keeps a 100,000-recommendation export from paying for it.
        changes = {k: v for k, v in changes.items() if k == "history" and rec.history or getattr(rec, k) != v}
        return attrs.evolve(rec, **changes) if changes else rec

    def plan(self):
        """The plan as the public may see it: actions of published recommendations, their events published.

        Reports keep their value, day and evidence (links and what they show: evidence is meant to be
        shown); their notes follow the rule of every note, and reminders and edits are left out.
        """
        plan = self._tracker.plan()
        if not plan.actions:  # no plan: nothing to redact, and no pass over every recommendation
            return attrs.evolve(plan, locations={}, problems=[])
        shown = {r.id for r in self}
        timeline = self.profile.shows("history")  # publish.fields without history: no timeline of actions either
        actions = {}
        for action in plan:
            implements = tuple(r for r in action.implements if r in shown)
            if not implements:
                continue
            indicators = tuple(attrs.evolve(
                i, owner=i.owner if i.owner in self.owners else None,
                reports=tuple(attrs.evolve(r, event=self.event(r.event)) for r in i.reports))
                for i in action.indicators)
            actions[action.id] = attrs.evolve(
                action, implements=implements, owners=tuple(o for o in action.owners if o in self.owners),
                indicators=indicators,
                history=tuple(self.event(e) for e in action.history if e.kind not in _INTERNAL_KINDS) if timeline
                else ())
        return attrs.evolve(plan, actions=actions, locations={}, problems=[])

    def attribution(self, event: Event) -> str:
        """Who public output says did it: the owner it was done for, else "a member"."""
        owner = self.owners.get(event.for_owner) if event.for_owner else None
        return owner.name if owner is not None else MEMBER

    def event(self, event: Event) -> Event:
        """An event as published: no member's name, no private note, no plugin details."""
        published = self.owners
        return attrs.evolve(
            event,
            by=self.attribution(event),
            for_owner=event.for_owner if event.for_owner in published else None,
            note=event.note if event.public else None,
            owners_added=tuple(o for o in event.owners_added if o in published),
            owners_removed=tuple(o for o in event.owners_removed if o in published),
            data={},  # a plugin's details may hold anything, addresses included
        )
