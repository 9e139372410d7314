"""`list` and `export json` answered straight from a fresh cache, before the parser, the model or a plugin loads.

Most commands a person types are a `list`, and most find the cache fresh.
Then the answer is in the cache's rows already (their table cells, their
JSON text, their part of an export), so this path reads them with SQLite
alone: start-up is the cost of a command, not of importing the library. It
takes only what it can answer exactly as the full command would: the
indexed filters (status, owner, source, theme, addressee, response,
unowned); for `list`, sorted by id, as a table or (to a program) JSON; for
`export json`, to standard output, while no plugin but the built-ins would
load and the workspace has no plan (`actions.yaml`). A cache that only some
edited files are newer than is first brought up to date by reading those
files alone (what the full command would do first too). Anything else
(another option, a value it cannot resolve, a cache that cannot be made
fresh that way, any error) returns None before printing a thing, and the
full command runs.
"""

from __future__ import annotations

import os
import sys

# The options this path answers, with the filter each one feeds
_FILTERS = {"--status": "status", "--owner": "owner", "--source": "source", "--theme": "theme",
            "--addressed-to": "addressed_to", "--response": "response", "--root": "root"}
_SINGLE = ("root", "format", "sort")  # the last one given counts; the others add up
PRIVATE_WARNING = ("private export: e-mail addresses and other contacts, members' names and every note are "
                   "included; do not publish it")


def parse_list(argv: list[str]) -> dict | None:
    """The options of ``[--root DIR] [--debug] [--no-plugins] list [OPTION ...]``, or None for anything else.

    Only exact option names (argparse also takes unique abbreviations: the full parser gets those).
    """
    given = {"format": "table", "sort": "id"}
    return _parse(argv, "list", {**_FILTERS, "--format": "format", "--sort": "sort"}, ("--unowned",), given, 0)


def parse_export(argv: list[str]) -> dict | None:
    """The options of ``[--root DIR] [--debug] [--no-plugins] export json [OPTION ...]``, or None for anything
    else (another format, ``-o``, ``--public``, ``--lang``, ``--as-of``, the other filters...)."""
    given = _parse(argv, "export", _FILTERS, ("--unowned", "--private"), {}, 1)
    return given if given is not None and given["args"] == ["json"] else None


def _parse(argv: list[str], command: str, valued: dict[str, str], flags: tuple[str, ...], given: dict,
           positionals: int) -> dict | None:
    """``given`` completed from ``argv`` (``command`` and up to ``positionals`` arguments), or None."""
    given.update(root=None, unowned=False, private=False, no_plugins=False, args=[])
    seen_command = False
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if not token.startswith("-"):
            if seen_command and len(given["args"]) < positionals:
                given["args"].append(token)
                continue
            if seen_command or token != command:
                return None
            seen_command = True
            continue
        name, eq, value = token.partition("=")
        if name in ("--debug", "--no-plugins") and not eq and not seen_command:
            given["no_plugins"] |= name == "--no-plugins"
            continue
        if name in flags and not eq and seen_command:
            given[name[2:]] = True
            continue
        key = valued.get(name)
        if key is None or (key != "root" and not seen_command):
            return None
        if not eq:
            if i == len(argv):
                return None
            value = argv[i]
            i += 1
        if value.startswith("-"):
            return None  # argparse reads that as an option, not a value
        if key in _SINGLE:
            given[key] = value
        else:
            given.setdefault(key, []).append(value)
    return given if seen_command and len(given["args"]) == positionals else None


def answer_list(given: dict) -> int | None:
    """Print the answer of ``list`` (options from :func:`parse_list`) from a fresh cache and return the exit
    code; None, having printed nothing, if the full command must run."""
    if given["sort"] != "id":
        return None
    machine = given["format"] == "json"
    if given["format"] not in ("table", "json") or (machine and sys.stdout.isatty()):
        return None  # csv, and JSON indented for a person, are made by the full command
    try:
        from ..cache.fresh import open_fresh
        from ..places import locate_root

        root = locate_root(given["root"])
        # A cache that only some edited files are newer than is brought up to date first, reading those alone.
        fresh = open_fresh(root, catch_up=True) if root is not None else None
    except Exception:  # noqa: BLE001 - no workspace, an unreadable one: the full command says why
        return None
    if fresh is None:
        return None
    try:
        filters = _filters(fresh, given)
        if filters is None:
            return None
        if machine:
            from .common import write_rows

            write_rows(sys.stdout, (text for (text,) in fresh.select("json", **filters)))
            return 0
        rows = fresh.select("id, shown_status, shown_owners, due, title", **filters).fetchall()
    finally:
        fresh.close()
    if not rows:
        print("no recommendations match", file=sys.stderr)
        return 0
    from .common import shorten, table, title_width

    width = title_width()
    print(table([(rec_id, status, owners, due, shorten(title, width)) for rec_id, status, owners, due, title in rows],
                ("id", "status", "owners", "due", "title")))
    return 0


def answer_export(given: dict) -> int | None:
    """Write ``export json`` (options from :func:`parse_export`) from a fresh cache and return the exit code;
    None, having printed nothing, if the full command must run."""
    try:
        from ..cache.fresh import open_fresh
        from ..places import ACTIONS_FILE, locate_root

        root = locate_root(given["root"])
        if root is None or os.path.lexists(os.path.join(root, ACTIONS_FILE)) or _plugins_load(given):
            return None  # the plan's actions are read from their file; a plugin may add to the export, or fail
        fresh = open_fresh(root)
    except Exception:  # noqa: BLE001 - no workspace, an unreadable one, broken plugin metadata: the full command
        return None
    if fresh is None:
        return None
    try:
        filters = _filters(fresh, given)
        if filters is None or fresh.plugin_settings:
            return None
        statuses, owners, sources = fresh.export_parts()
        used = dict(fresh.select("source, COUNT(*)", then=" GROUP BY source", **filters).fetchall())
        every = sum(used.values()) == fresh.count()  # then every source is listed, as the exporter does
        import time

        from ..builtin.json_layout import FIRST, NEXT, TAIL, head

        if given["private"]:
            print(PRIVATE_WARNING, file=sys.stderr)
        out = sys.stdout
        out.write(head(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), statuses,
                       [text for sid, text in sources if every or sid in used], owners))
        rows = fresh.select("export", **filters)
        before = FIRST
        while batch := rows.fetchmany(1000):  # never every row at once: a large workspace streams
            out.write(before + NEXT.join([text for (text,) in batch]))
            before = NEXT
        out.write(TAIL)
        return 0
    finally:
        fresh.close()


def _plugins_load(given: dict) -> bool:
    """Whether the full command would load an installed plugin (one may add an exporter, claim ``json``, fail)."""
    from ..switches import NO_PLUGINS_ENV, flag, installed_allowed

    if given["no_plugins"] or flag(NO_PLUGINS_ENV):
        return False
    from ..entrypoints import GROUP, listed

    return any(installed_allowed(name) for name, *_ in listed(GROUP))


def _filters(fresh, given: dict) -> dict | None:
    """The filters as exact sets, resolved as the tracker resolves them; None if one needs the tracker's message."""
    filters: dict = {"unowned": given["unowned"]}
    if "status" in given:
        if not set(given["status"]) <= set(fresh.statuses):
            return None
        filters["statuses"] = set(given["status"])
    if "response" in given:
        if not set(given["response"]) <= set(fresh.responses):
            return None
        filters["responses"] = set(given["response"])
    if "owner" in given:
        owners: set[str] = set()
        for ref in given["owner"]:
            found = _resolve(ref, fresh.owners)
            if found is None:
                return None
            owners |= _with_descendants(found, fresh.owners)
        filters["owners"] = owners
    if "source" in given:
        sources = fresh.sources()
        found_sources = {_resolve(ref, sources) for ref in given["source"]}
        if None in found_sources:
            return None
        filters["sources"] = found_sources
    if "theme" in given or "addressed_to" in given:
        from ..labels import label_key

        if "theme" in given:
            filters["themes"] = {label_key(t) for t in given["theme"]}
        if "addressed_to" in given:
            filters["addressees"] = {label_key(a) for a in given["addressed_to"]}
    return filters


def _resolve(ref: str, ids) -> str | None:
    """The id itself or the one id it begins (as the tracker resolves ids); None where it would say no."""
    if ref in ids:
        return ref
    matches = [key for key in ids if key.startswith(ref)] if ref else []
    return matches[0] if len(matches) == 1 else None


def _with_descendants(owner: str, parents: dict[str, str | None]) -> set[str]:
    """An owner and every owner under it, as the tracker finds them."""
    found = {owner}
    grew = True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in found and child not in found:
                found.add(child)
                grew = True
    return found
