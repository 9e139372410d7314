"""Choosing the importer for a file (by its extension, from every registered plugin) and the preset.

``plan_file`` is what ``diasporatrack import`` calls; ``plan_csv`` is the
shorthand for a CSV or TSV file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from .plan import ImportPlan
from .sheetplan import ImportOptions, plan_sheet

# The options a document importer (Markdown, JSON) may be given, besides those it lists.
_DOCUMENT_ALWAYS = ("dry_run",)


def presets(plugins) -> dict[str, Any]:
    """The registered presets by name."""
    return {name: item for name, item in plugins.importers.items.items() if hasattr(item, "columns")}


def readers(plugins) -> dict[str, Any]:
    """The registered readers and document importers by name."""
    return {name: item for name, item in plugins.importers.items.items() if not hasattr(item, "columns")}


def find_preset(plugins, name: str) -> Any:
    found = presets(plugins)
    if name not in found:
        raise InputError(f"unknown preset {name!r}; presets: {', '.join(sorted(found)) or 'none'} "
                         "(diasporatrack import --list-presets)")
    return found[name]


def find_reader(plugins, path: Path, name: str | None = None) -> Any:
    """The importer that reads ``path``: the one named, else the one claiming its extension."""
    found = readers(plugins)
    if name is not None:
        if name not in found:
            raise InputError(f"unknown format {name!r}; formats: {', '.join(sorted(found))}")
        return found[name]
    suffix = path.suffix.casefold()
    for item in found.values():
        if suffix and suffix in (e.casefold() for e in item.extensions):
            return item
    known = sorted({e for item in found.values() for e in item.extensions})
    raise InputError(f"{path}: cannot import {suffix or 'a file without an extension'}; "
                     f"the importers read {', '.join(known)}")


def plan_file(tracker, path: Path, *, preset: str | None = None, read: Mapping[str, Any] | None = None,
              options: ImportOptions | None = None, format: str | None = None,
              preset_options: Mapping[str, Any] | None = None) -> ImportPlan:
    """Plan the import of any file a registered importer reads.

    ``read`` holds the reader's options (``encoding``, ``delimiter``,
    ``sheet``, ...; only those given); one the reader does not take is
    refused. ``options`` are what every table import shares (source, maps,
    value maps, dates, ...). ``preset_options`` are the preset's own
    (``state`` for ``ohchr``): a preset that lists ``options`` gets them
    through its ``with_options(options)``, which returns the preset for
    this one import; one it does not list is refused. Nothing is written:
    call ``write()`` on the plan.
    """
    path = Path(path)
    options = options or ImportOptions()
    read = {k: v for k, v in (read or {}).items() if v not in (None, False)}
    preset_options = {k: v for k, v in (preset_options or {}).items() if v not in (None, False)}
    reader = find_reader(tracker.plugins, path, format)
    for option in read:
        if option not in reader.options:
            raise InputError(f"--{option.replace('_', '-')} is not for {reader.name} files ({reader.description})")
    if hasattr(reader, "plan"):
        table_only = [name for name, given in (("preset", preset), ("map", options.maps),
                                               ("keep-unmapped", options.keep_unmapped),
                                               ("date-format", options.date_format), ("update", options.update),
                                               ("prune", options.prune), ("id-column", options.id_column))
                      if given]
        table_only += [name.replace("_", "-") for name in preset_options]
        if table_only:
            raise InputError(f"--{table_only[0]} is for tables (CSV, spreadsheets), not {reader.name} files")
        given = {"source": options.source, "title": options.title, "create_owners": options.create_owners,
                 "keep_html": options.keep_html, "values": options.values}
        for option, value in given.items():
            if value and option not in reader.options:  # refused, never ignored
                flag = "value" if option == "values" else option.replace("_", "-")
                raise InputError(f"--{flag} is not for {reader.name} files ({reader.description})")
        return reader.plan(tracker, path, {**read, **{k: v for k, v in given.items() if v},
                                           "dry_run": options.dry_run})
    found = find_preset(tracker.plugins, preset) if preset is not None else None
    for option in preset_options:
        if found is None or option not in getattr(found, "options", ()):
            raise InputError(f"--{option.replace('_', '-')} is not for "
                             + (f"preset {found.name}" if found is not None else "an import without a preset"))
    if found is not None and hasattr(found, "with_options"):
        found = found.with_options(preset_options)  # a fresh preset for this import: it may keep state
    return plan_sheet(tracker, lambda: reader.read(path, read), found, options)


def plan_csv(tracker, path: Path, *, source: str | None = None, mapping: Iterable[str] = (),
             preset: str | None = None, create_owners: bool = False, title: str | None = None,
             encoding: str | None = None, delimiter: str | None = None, dry_run: bool = False,
             **more: Any) -> ImportPlan:
    """Plan the import of a spreadsheet saved as CSV or TSV (``more``: other :class:`ImportOptions`).

    The encoding and the delimiter are guessed unless given. Every row is
    checked; any problem raises :class:`WorkspaceError` listing them all,
    and nothing is kept. With ``dry_run`` only counts are kept (the plan
    cannot be written); otherwise the rows are staged beside their target
    files, ready for :meth:`ImportPlan.write`.
    """
    options = ImportOptions(source=source, title=title, maps=tuple(mapping), create_owners=create_owners,
                            dry_run=dry_run, **more)
    return plan_file(tracker, path, preset=preset, read={"encoding": encoding, "delimiter": delimiter},
                     options=options, format="csv")
