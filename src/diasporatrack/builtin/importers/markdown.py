"""``markdown``: a Markdown list, each bulleted or numbered item a recommendation."""

from __future__ import annotations

from ...errors import InputError
from ...hookspecs import hookimpl


class MarkdownImporter:
    name = "markdown"
    description = "Markdown lists: each bulleted or numbered item becomes a recommendation (--source)"
    extensions = (".md", ".markdown", ".txt")
    options = ("source", "title")

    def plan(self, tracker, path, options):
        from ...importer.markdown import plan_markdown

        if not options.get("source"):
            raise InputError("give --source ID: the id of the new source file")
        return plan_markdown(tracker, path, source=options["source"], title=options.get("title"),
                             dry_run=bool(options.get("dry_run")))


@hookimpl
def register_importers():
    return [MarkdownImporter()]
