"""``markdown``: a Markdown document: its numbered paragraphs (``140.1 ...``), else its list items."""

from __future__ import annotations

from ...errors import InputError
from ...hookspecs import hookimpl


class MarkdownImporter:
    name = "markdown"
    description = ("Markdown: numbered paragraphs (140.1 ...), else list items, become recommendations "
                   "(--source; --headings-as-themes)")
    extensions = (".md", ".markdown", ".txt")
    options = ("source", "title", "headings_as_themes")

    def plan(self, tracker, path, options):
        from ...importer.markdown import plan_markdown

        if not options.get("source"):
            raise InputError("give --source ID: the id of the new source file")
        return plan_markdown(tracker, path, source=options["source"], title=options.get("title"),
                             headings_as_themes=bool(options.get("headings_as_themes")),
                             dry_run=bool(options.get("dry_run")))


@hookimpl
def register_importers():
    return [MarkdownImporter()]
