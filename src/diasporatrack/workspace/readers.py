"""Reading the settings, the owners and each source file into a Workspace, every problem located."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import attrs

from ..errors import Problem
from ..lifecycle import DEFAULT_LIFECYCLE, DEFAULT_RESPONSES, Lifecycle, Response, Responses, Status
from ..model import Finding, Owner, Recommendation, Source
from ..textsafety import quote
from ..translations import declared
from .fields import (
    FINDING_SPEC, OWNER_SPEC, PUBLISH_SPEC, RECOMMENDATION_SPEC, RESPONSE_SPEC, SOURCE_SPEC, STATUS_SPEC,
    FieldChecker, did_you_mean, kind, line_of,
)
from .layout import CONFIG_FILE, CONFIG_KEYS, OWNERS_FILE, Location, Workspace, display_path

def load_file(root: Path, path: Path, kind: str, problems: list[Problem], text: str | None = None) -> Any:
    from ..yamlio import YamlProblem, load_yaml  # PyYAML is only imported when a file is read

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
    raw = load_file(root, path, "settings", problems)
    if raw is None:
        return {}, DEFAULT_LIFECYCLE, DEFAULT_RESPONSES
    check = FieldChecker(shown, problems)
    if not isinstance(raw, dict):
        check.problem(f"expected a mapping of settings, got {kind(raw)}", 1)
        return {}, DEFAULT_LIFECYCLE, DEFAULT_RESPONSES
    for key in raw:
        if key not in CONFIG_KEYS:
            check.problem(f"unknown setting {quote(key)}{did_you_mean(str(key), CONFIG_KEYS)}", line_of(raw, key))
    lifecycle, responses = DEFAULT_LIFECYCLE, DEFAULT_RESPONSES
    if raw.get("statuses") is not None:
        lifecycle = _read_lifecycle(raw["statuses"], check, line_of(raw, "statuses")) or DEFAULT_LIFECYCLE
    config = dict(raw)
    if raw.get("responses") is not None:
        responses = _read_responses(raw["responses"], check, line_of(raw, "responses"))
    if raw.get("progress_from") not in (None, "status", "actions"):
        check.problem(f"progress_from: {quote(raw['progress_from'])} is not a basis of progress; use status or actions",
                      line_of(raw, "progress_from"))
        config.pop("progress_from")
    if raw.get("languages") is not None:  # the workspace's languages: translations go into these
        from ..translations import language_list

        try:
            config["languages"] = language_list(raw["languages"])
        except ValueError as err:
            check.problem(f"languages: {err}", line_of(raw, "languages"))
            config.pop("languages")
    if raw.get("action_statuses") is not None:  # the actions' own lifecycle (see diasporatrack.actions)
        config["action_statuses"] = _read_lifecycle(raw["action_statuses"], check, line_of(raw, "action_statuses"))
    from ..settings import check_section

    for key in [k for k in raw if k in ("plugins", "disable", "reminders", "urgency", "import")]:  # file's order
        if raw[key] is not None and not check_section(key, raw[key], check.problem, line_of(raw, key)):
            config[key] = [] if key in ("plugins", "disable") else {}  # never act on a setting that failed
    if raw.get("publish") is not None:
        config["publish"] = _read_publish(raw["publish"], lifecycle, check, line_of(raw, "publish"))
    return config, lifecycle, responses


def _read_publish(raw: Any, lifecycle: Lifecycle, check: FieldChecker, line: int | None) -> dict[str, Any]:
    """The ``publish:`` settings, checked; on a problem, publish with the defaults' caution."""
    problems = len(check.problems)
    fields = check.fields(raw, PUBLISH_SPEC, (), "publish settings", line)
    if fields is None:
        return {}
    for name in fields.get("statuses", ()):
        if name not in lifecycle:
            check.problem(f"publish: statuses: {name!r} is not a status{did_you_mean(name, lifecycle.names)}",
                          line_of(raw, "statuses"))
    return fields if len(check.problems) == problems else {}


def _read_responses(raw: Any, check: FieldChecker, line: int | None) -> Responses:
    if not isinstance(raw, list):
        check.problem(f"responses: expected a list of responses, got {kind(raw)}", line)
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


def _read_lifecycle(raw: Any, check: FieldChecker, line: int | None) -> Lifecycle | None:
    if not isinstance(raw, list) or not raw:
        check.problem(f"statuses: expected a list of statuses, got {kind(raw)}", line)
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
    raw = load_file(root, path, "owners", problems, text)
    if raw is None:
        return owners, where
    check = FieldChecker(shown, problems)
    if not isinstance(raw, dict) or not isinstance(raw.get("owners") or [], list):
        check.problem("expected 'owners:' followed by a list of owners", getattr(raw, "line", 1))
        return owners, where
    for key in raw:
        if key != "owners":
            check.problem(f"unknown top-level key {quote(key)} (expected 'owners')", line_of(raw, key))
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
                f"owner {quote(owner.id)} has unknown parent {quote(owner.parent)}{did_you_mean(owner.parent, owners)}",
                where[owner.id].line,
            )
    from ..fieldcheck import cycles

    for cycle in cycles({o.id: o.parent for o in owners.values() if o.parent in owners}):
        check.problem(f"owners' parents form a cycle: {' -> '.join([*cycle, cycle[0]])}", where[cycle[0]].line)
    return owners, where


def read_source_file(path: Path, ws: Workspace, raw: Any) -> None:
    """Add one source file's source, findings and recommendations (parsed as ``raw``) to ``ws``."""
    shown = display_path(path)
    check = FieldChecker(shown, ws.problems)
    if not isinstance(raw, dict):
        check.problem(f"expected a mapping with 'source:' and 'recommendations:', got {kind(raw)}", 1)
        return
    for key in raw:
        if key not in ("source", "recommendations", "findings"):
            hint = did_you_mean(str(key), ("source", "recommendations", "findings"))
            check.problem(f"unknown top-level key {quote(key)}{hint}", line_of(raw, key))
    source_fields = check.fields(raw.get("source"), SOURCE_SPEC, ("id", "title"), "source", line_of(raw, "source"))
    # When the source block is wrong, the rest of the file is still checked
    # (so every problem shows at once), but nothing of it is kept.
    findings = []
    raw_findings = raw.get("findings") or []
    if not isinstance(raw_findings, list):
        check.problem(f"findings: expected a list, got {kind(raw_findings)}", raw.line_of("findings"))
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
        declared(check, f"finding {fields['id']}", item, fields, ws.config)
        findings.append(Finding(**fields))
    source = None
    if source_fields is not None:
        source_line = raw["source"].line
        if source_fields["id"] in ws.sources:
            check.problem(f"duplicate source id {quote(source_fields['id'])} "
                          f"(first at {ws.locations['source:' + source_fields['id']]})", source_line)
        else:
            declared(check, f"source {source_fields['id']}", raw["source"], source_fields, ws.config)
            source = Source(**source_fields, findings=findings)
            ws.sources[source.id] = source
            ws.source_paths[source.id] = path
            ws.locations["source:" + source.id] = Location(shown, source_line)

    items = raw.get("recommendations") or []
    if not isinstance(items, list):
        check.problem(f"recommendations: expected a list, got {kind(items)}", raw.line_of("recommendations"))
        return
    from ..fieldcheck import Link

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
            check.problem(f"unknown status {quote(status)}{did_you_mean(status, lifecycle.names)}; "
                          f"statuses are: {', '.join(lifecycle.names)}", item.line_of("status"))
            keep = False
        response = fields.get("response")
        if response is not None and response not in ws.responses:
            check.problem(f"unknown response {quote(response)}{did_you_mean(response, ws.responses.names)}; "
                          f"responses are: {', '.join(ws.responses.names)}", item.line_of("response"))
            keep = False
        for owner in fields.get("owners", ()):
            if owner not in ws.owners:
                check.problem(f"{rec_id}: unknown owner {quote(owner)}{did_you_mean(owner, ws.owners)}"
                              " (owners are defined in owners.yaml)", line)
        if "author" in fields:
            fields["authors"] = fields.pop("author")
        keep = declared(check, rec_id, item, fields, ws.config) and keep
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
