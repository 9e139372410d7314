"""From the rows of any table to new source files: the same steps whatever read the table.

A :class:`~diasporatrack.importer.Sheet` (from the CSV reader, or a
plugin's XLSX or Word reader) is mapped column by column onto fields
(:mod:`.columns`), with the preset's layout if one is named; each cell is
cleaned (HTML made text, line breaks normalised), its value mapped
(:mod:`.values`), dates read (:mod:`.dates`), the record finished by the
preset, then checked by the rules the workspace reader applies. Every
problem is collected, by its row's place; one problem means nothing is
written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from ..errors import InputError
from ..extraction import suggest_title
from ..model import ID_PATTERN, date_in_range
from ..textsafety import control_character, describe_character
from . import dates
from .checks import (CHECKED, FIELDS, FREE_TEXT, LIST_FIELDS, Rows, check_field, check_links, check_sources,
                     check_texts, clip, slug, split_list, unneutralise)
from .cleanup import html_to_text
from .columns import SOURCE, plan_columns
from .keys import IdAssigner, content_id, prefixed_id, row_key
from .options import ImportOptions, PresetParts
from .plan import DraftSet, ImportPlan
from .rows import Row, Sheet
from .values import ValueMapper, config_value_maps, parse_value_maps

TITLE_WIDTH = 80
# What tells apart rows without an id of their own, besides their text, when a preset names no key.
KEY_FIELDS = ("addressed_to", "author")


def plan_sheet(tracker, open_sheet: Callable[[], Sheet], preset: Any = None,
               options: ImportOptions | None = None) -> ImportPlan:
    """Plan the import of a table: read it, map it, check every row; nothing is written.

    ``open_sheet`` opens the table; it is called a second time only when a
    column of dates must be read whole to tell day-first from month-first.
    The plan's ``notes`` report what was read and how: the guesses, which
    column went to which field, the columns not used (the CLI prints them on
    stderr). Raises :class:`WorkspaceError` listing every
    problem, or :class:`InputError` for a problem with the whole file.
    """
    options = options or ImportOptions()
    notes: list[str] = []
    say = notes.append
    parts = PresetParts.of(preset)
    fmt = dates.check_format(options.date_format) if options.date_format else \
        (tracker.config.get("import") or {}).get("date_format")
    mapper = ValueMapper(tracker, parse_value_maps(options.values), config_value_maps(tracker.config),
                         preset=parts.values)
    if options.prune and not options.update:
        raise InputError("--prune removes what a refreshed file no longer has: it goes with --update")
    if options.update and options.title:
        raise InputError("--title names a new source; --update changes sources that exist (their titles stay)")
    if options.update and options.source is not None and options.source not in tracker.sources:
        raise InputError(f"--update: there is no source {options.source!r} to update; import without --update "
                         "to create it")
    with open_sheet() as sheet:
        path = sheet.path
        if options.update:
            from .update import UpdateSet

            drafts: Any = UpdateSet(tracker, path, dry_run=options.dry_run, prune=options.prune)
        else:
            drafts = DraftSet(tracker.root, options.dry_run)
        layout = parts.layout(list(sheet.columns)) if parts.layout is not None else parts.columns
        try:
            columns = plan_columns(sheet.columns, layout, options.maps, keep_unmapped=options.keep_unmapped,
                                   preset_name=parts.name)
        except InputError as err:  # a --map that does not fit this file's header
            raise InputError(f"{path}: {err}") from None
        targets = columns.targets
        missing = [f for f in parts.required if f not in targets]
        if missing:
            wanted = "; ".join(f"{f}: one of {', '.join(repr(n) for n in _names(layout.get(f)))}"
                               for f in missing)
            raise InputError(f"{path}: not a {parts.name} file (preset {parts.name}): missing columns ({wanted})")
        if "text" not in targets and "title" not in targets:
            raise InputError(f"{path}: no 'text' or 'title' column; name one with --map COLUMN=text")
        if options.source is None and SOURCE not in targets and parts.source is None:
            raise InputError("give --source ID: the file has no 'source' column"
                             + (f" and preset {parts.name} names no source" if parts.name else ""))
        if options.source is not None and not options.update:
            check_sources(tracker, [options.source])
        id_column = None
        if options.id_column is not None:
            named = {c.casefold(): c for c in sheet.columns}
            id_column = named.get(options.id_column.strip().casefold())
            if id_column is None:
                raise InputError(f"--id-column {options.id_column}: the file has no such column; columns: "
                                 f"{', '.join(sheet.columns)}")
            if "id" in targets:
                raise InputError(f"--id-column {options.id_column}: the file also has a column read as id; "
                                 "give one of the two")
        drafts.layout(key_fields=parts.key or KEY_FIELDS,
                      fields=[t.split(".")[0] for t in targets if t != SOURCE] + ["title", "text"],
                      derived=[f for f in ("title", "quote") if f not in targets])
        if sheet.read_as:
            say(sheet.read_as)
        if not options.keep_html and _is_export(sheet.columns):
            options = attrs.evolve(options, keep_html=True)
            say(f"{path}: a diasporatrack CSV export: its cells are plain text, kept as written")
        for line in columns.report(path):
            say(line)
        try:
            rows = Rows(path)
            state = _State(tracker, drafts, rows, parts, options, mapper, fmt, targets)
            state.id_column = id_column
            state.settle_dates = lambda: dates.settle_columns(open_sheet, targets, say)
            stream = iter(sheet)
            headings, first = 0, None
            for row in (_located(parts.prepare(stream), path) if parts.prepare else stream):
                if row.heading:  # a title spanning a Word table, left as the preset left it: not a record
                    headings, first = headings + 1, first or row
                    continue
                state.row(row)
            if first is not None:
                say(f"{path}: {headings} row{'s' * (headings != 1)} spanning the table not imported (headings "
                    f"such as {clip(next(iter(first.cells.values()), ''), 40)} on {first.label})")
            state.finish()
            if options.title and len(drafts.drafts) > 1 and not options.source:
                raise InputError(f"--title names one source, but the file makes {len(drafts.drafts)} "
                                 f"({', '.join(list(drafts.drafts)[:3])}, ...); give --source to import into one")
            if not drafts.drafts and not rows:
                raise InputError(f"{path}: no recommendations in the file")
            rows.done()
        except BaseException:
            drafts.discard()
            raise
    return drafts.plan(new_owners=[{"id": o, "name": o} for o in state.owners_needed], notes=notes)


def _located(rows: Iterator[Row], path) -> Iterator[Row]:
    """A preset's rows, its one-line errors naming the file they are about."""
    try:
        yield from rows
    except InputError as err:
        if str(err).startswith(str(path)):
            raise
        raise InputError(f"{path}: {err}") from None


def _is_export(columns) -> bool:
    """Whether the header is the one ``export csv`` writes (its text is plain: HTML clean-up would alter it)."""
    from ..builtin.csv_exporter import COLUMNS

    return set(COLUMNS) <= set(columns)


def _names(names: Any) -> list[str]:
    return [names] if isinstance(names, str) else list(names or ())


class _State:
    """One pass over the rows: every record built, checked and staged."""

    def __init__(self, tracker, drafts, rows, parts, options, mapper, fmt, targets) -> None:
        self.tracker, self.drafts, self.rows, self.parts, self.options = tracker, drafts, rows, parts, options
        self.mapper, self.fmt, self.targets = mapper, fmt, targets
        self.orders: dict[str, str] | None = None  # column -> format, once a numeric date asked for it
        self.settle_dates: Callable[[], dict[str, str]] = dict
        self.owners_needed: dict[str, tuple[str, int | None]] = {}
        self.seen: dict[str, str] = {}
        self.bad_sources: set[str] = set()
        self.counts: dict[str, int] = {}
        self.links: list[tuple[int | None, str, dict]] = []
        self.mapped_fields = mapper.fields()
        self.undeclared: set[str] = set()
        self.id_column: str | None = None
        self.assign = IdAssigner()
        self.key_fields = parts.key or KEY_FIELDS

    def bad(self, row: Row, message: str) -> None:
        self.rows.bad(row.line, f"{row.label}: {message}")

    def cell(self, row: Row, column: str, target: str) -> str | None:
        """A cell's text, cleaned; None (and a problem) if it cannot be stored."""
        value = unneutralise(row.cells.get(column) or "")
        if not value or (target not in FREE_TEXT and not value.strip()):
            return ""  # free text is kept as written, spaces and all
        value = value.replace("\r\n", "\n").replace("\r", "\n")  # a line break in a cell is a line break
        if not self.options.keep_html and ("<" in value or "&" in value):  # never in an export (see _is_export)
            value = html_to_text(value)
        if target not in FREE_TEXT:
            value = value.strip()  # codes and dates lose stray spaces; free text is kept as written
        bad = control_character(value)
        if bad is not None:  # the workspace could not read it back: refused here, by row
            self.bad(row, f"{target}: control character {describe_character(bad)} is not allowed "
                          "(only newline and tab are)")
            return None
        return value

    def record(self, row: Row) -> dict[str, Any] | None:
        rec: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        translated: dict[str, dict[str, str]] = {}
        ok = True
        for target, columns in self.targets.items():
            values = [self.cell(row, column, target) for column in columns]
            if None in values:
                ok = False
                continue
            values = [v for v in values if v]
            if not values:
                continue
            if target in LIST_FIELDS:
                pattern = self.parts.split.get(target)
                items = [i for v in values for i in (split_list(v) if pattern is None else
                                                    [p.strip() for p in re.split(pattern, v) if p.strip()])]
                if target in self.mapped_fields:
                    items = [self.mapper.map(target, i, row.line, row.label) or i for i in items]
                rec[target] = items
                continue
            if target.startswith("translations."):  # translations.LANG.FIELD: prose, joined as paragraphs
                lang, _, field = target[len("translations."):].rpartition(".")
                translated.setdefault(lang, {})[field] = "\n\n".join(values).strip()
                continue
            value = "\n\n".join(values) if target in FREE_TEXT else "; ".join(values)
            if target in self.mapped_fields:
                mapped = self.mapper.map(target, value, row.line, row.label)
                if mapped is None:
                    ok = False  # counted, and reported once per value
                    continue
                value = mapped
            if dates.is_date_target(target):
                value = self.date(row, target, columns[0], value)
                if value is None:
                    ok = False
                    continue
            if target.startswith("extra."):
                extra[target[6:]] = value
            else:
                rec[target] = value
        if extra:
            rec["extra"] = {**extra, **(rec["extra"] if isinstance(rec.get("extra"), dict) else {})}
        if translated:
            rec["translations"] = {**translated, **(rec["translations"] if isinstance(rec.get("translations"), dict)
                                                    else {})}
        return rec if ok else None

    def date(self, row: Row, target: str, column: str, value: str) -> dt.date | None:
        if self.fmt is None and self.orders is None and (dates.order_of(value) or dates.ambiguous(value)):
            self.orders = self.settle_dates()
        try:
            day = dates.parse_date(value, self.fmt or (self.orders or {}).get(column))
        except ValueError as err:
            self.bad(row, f"{target} {clip(value)} is not a date ({err})")
            return None
        if date_in_range(day):
            self.bad(row, f"{target}: {date_in_range(day)}")
            return None
        return day

    def source_of(self, row: Row, rec: dict[str, Any]) -> str | None:
        """The id of the row's source, its draft made when first seen; None (and a problem) if it cannot be."""
        block = None
        source_id = self.options.source or rec.pop(SOURCE, None)
        if source_id is None and self.parts.source is not None:
            block = self.parts.source(rec)
            source_id = block.get("id") if block else None
            if block and not block.get("note"):
                block = {**block, "note": f"Imported from {self.rows.path.name}."}
        if source_id in self.drafts:
            return source_id
        problem = "no source" if not source_id else self.drafts.source_problem(self.tracker, source_id)
        if problem:
            if source_id not in self.bad_sources:  # said once, not on each of its rows
                self.bad(row, problem)
                self.bad_sources.add(source_id)
            return None
        block = dict(block or {"id": source_id, "title": source_id})
        if self.options.title:
            block["title"] = self.options.title
        self.drafts.new(block)
        return source_id

    def row(self, row: Row) -> None:
        if row.problem:
            self.bad(row, row.problem)
            return
        rec = self.record(row)
        if rec is None:
            return
        for field in CHECKED:  # sdgs, progress, extra, ...: checked by the YAML reader's rules
            if rec.get(field) not in (None, "", []):
                value = rec[field]
                if field == "progress" and isinstance(value, str):
                    value = value.rstrip("% ")
                rec[field] = check_field(self.rows, row.line, field, value, self.tracker, row.label)
        for field in ("id", "review_every", "impact"):
            if isinstance(rec.get(field), str):
                rec[field] = check_field(self.rows, row.line, field, rec[field], self.tracker, row.label)
        if not str(rec.get("text") or "").strip() and not str(rec.get("title") or "").strip():
            self.bad(row, "the recommendation text is empty")
            return
        source_id = self.source_of(row, rec)
        if source_id is None:
            return
        if self.parts.finish is not None:
            try:
                rec = self.parts.finish({**rec, SOURCE: source_id}, row)
            except ValueError as err:  # the preset refuses the row, saying why
                self.bad(row, str(err))
                return
            if rec is None:
                return
            rec.pop(SOURCE, None)
        if not str(rec.get("text") or "").strip():
            rec["text"] = rec["title"]
        if rec.get("translations"):
            self.check_languages(row, rec["translations"])
        self.counts[source_id] = self.counts.get(source_id, 0) + 1
        if not rec.get("title"):  # from the first paragraph: a second one is not part of the title
            rec["title"] = suggest_title(re.split(r"\n\s*\n", rec["text"].strip(), maxsplit=1)[0], TITLE_WIDTH)
        explicit = "id" in rec
        if self.id_column is not None:
            cell = row.cells.get(self.id_column) or ""
            rec["id"] = prefixed_id(source_id, cell)
            if rec["id"] is None:
                self.bad(row, f"{clip(cell.strip())} in column {self.id_column!r} cannot make an id (letters, "
                              "digits and . _ : - only)")
                return
            explicit = True
        elif not explicit:  # made from what the row says, never from its place in the file
            rec["id"] = self.assign(content_id(source_id, row_key(rec, self.key_fields), rec["text"],
                                               label=self.label(source_id, rec)))
        check_texts(self.rows, row.line, row.label, rec)
        if rec["id"] in self.seen:
            self.bad(row, f"id {clip(rec['id'])} is also on {self.seen[rec['id']]}")
        elif self.drafts.id_taken(self.tracker, rec["id"], source_id):
            self.bad(row, f"id {clip(rec['id'])} is already in the workspace")
        self.seen[rec["id"]] = row.label
        for owner in rec.get("owners", []):
            if not re.fullmatch(ID_PATTERN, owner):
                self.bad(row, f"owner {clip(owner)} is not a valid id (letters, digits and . _ : - only; owners "
                              "are named by their id from owners.yaml)")
            elif owner not in self.tracker.owners:
                self.owners_needed.setdefault(owner, (row.label, row.line))
        self.links.append((row.line, row.label, {"id": rec["id"], "parent": rec.get("parent"),
                                                 "cites": rec.get("cites")}))
        if not self.rows and not self.mapper.unknown:  # once a row is wrong nothing will be written: stop staging
            self.drafts.add(source_id, {k: rec.get(k) for k in FIELDS if k in rec}, label=row.label, line=row.line,
                            explicit=explicit)

    def label(self, source_id: str, rec: dict[str, Any]) -> str | None:
        """A preset's readable part of a made id: the State under review, unless the source already says it."""
        if not self.parts.key:
            return None
        states = rec.get("addressed_to") or []
        state = states[0] if isinstance(states, list) and states else None
        return state if state and slug(state) not in source_id else None

    def check_languages(self, row: Row, translations: Mapping[str, Any]) -> None:
        """A translation into a language the ``languages:`` setting does not declare is said once, at its first row."""
        from ..translations import undeclared

        for lang in undeclared(translations, self.tracker.config.get("languages")):
            if lang not in self.undeclared:
                self.undeclared.add(lang)
                self.bad(row, f"a translation into {lang!r}, which the languages: setting of diasporatrack.yaml does "
                              f"not declare ({', '.join(self.tracker.config['languages'])}); add it there")

    def finish(self) -> None:
        self.mapper.report(self.rows)
        check_links(self.rows, self.tracker, self.links, ())
        if not self.options.create_owners:
            for owner, (where, line) in self.owners_needed.items():
                self.rows.bad(line, f"{where}: unknown owner {owner!r} (add it to owners.yaml, or import with "
                                    "--create-owners)")
