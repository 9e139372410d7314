"""``decidim``: the results export of a Decidim Accountability component (``;``-separated CSV).

Decidim writes a result's nested fields as columns joined by ``/``:
``title/en``, ``description/en``, ``status/name/en``, ``parent/id``,
``category/name/en``, ``scope/name/en``; older imports use ``title_en``
and ``parent_id``. The first language in the file is the authored one (its
title and description become the recommendation's); the others become the
recommendation's ``translations`` (``{ca: {title: ..., text: ...}}``). Ids come from Decidim's ids,
prefixed by the source (``--source`` is required), so a parent's id is the
recommendation's ``parent``; ``start_date`` is kept in ``extra``,
``end_date`` is the due date, ``progress`` the progress in percent.
"""

from __future__ import annotations

import re

from ...hookspecs import hookimpl
from ...importer.checks import slug

_LANGUAGE = re.compile(r"^(title|description|status/name|category/name|scope/name)[/_]([a-z]{2}(?:[-_][A-Za-z]{2})?)$",
                       re.IGNORECASE)
# Decidim's statuses are named by each city hall; these are the common ones, in the default lifecycle's words.
STATUSES = {
    "not started": "accepted", "not_started": "accepted", "planned": "accepted", "pending": "accepted",
    "in progress": "in-progress", "in_progress": "in-progress", "ongoing": "in-progress", "in execution": "in-progress",
    "execution": "in-progress", "started": "in-progress",
    "completed": "implemented", "complete": "implemented", "finished": "implemented", "done": "implemented",
    "executed": "implemented", "partially completed": "partially-implemented", "paused": "stalled",
    "stopped": "stalled", "cancelled": "withdrawn", "canceled": "withdrawn", "discarded": "rejected",
}


class DecidimPreset:
    name = "decidim"
    description = ("Decidim Accountability results export (';'-separated; title/en or title_en, status, progress, "
                   "start_date, end_date, parent/id); needs --source")
    columns = {
        "extra.decidim_id": ("id",), "parent": ("parent/id", "parent_id"), "status": ("status/key", "status"),
        "progress": ("progress",), "extra.start_date": ("start_date",), "due": ("end_date",),
        "links": ("url",), "extra.proposal_urls": ("proposal_urls",), "extra.created_at": ("created_at",),
        "title": ("title",), "text": ("description",),
    }
    values = {"status": STATUSES}
    split = {"links": r",\s+|;\s*|\s+"}
    key = ("extra.decidim_id",)

    def layout(self, columns):
        """The columns of this file: the first language found is the authored one, the others go to extra."""
        mapping = {target: list(names) for target, names in self.columns.items()}
        authored = None
        for column in columns:
            found = _LANGUAGE.match(column)
            if not found:
                continue
            field, language = found.group(1).casefold(), found.group(2).casefold().replace("-", "_")
            authored = authored or language
            target = {"title": "title", "description": "text", "status/name": "status",
                      "category/name": "themes", "scope/name": "extra.scope"}[field]
            if language != authored and field in ("title", "description"):
                target = f"translations.{language.replace('_', '-')}.{'title' if field == 'title' else 'text'}"
            elif language != authored:
                continue  # the status, category or scope in another language: the same thing, said again
            mapping[target] = [column, *mapping.get(target, [])]  # before the columns without a language
        return mapping

    def finish(self, rec, row):
        source = rec["source"]
        decidim_id = (rec.get("extra") or {}).get("decidim_id")
        if decidim_id:
            rec["id"] = f"{source}-{slug(str(decidim_id))}"
        if rec.get("parent"):
            rec["parent"] = f"{source}-{slug(rec['parent'])}"
        rec["themes"] = [slug(t) for t in rec.get("themes", [])]
        return rec


@hookimpl
def register_importers():
    return [DecidimPreset()]
