"""``json``: a ``diasporatrack export json`` file, its sources, owners, recommendations and history."""

from __future__ import annotations

from ...hookspecs import hookimpl


class JsonExportImporter:
    name = "json"
    description = "A diasporatrack JSON export: sources, owners, recommendations and their history"
    extensions = (".json",)
    options = ("create_owners",)  # accepted: the export's owners are always added

    def plan(self, tracker, path, options):
        from ...importer.jsonexport import plan_json

        return plan_json(tracker, path, dry_run=bool(options.get("dry_run")))


@hookimpl
def register_importers():
    return [JsonExportImporter()]
