"""``json``: everything in the workspace, with a versioned schema, for scripts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence

from ..hookspecs import hookimpl
from ..model import Recommendation
from ..serialize import action_to_dict, lifecycle_to_list, owner_to_dict, recommendation_to_dict, source_to_dict
from .json_layout import SCHEMA, SCHEMA_VERSION, TAIL, row as layout_row


class JsonExporter:
    name = "json"
    extension = "json"
    description = f"Full export with history ({SCHEMA} version {SCHEMA_VERSION})"

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> str:
        return "".join(self.chunks(tracker, recommendations))

    def chunks(self, tracker, recommendations: Sequence[Recommendation]) -> Iterator[str]:
        """The export in pieces, one recommendation at a time: a site writes a 100,000-recommendation file
        without holding it (or every recommendation as a dict) in memory."""
        used_sources = {r.source for r in recommendations}
        document = {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "statuses": lifecycle_to_list(tracker.lifecycle),
            # Sources of the exported recommendations; every source when nothing was filtered out.
            "sources": [source_to_dict(s) for s in tracker.sources.values()
                        if s.id in used_sources or len(recommendations) == len(tracker)],
            "owners": [owner_to_dict(o) for o in tracker.owners.values()],
        }
        lang = getattr(tracker, "language", None)
        loc = None
        if lang is not None:  # export --lang: what to show, beside the authored text (which imports back)
            from ..translations import Localizer, localized

            loc = Localizer.for_tracker(tracker)
            document["lang"] = lang
        exported = {r.id for r in recommendations}
        plan = getattr(tracker, "plan", None)  # a stand-in tracker (tests, plugins) may have no plan
        actions = [a for a in plan() if exported & set(a.implements)] if plan else []
        if actions:  # the plan's actions that implement an exported recommendation, with their reports
            document["actions"] = [action_to_dict(a, history=True) for a in actions]
        # One recommendation per line: readable, friendly to diff, and written
        # by the fast (C) encoder, which indenting everything would turn off.
        # (json_layout writes the same text from the cache's parts: keep the two alike.)
        yield json.dumps(document, ensure_ascii=False, indent=2)[:-2] + ',\n  "recommendations": [\n'
        for n, rec in enumerate(recommendations):
            row = recommendation_to_dict(rec, history=True)
            if loc is not None:
                row["localized"] = localized(loc, rec)
            yield layout_row(n, json.dumps(row, ensure_ascii=False))
        yield TAIL


@hookimpl
def register_exporters():
    return [JsonExporter()]
