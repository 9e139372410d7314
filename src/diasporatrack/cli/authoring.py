"""`add`, `set`, `edit`, `remove` and `move`: change what a recommendation says, in its YAML file.

The library changes only the lines of the changed values, checks the whole
workspace before writing, and journals every change (see
:mod:`diasporatrack.authoring`); this module turns options into fields.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import InputError, WorkspaceError
from .common import EXIT_OK, add_id, completed, open_tracker

COMMANDS = ("add", "set", "edit", "remove", "move")

# Scalar fields: option -> (field, type, help).
SCALARS: dict[str, tuple[str, Any, str]] = {
    "--title": ("title", str, "a short title"),
    "--text": ("text", str, "what is recommended, in your words"),
    "--quote": ("quote", str, "the verbatim words of the source"),
    "--reference": ("reference", str, "where it sits in its source (para 140.7, stance point 5)"),
    "--review-every": ("review_every", int, "review cadence in days"),
    "--impact": ("impact", str, "none, minor, moderate or transformative"),
    "--author-group": ("author_group", str, "the authors' group (a regional group)"),
    "--action-category": ("action_category", int, "UPR Info's action category, 1 to 5"),
    "--cycle": ("cycle", str, "the review cycle"),
    "--session": ("session", str, "the session"),
    "--parent": ("parent", str, "the recommendation it belongs under (a cluster)"),
    "--weight": ("weight", float, "its weight in its parent's progress"),
    "--progress-from": ("progress_from", str, "status or actions: what its progress comes from when none is "
                        "set (overrides the workspace's progress_from)"),
}
# List fields: singular option word -> (field, help).
LISTS: dict[str, tuple[str, str]] = {
    "theme": ("themes", "a theme"),
    "addressee": ("addressed_to", "who is asked to act (UN, diaspora, ...)"),
    "author": ("author", "who recommended it"),
    "link": ("links", "a link"),
    "sdg": ("sdgs", "an SDG goal or target (5, 16.3)"),
    "affected": ("affected_persons", "a group of persons concerned"),
    "cite": ("cites", "a finding it rests on"),
}
CLEARABLE = sorted({f for f, _, _ in SCALARS.values()} | {f for f, _ in LISTS.values()}
                   | {"due", "extra", "translations"} - {"title", "text"})


def _extra(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--extra {pair!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def _scalar_fields(args: argparse.Namespace) -> dict[str, Any]:
    return {field: getattr(args, field) for field, _, _ in SCALARS.values() if getattr(args, field) is not None}


def _on_day(command):
    """Run a command inside ``Tracker.happened_on(--at)`` so its edits carry the day they happened."""
    def run(args: argparse.Namespace) -> int:
        if getattr(args, "at", None) is None:
            return command(args)
        tracker = open_tracker(args)
        with tracker.happened_on(args.at):
            args.opened_tracker = tracker
            return command(args)

    run.__name__, run.__doc__, run.__module__ = command.__name__, command.__doc__, command.__module__
    return run


def _tracker(args: argparse.Namespace):
    return getattr(args, "opened_tracker", None) or open_tracker(args)


@_on_day
def cmd_add(args: argparse.Namespace) -> int:
    tracker = _tracker(args)
    fields = _scalar_fields(args)
    for word, (field, _) in LISTS.items():
        values = getattr(args, f"list_{word}")
        if values:
            fields[field] = values
    if args.owner:
        fields["owners"] = [tracker.resolve_owner(o) for o in args.owner]
    for name in ("due", "status"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    if args.extra:
        fields["extra"] = _extra(args.extra)
    if args.draft:
        fields["draft"] = True
    if args.edit:
        fields = _edit_new(tracker, args.source, args.id, fields)
    rec = tracker.add_recommendation(args.source, fields, id=args.id, by=args.by)
    print(f"added {rec.id} to {rec.source}")
    return EXIT_OK


@_on_day
def cmd_set(args: argparse.Namespace) -> int:
    if args.status_journaled is not None:
        raise InputError("a status change is recorded in the journal: use diasporatrack update ID --status ...")
    if args.response_journaled is not None:
        raise InputError("a response is recorded in the journal: use diasporatrack respond ID RESPONSE")
    tracker = _tracker(args)
    changes = _scalar_fields(args)
    add: dict[str, list[str]] = {}
    remove: dict[str, list[str]] = {}
    for word, (field, _) in LISTS.items():
        if getattr(args, f"add_{word}"):
            add[field] = getattr(args, f"add_{word}")
        if getattr(args, f"remove_{word}"):
            remove[field] = getattr(args, f"remove_{word}")
    if args.extra:
        rec = tracker.get(args.id)
        changes["extra"] = {**dict(getattr(rec, "extra", {}) or {}), **_extra(args.extra)}
    if args.translation:  # merged into the translations written, like --extra
        from ..translations import with_entries

        changes["translations"] = with_entries(tracker.get(args.id).translations, args.translation) or None
    if args.draft is not None:
        changes["draft"] = True if args.draft else None
    for field in args.clear or ():
        changes[field] = None
    if not (changes or add or remove):
        raise InputError("nothing to change: give at least one option (see: diasporatrack set --help)")
    before = tracker.get(args.id)
    after = tracker.set_fields(args.id, add=add or None, remove=remove or None, by=args.by,
                               expect_version=args.expect_version, **changes)
    changed = [e.field for e in after.history if e.kind == "edit"][len([e for e in before.history
                                                                         if e.kind == "edit"]):]
    print(f"{after.id}: " + (f"changed {', '.join(dict.fromkeys(f for f in changed if f))}" if changed
                             else "no change (the values were already so)"))
    return EXIT_OK


def _editor() -> list[str]:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(editor)


def _run_editor(text: str, name: str) -> str:
    """Let the user edit ``text`` in $VISUAL/$EDITOR; the edited text."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix=f"{name}-", delete=False,
                                     encoding="utf-8") as fh:
        fh.write(text)
        path = Path(fh.name)
    try:
        try:
            done = subprocess.run([*_editor(), str(path)], check=False)
        except OSError as err:
            raise InputError(f"cannot start the editor {' '.join(_editor())!r}: {err.strerror or err}; "
                             "set $EDITOR") from None
        if done.returncode != 0:
            raise InputError(f"the editor exited with code {done.returncode}; nothing was changed")
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)


def _recovery(tracker, name: str, text: str) -> Path:
    """Keep an edited text that could not be saved, so no typing is lost."""
    folder = Path(tempfile.gettempdir()) / "diasporatrack-recovery"
    folder.mkdir(mode=0o700, exist_ok=True)
    fd, path = tempfile.mkstemp(dir=folder, prefix=f"{name}-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(path)


def _refuse(tracker, name: str, text: str, problems) -> None:
    kept = _recovery(tracker, name, text)
    for problem in problems:
        print(f"diasporatrack: {problem}", file=sys.stderr)
    raise InputError(f"nothing was saved; your text is kept in {kept} "
                     f"(fix it and run: diasporatrack edit {name} --from {kept})")


@_on_day
def cmd_edit(args: argparse.Namespace) -> int:
    from ..authoring import check_recommendation_text, recommendation_text, replace_recommendation_text

    tracker = _tracker(args)
    rec_id = tracker.resolve(args.id)
    original = recommendation_text(tracker, rec_id)
    if args.from_file:
        try:
            edited = Path(args.from_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"{args.from_file}: cannot read: {err}") from None
    else:
        edited = _run_editor(original, rec_id)
    if edited == original:
        print(f"{rec_id}: no change", file=sys.stderr)
        return EXIT_OK
    problems = check_recommendation_text(edited, rec_id)
    if problems:
        _refuse(tracker, rec_id, edited, problems)
    try:
        after = replace_recommendation_text(tracker, rec_id, edited, by=args.by)
    except (WorkspaceError, InputError) as err:
        kept = _recovery(tracker, rec_id, edited)
        raise InputError(f"{err}; nothing was saved; your text is kept in {kept}") from None
    print(f"{after.id}: saved")
    return EXIT_OK


def _edit_new(tracker, source: str, rec_id: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    """Open a filled template of a new recommendation in the editor; the fields it holds after."""
    from ..authoring import check_recommendation_text, next_id
    from ..yamlemit import render_document
    from ..yamlio import load_yaml

    source_id = tracker.resolve_source(source)
    new_id = rec_id or next_id(tracker, source_id)
    template = {"id": new_id, "title": fields.pop("title", "TITLE"), "text": fields.pop("text", "TEXT"), **fields}
    text = _run_editor("# A new recommendation of " + source_id + ": fill in, save and close.\n"
                       + render_document(template), new_id)
    problems = check_recommendation_text(text)
    if problems:
        _refuse(tracker, new_id, text, problems)
    raw = load_yaml(Path("<edited text>"), text)
    return {k: v for k, v in raw.items()}


@_on_day
def cmd_remove(args: argparse.Namespace) -> int:
    tracker = _tracker(args)
    rec = tracker.remove_recommendation(args.id, by=args.by)
    print(f"removed {rec.id} from {rec.source} (its history stays in the journal)")
    return EXIT_OK


@_on_day
def cmd_move(args: argparse.Namespace) -> int:
    tracker = _tracker(args)
    rec = tracker.move_recommendation(args.id, args.to_source, by=args.by)
    print(f"moved {rec.id} to {rec.source}")
    return EXIT_OK


def _add_by(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", help="who is making the change (default: $DIASPORATRACK_USER, else your login)")
    p.add_argument("--at", metavar="DATE", help="the day the change was made, when that was before today "
                   "(YYYY-MM-DD): journaled as such, so --as-of and log go by it")


def _add_scalars(p: argparse.ArgumentParser) -> None:
    for option, (field, kind, help_text) in SCALARS.items():
        p.add_argument(option, dest=field, type=kind, metavar=field.upper().replace("_", "-"), help=help_text)
    p.add_argument("--extra", action="append", metavar="KEY=VALUE", help="a further field of the source (repeatable)")


def register(sub, plugins) -> None:
    p = sub.add_parser("add", help="add a recommendation to a source's file")
    completed(p.add_argument("source", metavar="SOURCE", help="the source it comes from (id or unique prefix)"),
              "sources")
    p.add_argument("--id", help="its id (default: the next free SOURCE-NNN)")
    _add_scalars(p)
    for word, (field, help_text) in LISTS.items():
        p.add_argument(f"--{word}", dest=f"list_{word}", action="append", metavar=word.upper(),
                       help=f"{help_text} (repeatable)")
    completed(p.add_argument("--owner", action="append", help="an owner (repeatable)"), "owners")
    p.add_argument("--due", metavar="DATE", help="due date YYYY-MM-DD")
    completed(p.add_argument("--status", help="its status in the file (default: the first of the lifecycle)"),
              "statuses")
    p.add_argument("--draft", action="store_true", help="mark it as a draft to review")
    p.add_argument("--edit", action="store_true", help="open $EDITOR on a filled template before adding")
    _add_by(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("set", help="change what a recommendation says: title, text, themes, addressees, ...")
    add_id(p)
    _add_scalars(p)
    for word, (field, help_text) in LISTS.items():
        p.add_argument(f"--add-{word}", dest=f"add_{word}", action="append", metavar=word.upper(),
                       help=f"add {help_text} (repeatable)")
        p.add_argument(f"--remove-{word}", dest=f"remove_{word}", action="append", metavar=word.upper(),
                       help=f"remove {help_text} (repeatable)")
    p.add_argument("--translation", action="append", metavar="LANG:FIELD=TEXT",
                   help="a translation, e.g. ur:title=... (repeatable; an empty TEXT removes it; fields: title, "
                        "text, quote: a quote's translation is shown beside the quote, never instead of it)")
    p.add_argument("--draft", dest="draft", action="store_true", default=None, help="mark it as a draft")
    p.add_argument("--no-draft", dest="draft", action="store_false", help="it has been reviewed: not a draft any more")
    for journaled in ("--status", "--response"):  # said where they belong, instead of "unrecognized"
        p.add_argument(journaled, dest=journaled[2:] + "_journaled", help=argparse.SUPPRESS)
    p.add_argument("--clear", action="append", choices=CLEARABLE, metavar="FIELD",
                   help=f"remove a field from the file (repeatable): {', '.join(CLEARABLE)}")
    p.add_argument("--expect-version", metavar="VERSION",
                   help="refuse the change if the recommendation is no longer at this version (as `show` prints it)")
    _add_by(p)
    p.set_defaults(func=cmd_set)

    p = sub.add_parser("edit", help="edit a recommendation's lines in $EDITOR; checked before it is saved")
    add_id(p)
    p.add_argument("--from", dest="from_file", metavar="FILE",
                   help="take the edited text from FILE (a recovery file) instead of opening the editor")
    _add_by(p)
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("remove", help="remove a recommendation typed by mistake (its history stays in the journal)")
    add_id(p)
    _add_by(p)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("move", help="move a recommendation to another source's file")
    add_id(p)
    completed(p.add_argument("--to-source", required=True, metavar="SOURCE", help="the source to move it to"),
              "sources")
    _add_by(p)
    p.set_defaults(func=cmd_move)
