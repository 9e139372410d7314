"""Writing the authored YAML: add, change, move and remove recommendations, sources and owners.

The files are people's: a change rewrites only the lines of the values it
changes (see :mod:`diasporatrack.yamledit`), under the journal's lock. The
whole workspace is checked with the new text before anything is written; a
file is replaced atomically and the change is journaled as ``edit`` events
(``field``, ``old``, ``new``), so ``history`` shows it and ``as_of`` can undo
it (see :mod:`diasporatrack.edits`). Any error leaves every file as it was.
The :class:`~diasporatrack.Tracker` has a method for each of these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .edits import JOURNALED, LIST_FIELDS, Change, apply_fields, checked, ordered, run_change, to_json
from .errors import InputError, NotFound, Problem, WorkspaceError
from .model import Owner, Recommendation, Source
from .workspace import (
    OWNER_SPEC, OWNERS_FILE, RECOMMENDATION_SPEC, SOURCE_SPEC, FieldChecker, display_path, read_workspace,
)
from .yamledit import Document, render_document
from .yamlio import read_text

if TYPE_CHECKING:
    from .tracker import Tracker

__all__ = [
    "add_owner", "add_recommendation", "add_recommendation_text", "add_source", "check_recommendation_text",
    "move_recommendation", "new_recommendation_text", "next_id", "recommendation_text", "remove_recommendation", "replace_recommendation_text", "set_fields",
    "set_owner_fields", "set_source_fields",
]


# --- recommendations -----------------------------------------------------------


def _locate(change: Change, rec_id: str) -> tuple[Document, int]:
    where = change.file_of(rec_id)
    doc = change.doc(where.path)
    for index, item in enumerate(doc.value(("recommendations",)) or []):
        if isinstance(item, dict) and item.get("id") == rec_id:
            return doc, index
    raise NotFound(f"{where}: cannot find {rec_id!r} in its file any more")


def _source_file(change: Change, source_id: str) -> Path:
    return change.file_of("source:" + source_id).path


def next_id(tracker: Tracker, source_id: str) -> str:
    """The next free ``SOURCE-NNN`` id of a source (one above the highest taken)."""
    return _next_free(source_id, set(tracker._state) | tracker._retired)


def _next_free(source_id: str, taken: Iterable[str]) -> str:
    pattern = re.compile(re.escape(source_id) + r"-(\d+)$")
    numbers = [int(m.group(1)) for m in map(pattern.match, taken) if m]
    return f"{source_id}-{max(numbers, default=0) + 1:03d}"


def add_recommendation(tracker: Tracker, source: str, fields: Mapping[str, Any], *, id: str | None = None,
                       by: str | None = None) -> Recommendation:
    """Append a recommendation to a source's file; without ``id``, the next free ``SOURCE-NNN``.

    ``fields`` are the YAML fields (``title`` and ``text`` are required);
    an ``id`` that exists is an error naming the file and line of the one
    that has it.
    """
    source_id = tracker.resolve_source(source)
    fields = dict(fields)
    given = id or fields.pop("id", None)

    def work(change: Change):
        # Chosen under the lock, from the files as they are: two writers never pick the same one.
        rec_id = given or _next_free(source_id, set(change.ws.recommendations) | tracker._retired)
        if rec_id in change.ws.locations:
            raise InputError(f"{rec_id!r} already exists at {change.ws.locations[rec_id]}")
        values = ordered(RECOMMENDATION_SPEC, checked(RECOMMENDATION_SPEC, "recommendation",
                                                        {"id": rec_id, **fields}))
        for name in ("title", "text"):
            if not values.get(name):
                raise InputError(f"a recommendation needs a {name}")
        doc = change.doc(_source_file(change, source_id))
        doc.set(("recommendations",), list(doc.value(("recommendations",)) or []) + [values])
        change.event(rec_id, field=None, old=None, new={**values, "source": source_id}, by=by)
        return lambda t: t.get(rec_id)

    return run_change(tracker, work)


def set_fields(tracker: Tracker, ref: str, changes: Mapping[str, Any] | None = None, *,
               add: Mapping[str, Iterable[str]] | None = None, remove: Mapping[str, Iterable[str]] | None = None,
               by: str | None = None, expect_version: str | None = None) -> Recommendation:
    """Change fields of a recommendation in its YAML file (``None`` removes a field).

    ``add`` and ``remove`` add items to or take items from list fields
    (``{"themes": ["health"]}``). ``status`` and ``response`` change with
    :meth:`Tracker.update` and :meth:`Tracker.respond`; ``owners`` and ``due``
    only while the journal has not changed them. ``expect_version`` refuses
    the change if the recommendation changed since that version was read
    (see :mod:`diasporatrack.versions`), checked under the lock.
    """
    from .versions import check_version

    rec_id = tracker.resolve(ref)
    changes, add, remove = dict(changes or {}), dict(add or {}), dict(remove or {})
    _guard_journaled(tracker, rec_id, {*changes, *add, *remove})

    def work(change: Change):
        check_version(tracker.get(rec_id), expect_version)  # the journal was caught up under the lock
        doc, index = _locate(change, rec_id)
        apply_fields(change, doc, ("recommendations", index), RECOMMENDATION_SPEC, rec_id, rec_id, changes,
                      add, remove, ("title", "text"), None, by)
        return lambda t: t.get(rec_id)

    return run_change(tracker, work)


def _guard_journaled(tracker: Tracker, rec_id: str, names: Iterable[str]) -> None:
    """Refuse to write fields whose changes belong to the journal (status, response; owners, due once used)."""
    history = tracker.get(rec_id).history
    touched = {"owners": lambda e: e.owners_added or e.owners_removed,
               "due": lambda e: e.due is not None or e.due_cleared}
    for name in names:
        if name in JOURNALED:
            raise InputError(f"{name} changes are recorded in the journal: use {JOURNALED[name]}")
        if name in touched and any(touched[name](e) for e in history):
            raise InputError(f"the {name} of {rec_id} were changed with update; change them with update")


def remove_recommendation(tracker: Tracker, ref: str, *, by: str | None = None) -> Recommendation:
    """Take a recommendation out of its file (one typed by mistake); its history stays in the journal."""
    rec_id = tracker.resolve(ref)
    removed = tracker.get(rec_id)

    def work(change: Change):
        doc, index = _locate(change, rec_id)
        items = list(doc.value(("recommendations",)))
        old = items.pop(index)
        doc.set(("recommendations",), items)
        change.event(rec_id, field=None, old={**old, "source": removed.source}, new=None, by=by)
        return removed

    return run_change(tracker, work)


def move_recommendation(tracker: Tracker, ref: str, to_source: str, *, by: str | None = None) -> Recommendation:
    """Move a recommendation, its lines as written, to the file of another source."""
    rec_id = tracker.resolve(ref)
    target = tracker.resolve_source(to_source)
    if tracker.get(rec_id).source == target:
        raise InputError(f"{rec_id} already belongs to {target}")

    def work(change: Change):
        doc, index = _locate(change, rec_id)
        text = doc.item_text(("recommendations", index))
        items = list(doc.value(("recommendations",)))
        items.pop(index)
        doc.set(("recommendations",), items)
        change.doc(_source_file(change, target)).append_item_text(("recommendations",), text)
        change.event(rec_id, field="source", old=tracker.get(rec_id).source, new=target, by=by)
        return lambda t: t.get(rec_id)

    return run_change(tracker, work)


def recommendation_text(tracker: Tracker, ref: str) -> str:
    """The YAML lines of one recommendation as written (comments included), unindented: for an editor."""
    rec_id = tracker.resolve(ref)
    ws = read_workspace(tracker.root)
    if rec_id not in ws.locations:
        raise NotFound(f"no recommendation {rec_id!r} in the files")
    doc = Document(read_text(Path(ws.locations[rec_id].path)), str(ws.locations[rec_id].path))
    index = [item.get("id") for item in doc.value(("recommendations",))].index(rec_id)
    return doc.item_text(("recommendations", index))


def check_recommendation_text(text: str, rec_id: str | None = None) -> list[Problem]:
    """Problems of an edited recommendation text (lines counted in ``text``); empty when it is valid."""
    from .yamlio import YamlProblem, load_yaml

    where = Path("<edited text>")
    problems: list[Problem] = []
    try:
        raw = load_yaml(where, text)
    except YamlProblem as err:
        return [err.problem]
    fields = FieldChecker(where, problems).fields(raw, RECOMMENDATION_SPEC, ("id", "title", "text"),
                                              "recommendation", 1)
    if fields is not None and rec_id is not None and fields["id"] != rec_id:
        problems.append(Problem(message=f"the id cannot change (it was {rec_id!r})", path=where,
                                line=raw.line_of("id")))
    return problems


def replace_recommendation_text(tracker: Tracker, ref: str, text: str, *, by: str | None = None) -> Recommendation:
    """Put an edited :func:`recommendation_text` back in its file; each changed field is journaled.

    The edited lines replace the old ones as they are (comments too); an
    invalid text raises :class:`WorkspaceError` with its problems and
    nothing is written.
    """
    rec_id = tracker.resolve(ref)
    problems = check_recommendation_text(text, rec_id)
    if problems:
        raise WorkspaceError(problems)

    def work(change: Change):
        doc, index = _locate(change, rec_id)
        old = to_json(doc.value(("recommendations", index)))
        doc.replace_item_text(("recommendations", index), text)
        change.text_only = True  # the person's own lines are kept even when only a comment changed
        new = to_json(doc.value(("recommendations", index)))
        changed = [name for name in dict.fromkeys([*old, *new]) if old.get(name) != new.get(name)]
        _guard_journaled(tracker, rec_id, changed)
        for name in changed:
            change.event(rec_id, field=name, old=old.get(name), new=new.get(name), by=by)
        return lambda t: t.get(rec_id)

    return run_change(tracker, work)


# Offered, commented out, in the text of a new recommendation.
_TEMPLATE_HINTS = ("quote", "addressed_to", "owners", "themes", "due", "impact")


def new_recommendation_text(tracker: Tracker, source: str, fields: Mapping[str, Any] | None = None, *,
                            id: str | None = None) -> str:
    """The text of a new recommendation for an editor: ``fields`` filled in, the next free id.

    ``title`` and ``text`` are left empty when not given (saving them empty
    is refused); a few optional fields are offered as comments.
    """
    source_id = tracker.resolve_source(source)
    values = dict(fields or {})
    values.pop("id", None)
    head = {"id": id or next_id(tracker, source_id), **checked(RECOMMENDATION_SPEC, "recommendation", values)}
    text = render_document({"id": head["id"]})
    for name in ("title", "text"):
        text += render_document({name: head[name]}) if head.get(name) is not None else f"{name}:\n"
    rest = ordered(RECOMMENDATION_SPEC, {k: v for k, v in head.items() if k not in ("id", "title", "text")})
    text += render_document(rest) if rest else ""
    hints = [f"# {name}: {'YYYY-MM-DD' if name == 'due' else '[]' if name in LIST_FIELDS else ''}".rstrip()
             for name in _TEMPLATE_HINTS if head.get(name) is None]
    return text + "".join(line + "\n" for line in hints)


def add_recommendation_text(tracker: Tracker, source: str, text: str, *, by: str | None = None) -> Recommendation:
    """Append an edited :func:`new_recommendation_text` to a source's file, as written (comments too).

    An invalid text raises :class:`WorkspaceError` with its problems (lines
    counted in ``text``); an id that exists raises :class:`InputError`
    naming where; nothing is written.
    """
    source_id = tracker.resolve_source(source)
    problems = check_recommendation_text(text)
    if problems:
        raise WorkspaceError(problems)
    from .yamlio import load_yaml

    fields = to_json(dict(load_yaml(None, text)))  # type: ignore[arg-type]
    for name in ("title", "text"):
        if not str(fields.get(name) or "").strip():
            raise InputError(f"a recommendation needs a {name}")
    rec_id = fields["id"]

    def work(change: Change):
        if rec_id in change.ws.locations:
            raise InputError(f"{rec_id!r} already exists at {change.ws.locations[rec_id]}")
        change.doc(_source_file(change, source_id)).append_item_text(("recommendations",), text)
        change.event(rec_id, field=None, old=None, new={**fields, "source": source_id}, by=by)
        return lambda t: t.get(rec_id)

    return run_change(tracker, work)


# --- sources and owners ----------------------------------------------------------


def add_source(tracker: Tracker, fields: Mapping[str, Any], *, path: str | Path | None = None,
               by: str | None = None) -> Source:
    """Create a source file (``ID.yaml`` in the workspace unless ``path``) with no recommendations yet."""
    values = ordered(SOURCE_SPEC, checked(SOURCE_SPEC, "source", fields))
    for name in ("id", "title"):
        if not values.get(name):
            raise InputError(f"a source needs {'an' if name == 'id' else 'a'} {name}")
    source_id = values["id"]
    target = Path(path) if path is not None else tracker.root / f"{source_id}.yaml"
    if not target.is_absolute() and path is not None:
        target = tracker.root / target
    if target.suffix not in (".yaml", ".yml"):
        raise InputError(f"{target}: a source file's name ends in .yaml")

    def work(change: Change):
        if "source:" + source_id in change.ws.locations:
            raise InputError(f"source {source_id!r} already exists at {change.ws.locations['source:' + source_id]}")
        if target.exists():
            raise InputError(f"{display_path(target)} already exists; nothing was written")
        target.parent.mkdir(parents=True, exist_ok=True)
        change.new_files[target] = render_document({"source": values, "recommendations": []})
        change.event(source_id, field=None, old=None, new=values, subject="source", by=by)
        return lambda t: t.sources[source_id]

    return run_change(tracker, work)


def set_source_fields(tracker: Tracker, ref: str, changes: Mapping[str, Any] | None = None, *,
                      add: Mapping[str, Iterable[str]] | None = None,
                      remove: Mapping[str, Iterable[str]] | None = None, by: str | None = None) -> Source:
    """Change fields of a source's ``source:`` block (``None`` removes a field; lists: ``add``/``remove``)."""
    source_id = tracker.resolve_source(ref)

    def work(change: Change):
        doc = change.doc(_source_file(change, source_id))
        apply_fields(change, doc, ("source",), SOURCE_SPEC, f"source {source_id}", source_id, dict(changes or {}),
                      dict(add or {}), dict(remove or {}), ("title",), "source", by)
        return lambda t: t.sources[source_id]

    return run_change(tracker, work)


def add_owner(tracker: Tracker, fields: Mapping[str, Any], *, by: str | None = None) -> Owner:
    """Add an owner at the end of ``owners.yaml`` (created if missing)."""
    values = ordered(OWNER_SPEC, checked(OWNER_SPEC, "owner", fields))
    for name in ("id", "name"):
        if not values.get(name):
            raise InputError(f"an owner needs {'an' if name == 'id' else 'a'} {name}")
    owner_id = values["id"]

    def work(change: Change):
        if "owner:" + owner_id in change.ws.locations:
            raise InputError(f"owner {owner_id!r} already exists at {change.ws.locations['owner:' + owner_id]}")
        path = change.root / OWNERS_FILE
        if path.exists():
            doc = change.doc(path)
            doc.set(("owners",), list(doc.value(("owners",)) or []) + [values])
        else:
            change.new_files[path] = render_document({"owners": [values]})
        change.event(owner_id, field=None, old=None, new=values, subject="owner", by=by)
        return lambda t: t.owners[owner_id]

    return run_change(tracker, work)


def set_owner_fields(tracker: Tracker, ref: str, changes: Mapping[str, Any] | None = None, *,
                     by: str | None = None) -> Owner:
    """Change fields of an owner in ``owners.yaml`` (``None`` removes a field)."""
    owner_id = tracker.resolve_owner(ref)

    def work(change: Change):
        doc = change.doc(change.root / OWNERS_FILE)
        index = [o.get("id") if isinstance(o, dict) else None for o in doc.value(("owners",))].index(owner_id)
        apply_fields(change, doc, ("owners", index), OWNER_SPEC, f"owner {owner_id}", owner_id,
                      dict(changes or {}), {}, {}, ("name",), "owner", by)
        return lambda t: t.owners[owner_id]

    return run_change(tracker, work)
