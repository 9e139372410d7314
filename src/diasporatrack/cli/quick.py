"""`list` answered straight from a fresh cache, before the parser, the model or a plugin is loaded.

Most commands a person types are a `list`, and most find the cache fresh.
Then the answer is in the cache's rows already (their table cells and
JSON text), so this path reads them with SQLite alone: start-up is the
cost of a command, not of importing the library. It takes only what it can
answer exactly as the full command would: the indexed filters (status,
owner, source, theme, addressee, response, unowned), sorted by id, as a
table or (to a program) JSON. Anything else (another option, a value it
cannot resolve, a cache that is not fresh, any error) returns None before
printing a thing, and the full command runs.
"""

from __future__ import annotations

import os
import sys

# list's options this path answers, with the filter each one feeds
_VALUED = {"--status": "status", "--owner": "owner", "--source": "source", "--theme": "theme",
           "--addressed-to": "addressed_to", "--response": "response", "--format": "format", "--sort": "sort",
           "--root": "root"}


def parse_list(argv: list[str]) -> dict | None:
    """The options of ``[--root DIR] [--debug] [--no-plugins] list [OPTION ...]``, or None for anything else.

    Only exact option names (argparse also takes unique abbreviations: the full parser gets those).
    """
    given: dict = {"root": None, "unowned": False, "format": "table", "sort": "id"}
    seen_command = False
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if not token.startswith("-"):
            if seen_command or token != "list":
                return None
            seen_command = True
            continue
        name, eq, value = token.partition("=")
        if name in ("--debug", "--no-plugins") and not eq and not seen_command:
            continue
        if name == "--unowned" and not eq and seen_command:
            given["unowned"] = True
            continue
        key = _VALUED.get(name)
        if key is None or (key != "root" and not seen_command):
            return None
        if not eq:
            if i == len(argv):
                return None
            value = argv[i]
            i += 1
        if value.startswith("-"):
            return None  # argparse reads that as an option, not a value
        if key in ("root", "format", "sort"):
            given[key] = value
        else:
            given.setdefault(key, []).append(value)
    return given if seen_command else None


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
        fresh = open_fresh(root) if root is not None else None
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
