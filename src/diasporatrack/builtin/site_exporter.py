"""``site``: a static public tracker site, written as a folder (``export site -o public/``).

A folder exporter: ``folder = True`` and ``export()`` returns a mapping of
relative file names to bytes, which the CLI writes with
:func:`diasporatrack.files.write_folder`. It is a published artefact, so it
gets the public view of the tracker (see :mod:`diasporatrack.publish.site`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..hookspecs import hookimpl
from ..model import Recommendation


class SiteExporter:
    name = "site"
    extension = ""
    description = "Static public site (a folder): pages, search, Atom feed and the data; public by default"
    public = True  # a published artefact: Tracker.export hands it the public view
    folder = True  # writes a folder: -o DIR

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> dict[str, bytes]:
        from ..publish.site import build_site

        return build_site(tracker, recommendations)


@hookimpl
def register_exporters():
    return [SiteExporter()]
