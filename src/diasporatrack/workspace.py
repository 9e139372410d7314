"""Reading a workspace directory into model objects, with every problem located.

A workspace holds one YAML file per source document (any depth),
``owners.yaml``, an optional ``diasporatrack.yaml`` and the journal. The
reader never raises on bad content: it returns a :class:`Workspace` whose
``problems`` list every mistake as ``file:line: message``, so ``validate``
can show them all at once. Writing them is :mod:`diasporatrack.authoring`'s job.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs

from .errors import Problem
from .lifecycle import DEFAULT_LIFECYCLE, DEFAULT_RESPONSES, Lifecycle, Response, Responses, Status
from .model import ID_PATTERN, IMPACTS, MAX_DAYS, NAME_PATTERN, Finding, Owner, Recommendation, Source, date_in_range
from .textsafety import quote

OWNERS_FILE = "owners.yaml"
CONFIG_FILE = "diasporatrack.yaml"
DEFAULT_DIR = "recommendations"
ROOT_ENV = "DIASPORATRACK_ROOT"
ACTIONS_FILE = "actions.yaml"  # the plan (see diasporatrack.actions): never a source file
CONFIG_KEYS = ("statuses", "responses", "reminders", "urgency", "plugins", "disable", "publish", "action_statuses",
               "progress_from")


@attrs.frozen
class Location:
    """Where something was written: a file and a line."""

    path: Path
    line: int | None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)


@attrs.define
class Workspace:
    """The authored content of a workspace, as read from its YAML files."""

    root: Path
    lifecycle: Lifecycle = DEFAULT_LIFECYCLE
    responses: Responses = DEFAULT_RESPONSES
    config: dict[str, Any] = attrs.Factory(dict)
    sources: dict[str, Source] = attrs.Factory(dict)
    owners: dict[str, Owner] = attrs.Factory(dict)
    recommendations: dict[str, Recommendation] = attrs.Factory(dict)
    locations: dict[str, Location] = attrs.Factory(dict)
    problems: list[Problem] = attrs.Factory(list)
    links: list[Any] = attrs.Factory(list)  # parents and citations, checked once every file is read
    children: dict[str, tuple[str, ...]] = attrs.Factory(dict)  # parent id -> children ids (clusters)
    source_paths: dict[str, Path] = attrs.Factory(dict)  # the file each source was read from (for the cache)


# --- finding the workspace ------------------------------------------------


def is_workspace(path: Path) -> bool:
    # lexists: a workspace whose settings are a link is still found, and then refused with a located error.
    return os.path.lexists(path / CONFIG_FILE) or os.path.lexists(path / OWNERS_FILE)


def find_root(root: str | os.PathLike[str] | None = None, start: Path | None = None) -> Path:
    """The workspace directory: ``root``, else ``$DIASPORATRACK_ROOT``, else
    the nearest workspace or ``recommendations/`` upward from ``start``."""
    from .errors import InputError

    given = root if root is not None else os.environ.get(ROOT_ENV) or None
    if given is not None:
        path = Path(given)
        try:
            is_dir = path.is_dir()
        except OSError as err:  # a name too long, a loop of links
            from .safeio import describe_os_error

            raise InputError(f"workspace {quote(str(path))} {describe_os_error(err)}") from None
        if not is_dir:
            raise InputError(f"workspace {quote(str(path))} is not a directory")
        return path
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if is_workspace(directory):
            return directory
        candidate = directory / DEFAULT_DIR
        if candidate.is_dir():
            return candidate
    raise InputError(
        f"no workspace found in {here} or above: run 'diasporatrack init', or pass --root "
        f"or set {ROOT_ENV}"
    )


def display_path(path: Path) -> Path:
    """A path as short as it can be for messages: relative to the cwd if inside it."""
    try:
        # The folders resolved, never the file itself: a link is named as the link, not as its target.
        return (path.parent.resolve() / path.name).relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path


def source_files(root: Path) -> list[Path]:
    """Every source YAML file of a workspace, in a stable order.

    A linked folder is listed too (it is not walked into): reading it then
    fails with a located error, so a link cannot hide or import files.
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        linked = [d for d in dirnames if not d.startswith((".", "_")) and os.path.islink(os.path.join(dirpath, d))]
        found.extend(Path(dirpath) / d for d in sorted(linked))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")) and d not in linked)
        top = Path(dirpath) == root
        for name in sorted(filenames):
            if not name.endswith((".yaml", ".yml")) or name.startswith("."):
                continue
            if top and name in (OWNERS_FILE, CONFIG_FILE, ACTIONS_FILE):
                continue
            found.append(Path(dirpath) / name)
    return found


# --- checking raw records -------------------------------------------------


class _Checker:
    """Turns raw YAML mappings into checked field values, recording problems."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems

    def problem(self, message: str, line: int | None) -> None:
        self.problems.append(Problem(message=message, path=self.path, line=line))

    def fields(
        self, raw: Any, spec: dict[str, Callable[[Any], Any]], required: Iterable[str], what: str, line: int | None
    ) -> dict[str, Any] | None:
        """Check a mapping against ``spec`` (field -> converter); None if unusable."""
        if not isinstance(raw, dict):
            self.problem(f"each {what} must be a mapping of fields, not {_kind(raw)}", line)
            return None
        line = getattr(raw, "line", line)
        out: dict[str, Any] = {}
        ok = True
        for key in raw:
            if key not in spec:
                hint = _did_you_mean(str(key), spec)
                self.problem(f"unknown field {quote(key)} in {what}{hint}", _line_of(raw, key))
                ok = False
        for key in required:
            if raw.get(key) is None:
                self.problem(f"{what} lacks required field {quote(key)}", line)
                ok = False
            elif isinstance(raw[key], str) and not raw[key].strip():
                self.problem(f"{what}: required field {key!r} is empty", _line_of(raw, key))
                ok = False
        for key, convert in spec.items():
            if key not in raw or raw[key] is None:
                continue
            try:
                out[key] = convert(raw[key])
            except ValueError as err:  # a mapping's converter may know the line of the entry at fault
                self.problem(f"{key}: {err}", getattr(err, "line", None) or _line_of(raw, key))
                ok = False
        return out if ok else None


def _line_of(raw: Any, key: Any) -> int | None:
    line_of = getattr(raw, "line_of", None)  # a LocatedDict from the YAML reader
    return line_of(key) if line_of is not None else None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {quote(value)}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return f"the text {quote(value)}"


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {quote(close[0])}?)" if close else ""


def text(value: Any) -> str:
    from .yamlio import ImpossibleDate

    if isinstance(value, ImpossibleDate):  # date-shaped, like a real date there: ask for quotes too
        raise ValueError(f"expected text, got the date-like {quote(str(value))} (put it in quotes)")
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {_kind(value)} (put it in quotes)")
    return value


def identifier(value: Any) -> str:
    import re

    value = text(value)
    if not re.match(ID_PATTERN, value):
        if len(value) > 128 and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]*", value):
            raise ValueError(f"{quote(value)} is not a valid id (at most 128 characters)")
        raise ValueError(f"{quote(value)} is not a valid id (letters, digits and . _ : - only)")
    return value


def text_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list such as [a, b], got {_kind(value)}")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"expected a list of text, found {_kind(item)}")
    return tuple(value)


def id_list(value: Any) -> tuple[str, ...]:
    return tuple(identifier(item) for item in text_list(value))


def date(value: Any) -> dt.date:
    from .yamlio import ImpossibleDate

    if isinstance(value, ImpossibleDate):
        raise ValueError(f"impossible date {quote(str(value))} ({value.reason})")
    if isinstance(value, dt.datetime):
        raise ValueError(f"expected a date (YYYY-MM-DD), got the time {value}")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{quote(value)} is not a date (YYYY-MM-DD)") from None
    if isinstance(value, dt.date):
        if date_in_range(value):  # later arithmetic and exporters would fail on it
            raise ValueError(date_in_range(value))
        return value
    raise ValueError(f"expected a date (YYYY-MM-DD), got {_kind(value)}")


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_DAYS:
        raise ValueError(f"expected a whole number of days from 1 to {MAX_DAYS:,}, got {_kind(value)}")
    return value


def impact(value: Any) -> str:
    value = text(value)
    if value not in IMPACTS:
        raise ValueError(f"{quote(value)} is not an impact rating; use one of {', '.join(IMPACTS)}")
    return value


SOURCE_SPEC = {
    "id": identifier, "title": text, "publisher": text, "kind": text, "date": date,
    "authors": text_list, "url": text, "note": text, "text_sha256": lambda v: sha256_hex(v),
}
def _recommendation_spec() -> dict[str, Callable[[Any], Any]]:
    from . import fieldcheck as f

    return {
        "id": identifier, "title": text, "text": text, "quote": text, "author": f.authors,
        "addressed_to": text_list, "owners": id_list, "themes": text_list, "status": text, "response": text,
        "due": date, "review_every": positive_int, "impact": impact, "links": text_list,
        "reference": text, "sdgs": f.sdg_list, "affected_persons": text_list, "author_group": text,
        "action_category": f.action_category, "cycle": f.text_or_number, "session": f.text_or_number,
        "extra": f.extra, "progress": f.percent, "parent": identifier, "weight": f.positive_number,
        "cites": id_list, "draft": lambda v: flag(v),
    }


RECOMMENDATION_SPEC = _recommendation_spec()
FINDING_SPEC = {"id": identifier, "text": text, "quote": text, "themes": text_list}
OWNER_SPEC = {"id": identifier, "name": text, "kind": text, "parent": identifier, "email": text, "note": text}
RESPONSE_SPEC = {"name": lambda v: status_name(v), "definition": text}
STATUS_SPEC = {"name": lambda v: status_name(v), "definition": text, "weight": lambda v: _weight(v), "next": text_list}


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_kind(value)}")
    return value


def sha256_hex(value: Any) -> str:
    import re

    value = text(value)
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise ValueError("expected a sha256 checksum: 64 lowercase hexadecimal digits")
    return value


def publish_fields(value: Any) -> tuple[str, ...]:
    from .publish.profile import ALWAYS_PUBLISHED, PUBLISHABLE_FIELDS

    fields = text_list(value)
    for name in fields:
        if name not in PUBLISHABLE_FIELDS + ALWAYS_PUBLISHED + ("author",):
            raise ValueError(f"{name!r} is not a recommendation field{_did_you_mean(name, PUBLISHABLE_FIELDS)}; "
                             f"use some of {', '.join(PUBLISHABLE_FIELDS)}")
    return fields


def accent_colour(value: Any) -> str:
    import re

    value = text(value)
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        raise ValueError(f"{quote(value)} is not a colour: use #RRGGBB, e.g. #1f6f78")
    return value.lower()


def label_language(value: Any) -> str:
    from .publish.labels import languages

    value = text(value)
    if value not in languages():
        raise ValueError(f"no labels for the language {quote(value)}{_did_you_mean(value, languages())}; "
                         f"use one of {', '.join(languages())}")
    return value


def logo_path(value: Any) -> str:
    import re

    value = text(value)
    parts = value.replace("\\", "/").split("/")
    if value.startswith("/") or ".." in parts or not re.search(r"\.(png|jpe?g|webp)\Z", value, re.IGNORECASE):
        raise ValueError(f"{quote(value)}: the logo is a PNG, JPEG or WebP file inside the workspace, "
                         "named by its path from the workspace (an SVG can carry script: it is refused)")
    return value


PUBLISH_SPEC = {
    "title": text, "description": text, "licence": text, "licence_url": text, "persons": flag,
    "fields": publish_fields, "statuses": lambda v: tuple(status_name(s) for s in text_list(v)), "sources": id_list,
    # The static site's settings (docs/publishing.md, "A static site"); every one is hostile input.
    "introduction": text, "logo": logo_path, "language": label_language, "accent": accent_colour,
}


def status_name(value: Any) -> str:
    import re

    value = text(value)
    if not re.match(NAME_PATTERN, value):
        raise ValueError(f"{quote(value)} is not a valid status name "
                         "(lowercase letters, digits and - only, at most 64)")
    return value


def _weight(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"expected a number from 0 to 1, got {_kind(value)}")
    return float(value)


# --- reading --------------------------------------------------------------


def _load(root: Path, path: Path, kind: str, problems: list[Problem], text: str | None = None) -> Any:
    from .yamlio import YamlProblem, load_yaml  # PyYAML is only imported when a file is read

    try:
        return load_yaml(path, text, root=root, kind=kind)
    except YamlProblem as err:
        problems.append(attrs.evolve(err.problem, path=display_path(path)))
        return None


def read_config(root: Path, problems: list[Problem]) -> tuple[dict[str, Any], Lifecycle, Responses]:
    """Read ``diasporatrack.yaml`` (optional): settings, the lifecycle and the responses."""
    path = root / CONFIG_FILE
    if not os.path.lexists(path):
        return {}, DEFAULT_LIFECYCLE, DEFAULT_RESPONSES
    shown = display_path(path)
    raw = _load(root, path, "settings", problems)
    if raw is None:
        return {}, DEFAULT_LIFECYCLE, DEFAULT_RESPONSES
    check = _Checker(shown, problems)
    if not isinstance(raw, dict):
        check.problem(f"expected a mapping of settings, got {_kind(raw)}", 1)
        return {}, DEFAULT_LIFECYCLE, DEFAULT_RESPONSES
    for key in raw:
        if key not in CONFIG_KEYS:
            check.problem(f"unknown setting {quote(key)}{_did_you_mean(str(key), CONFIG_KEYS)}", _line_of(raw, key))
    lifecycle, responses = DEFAULT_LIFECYCLE, DEFAULT_RESPONSES
    if raw.get("statuses") is not None:
        lifecycle = _read_lifecycle(raw["statuses"], check, _line_of(raw, "statuses")) or DEFAULT_LIFECYCLE
    config = dict(raw)
    if raw.get("responses") is not None:
        responses = _read_responses(raw["responses"], check, _line_of(raw, "responses"))
    if raw.get("progress_from") not in (None, "status", "actions"):
        check.problem(f"progress_from: {quote(raw['progress_from'])} is not a basis of progress; use status or actions",
                      _line_of(raw, "progress_from"))
        config.pop("progress_from")
    if raw.get("action_statuses") is not None:  # the actions' own lifecycle (see diasporatrack.actions)
        config["action_statuses"] = _read_lifecycle(raw["action_statuses"], check, _line_of(raw, "action_statuses"))
    from .settings import check_section

    for key in [k for k in raw if k in ("plugins", "disable", "reminders", "urgency")]:  # in the file's order
        if raw[key] is not None and not check_section(key, raw[key], check.problem, _line_of(raw, key)):
            config[key] = [] if key in ("plugins", "disable") else {}  # never act on a setting that failed
    if raw.get("publish") is not None:
        config["publish"] = _read_publish(raw["publish"], lifecycle, check, _line_of(raw, "publish"))
    return config, lifecycle, responses


def _read_publish(raw: Any, lifecycle: Lifecycle, check: _Checker, line: int | None) -> dict[str, Any]:
    """The ``publish:`` settings, checked; on a problem, publish with the defaults' caution."""
    problems = len(check.problems)
    fields = check.fields(raw, PUBLISH_SPEC, (), "publish settings", line)
    if fields is None:
        return {}
    for name in fields.get("statuses", ()):
        if name not in lifecycle:
            check.problem(f"publish: statuses: {name!r} is not a status{_did_you_mean(name, lifecycle.names)}",
                          _line_of(raw, "statuses"))
    return fields if len(check.problems) == problems else {}


def _read_responses(raw: Any, check: _Checker, line: int | None) -> Responses:
    if not isinstance(raw, list):
        check.problem(f"responses: expected a list of responses, got {_kind(raw)}", line)
        return DEFAULT_RESPONSES
    found = []
    for item in raw:
        fields = check.fields(item, RESPONSE_SPEC, ("name", "definition"), "response", line)
        if fields is None:
            return DEFAULT_RESPONSES
        found.append(Response(**fields))
    try:
        return Responses(found)
    except ValueError as err:
        check.problem(f"responses: {err}", line)
        return DEFAULT_RESPONSES


def _read_lifecycle(raw: Any, check: _Checker, line: int | None) -> Lifecycle | None:
    if not isinstance(raw, list) or not raw:
        check.problem(f"statuses: expected a list of statuses, got {_kind(raw)}", line)
        return None
    statuses = []
    for item in raw:
        fields = check.fields(item, STATUS_SPEC, ("name", "definition", "weight"), "status", line)
        if fields is None:
            return None
        statuses.append(Status(**fields))
    try:
        return Lifecycle(statuses)
    except ValueError as err:
        check.problem(f"statuses: {err}", line)
        return None


def read_owners(
    root: Path, problems: list[Problem], text: str | None = None
) -> tuple[dict[str, Owner], dict[str, Location]]:
    """Read ``owners.yaml`` (or ``text``, the content it is about to get)."""
    path = root / OWNERS_FILE
    owners: dict[str, Owner] = {}
    where: dict[str, Location] = {}
    if text is None and not os.path.lexists(path):
        return owners, where
    shown = display_path(path)
    raw = _load(root, path, "owners", problems, text)
    if raw is None:
        return owners, where
    check = _Checker(shown, problems)
    if not isinstance(raw, dict) or not isinstance(raw.get("owners") or [], list):
        check.problem("expected 'owners:' followed by a list of owners", getattr(raw, "line", 1))
        return owners, where
    for key in raw:
        if key != "owners":
            check.problem(f"unknown top-level key {quote(key)} (expected 'owners')", _line_of(raw, key))
    for item in raw.get("owners") or []:
        fields = check.fields(item, OWNER_SPEC, ("id", "name"), "owner", raw.line_of("owners"))
        if fields is None:
            continue
        line = item.line
        if fields["id"] in owners:
            check.problem(f"duplicate owner id {quote(fields['id'])} (first at {where[fields['id']]})", line)
            continue
        owners[fields["id"]] = Owner(**fields)
        where[fields["id"]] = Location(shown, line)
        if fields.get("email"):  # "#" is in no id: this key never meets an owner's
            where[fields["id"] + "#email"] = Location(shown, item.line_of("email"))
    for owner in owners.values():
        if owner.parent is not None and owner.parent not in owners:
            check.problem(
                f"owner {quote(owner.id)} has unknown parent {quote(owner.parent)}{_did_you_mean(owner.parent, owners)}",
                where[owner.id].line,
            )
    from .fieldcheck import cycles

    for cycle in cycles({o.id: o.parent for o in owners.values() if o.parent in owners}):
        check.problem(f"owners' parents form a cycle: {' -> '.join([*cycle, cycle[0]])}", where[cycle[0]].line)
    return owners, where


def read_source_file(path: Path, ws: Workspace, raw: Any) -> None:
    """Add one source file's source, findings and recommendations (parsed as ``raw``) to ``ws``."""
    shown = display_path(path)
    check = _Checker(shown, ws.problems)
    if not isinstance(raw, dict):
        check.problem(f"expected a mapping with 'source:' and 'recommendations:', got {_kind(raw)}", 1)
        return
    for key in raw:
        if key not in ("source", "recommendations", "findings"):
            hint = _did_you_mean(str(key), ("source", "recommendations", "findings"))
            check.problem(f"unknown top-level key {quote(key)}{hint}", _line_of(raw, key))
    source_fields = check.fields(raw.get("source"), SOURCE_SPEC, ("id", "title"), "source", _line_of(raw, "source"))
    # When the source block is wrong, the rest of the file is still checked
    # (so every problem shows at once), but nothing of it is kept.
    findings = []
    raw_findings = raw.get("findings") or []
    if not isinstance(raw_findings, list):
        check.problem(f"findings: expected a list, got {_kind(raw_findings)}", raw.line_of("findings"))
        raw_findings = []
    for item in raw_findings:
        fields = check.fields(item, FINDING_SPEC, ("id", "text"), "finding", raw.line_of("findings"))
        if fields is None:
            continue
        key = "finding:" + fields["id"]
        if key in ws.locations:
            check.problem(f"duplicate finding id {quote(fields['id'])} (first at {ws.locations[key]})", item.line)
            continue
        ws.locations[key] = Location(shown, item.line)
        findings.append(Finding(**fields))
    source = None
    if source_fields is not None:
        source_line = raw["source"].line
        if source_fields["id"] in ws.sources:
            check.problem(f"duplicate source id {quote(source_fields['id'])} "
                          f"(first at {ws.locations['source:' + source_fields['id']]})", source_line)
        else:
            source = Source(**source_fields, findings=findings)
            ws.sources[source.id] = source
            ws.source_paths[source.id] = path
            ws.locations["source:" + source.id] = Location(shown, source_line)

    items = raw.get("recommendations") or []
    if not isinstance(items, list):
        check.problem(f"recommendations: expected a list, got {_kind(items)}", raw.line_of("recommendations"))
        return
    lifecycle = ws.lifecycle
    for item in items:
        fields = check.fields(item, RECOMMENDATION_SPEC, ("id", "title", "text"), "recommendation",
                              raw.line_of("recommendations"))
        if fields is None:
            continue
        keep = source is not None
        line = item.line
        rec_id = fields["id"]
        if rec_id in ws.recommendations:
            check.problem(f"duplicate recommendation id {quote(rec_id)} (first at {ws.locations[rec_id]})", line)
            keep = False
        status = fields.setdefault("status", lifecycle.initial)
        if status not in lifecycle:
            check.problem(f"unknown status {quote(status)}{_did_you_mean(status, lifecycle.names)}; "
                          f"statuses are: {', '.join(lifecycle.names)}", item.line_of("status"))
            keep = False
        response = fields.get("response")
        if response is not None and response not in ws.responses:
            check.problem(f"unknown response {quote(response)}{_did_you_mean(response, ws.responses.names)}; "
                          f"responses are: {', '.join(ws.responses.names)}", item.line_of("response"))
            keep = False
        for owner in fields.get("owners", ()):
            if owner not in ws.owners:
                check.problem(f"{rec_id}: unknown owner {quote(owner)}{_did_you_mean(owner, ws.owners)}"
                              " (owners are defined in owners.yaml)", line)
        if "author" in fields:
            fields["authors"] = fields.pop("author")
        from .fieldcheck import Link

        if "parent" in fields:
            if fields["parent"] == rec_id:
                check.problem(f"{rec_id}: a recommendation cannot be its own parent", item.line_of("parent"))
                keep = False
            elif keep:
                ws.links.append(Link(rec_id, "parent", (fields["parent"],), shown, item.line_of("parent")))
        if fields.get("cites") and keep:
            ws.links.append(Link(rec_id, "cites", fields["cites"], shown, item.line_of("cites")))
        if keep:
            with attrs.validators.disabled():  # every field was checked above, with its line
                ws.recommendations[rec_id] = Recommendation(source=source.id, **fields)
            ws.locations[rec_id] = Location(shown, line)


def read_workspace(root: Path) -> Workspace:
    """Read every authored file of the workspace at ``root``; never raises on content."""
    problems: list[Problem] = []
    config, lifecycle, responses = read_config(root, problems)
    ws = Workspace(root=root, lifecycle=lifecycle, responses=responses, config=config, problems=problems)
    ws.owners, owner_locations = read_owners(root, problems)
    ws.locations.update({"owner:" + k: v for k, v in owner_locations.items()})
    files = source_files(root)
    for path, (raw, problem) in zip(files, _parse_all(root, files)):
        if problem is not None:
            problems.append(attrs.evolve(problem, path=display_path(path)))
        elif raw is None:
            problems.append(Problem(message="file is empty", path=display_path(path), line=1))
        else:
            read_source_file(path, ws, raw)
    from .fieldcheck import check_links

    check_links(ws, ws.links)
    return ws


# The CLI turns this on: a large workspace is then parsed on two cores. Off
# for the library, where forking a process that may run threads is unsafe.
PARALLEL = False


def _parse_all(root: Path, paths: list[Path]) -> list[tuple[Any, Problem | None]]:
    """Each file's YAML, or the problem that stopped it, in order."""
    from .yamlio import YamlProblem, load_yaml

    def parse(path: Path) -> tuple[Any, Problem | None]:
        try:
            return load_yaml(path, root=root, kind="source"), None
        except YamlProblem as err:
            return None, err.problem

    if not (PARALLEL and hasattr(os, "fork") and len(paths) >= 16 and (os.cpu_count() or 1) > 1):
        return [parse(p) for p in paths]
    import pickle

    half = len(paths) // 2
    first, second = paths[:half], paths[half:]
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child parses the first half and sends it back whole
        os.close(read_fd)
        try:
            payload = pickle.dumps([parse(p) for p in first], protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_fd, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    os.close(write_fd)
    mine = [parse(p) for p in second]
    with os.fdopen(read_fd, "rb") as incoming:
        payload = incoming.read()
    os.waitpid(pid, 0)
    try:
        theirs = pickle.loads(payload)
        if len(theirs) != len(first):
            raise ValueError("incomplete")
    except Exception:  # the child died or sent something broken: do its half here
        theirs = [parse(p) for p in first]
    return theirs + mine
