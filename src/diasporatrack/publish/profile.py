"""The publication profile: which fields, statuses, sources and owners are published.

It comes from the ``publish:`` block of ``diasporatrack.yaml``. A public
profile (the default of published artefacts) never shows contact fields,
members' names or private notes, whatever the block says: the block can
only narrow what is published, except ``persons: true``, which lets owners
of kind ``person`` appear by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

# What public output says instead of the member who recorded a change,
# when the change was not done for a published owner.
MEMBER = "a member"

# Recommendation fields a ``publish.fields`` list may name; id, title,
# source and status are always published.
PUBLISHABLE_FIELDS = (
    "text", "quote", "authors", "addressed_to", "owners", "themes", "response", "due", "review_every", "impact",
    "links", "reference", "sdgs", "affected_persons", "author_group", "action_category", "cycle", "session", "extra",
    "progress", "parent", "weight", "cites", "history",
)
ALWAYS_PUBLISHED = ("id", "title", "source", "status")
# ``authors`` may name a participant of a meeting; the review cadence is
# internal; ``extra`` holds whatever columns an import kept, unchecked.
DEFAULT_FIELDS = tuple(f for f in PUBLISHABLE_FIELDS if f not in ("authors", "review_every", "extra"))
PERSON = "person"


@attrs.frozen(kw_only=True)
class Profile:
    """What an artefact may show; ``public=False`` is everything (``--private``)."""

    public: bool = True
    persons: bool = False
    fields: tuple[str, ...] = DEFAULT_FIELDS
    statuses: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    title: str | None = None
    description: str | None = None
    licence: str | None = None
    licence_url: str | None = None
    introduction: str | None = None
    logo: str | None = None
    language: str = "en"
    accent: str | None = None
    base_url: str | None = None
    archive: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, public: bool = True) -> Profile:
        """The profile of a workspace's settings (already checked by the reader)."""
        block = config.get("publish") or {}
        if not isinstance(block, Mapping):
            block = {}
        words = {k: block.get(k) for k in ("title", "description", "licence", "licence_url", "introduction", "logo",
                                             "accent")}
        words["language"] = block.get("language") or "en"
        words["base_url"] = block.get("base_url")
        # Republishing a document needs its licence to allow it: only when the block says so, even --private.
        words["archive"] = block.get("archive") is True
        if not public:
            return cls(public=False, persons=True, fields=PUBLISHABLE_FIELDS, **words)
        return cls(
            public=True,
            persons=block.get("persons") is True,
            # ``author`` is how the YAML spells the field the model calls ``authors``.
            fields=tuple("authors" if f == "author" else f for f in block["fields"])
            if block.get("fields") is not None else DEFAULT_FIELDS,
            statuses=tuple(block["statuses"]) if block.get("statuses") is not None else None,
            sources=tuple(block["sources"]) if block.get("sources") is not None else None,
            **words,
        )

    def shows(self, field: str) -> bool:
        """Whether a recommendation field is published."""
        return field in ALWAYS_PUBLISHED or field in self.fields


def profile_of(tracker: Any) -> Profile:
    """The profile an exporter works under: the view's, else everything (a private export)."""
    profile = getattr(tracker, "profile", None)
    if isinstance(profile, Profile):
        return profile
    return Profile.from_config(getattr(tracker, "config", {}) or {}, public=False)
