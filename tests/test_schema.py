"""The JSON Schemas: every shipped file passes them, and what they accept the loader accepts."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import SHIPPED, write
from diasporatrack import DEFAULT_LIFECYCLE, validate
from diasporatrack.journal import event_to_dict
from diasporatrack.schemas import load_schema, schema_names
from diasporatrack.workspace import CONFIG_FILE, OWNERS_FILE, source_files

FORMATS = jsonschema.FormatChecker()


def plain(value):
    """What an editor's YAML-to-JSON view sees: dates are text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def check(name: str, data) -> None:
    jsonschema.validate(plain(data), load_schema(name), format_checker=FORMATS)


def test_schemas_are_valid_and_listed(cli):
    for name in schema_names():
        jsonschema.Draft202012Validator.check_schema(load_schema(name))
    assert cli("schema").out.split() == ["source", "owners", "actions", "config", "event"]
    assert json.loads(cli("schema", "owners").out)["title"] == "diasporatrack owners.yaml"
    result = cli("schema", "nope")
    assert result.code == 2 and "no schema 'nope'" in result.err


def test_shipped_files_pass_their_schemas_and_name_them():
    for path in source_files(SHIPPED):
        check("source", yaml.safe_load(path.read_text(encoding="utf-8")))
        assert path.read_text().startswith("# yaml-language-server: $schema=../src/diasporatrack/schemas/source")
    owners = SHIPPED / OWNERS_FILE
    check("owners", yaml.safe_load(owners.read_text(encoding="utf-8")))
    assert owners.read_text().startswith("# yaml-language-server: $schema=../src/diasporatrack/schemas/owners")
    assert not (SHIPPED / CONFIG_FILE).exists() or check("config", yaml.safe_load((SHIPPED / CONFIG_FILE).read_text()))


def test_init_writes_schemas_that_its_files_pass(tmp_path, cli):
    cli("init", str(tmp_path / "w"))
    assert (tmp_path / "w" / ".schemas" / "source.schema.json").exists()
    check("owners", yaml.safe_load((tmp_path / "w" / OWNERS_FILE).read_text()))
    check("config", yaml.safe_load((tmp_path / "w" / CONFIG_FILE).read_text()))


def test_journal_events_pass_the_event_schema(ws):
    from diasporatrack import Tracker

    tracker = Tracker.open(ws)
    tracker.update("rep-forum", status="accepted", add_owners=["edu"], due="2026-01-01", note="n", force=True)
    tracker.set_fields("rep-health", title="T", themes=["a"], quote=None)
    tracker.add_owner({"id": "new", "name": "New"})
    tracker.remove_recommendation("rep-education")
    for line in (ws / "journal.jsonl").read_text().splitlines():
        check("event", json.loads(line))
    check("event", event_to_dict(tracker.get("rep-forum").history[0]))


def test_schema_catches_what_validate_catches(tmp_path):
    bad = {"source": {"id": "s", "title": "T"},
           "recommendations": [{"id": "r", "title": "t", "text": "x", "impact": "huge", "colour": "red"}]}
    with pytest.raises(jsonschema.ValidationError):
        check("source", bad)
    write(tmp_path / "owners.yaml", "owners: []\n")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(bad))
    assert len(validate(tmp_path)) == 2


# --- what the schema accepts, the loader accepts -------------------------------------------
# Documents are drawn from strategies written after the schemas; each one is first
# checked against its schema (so only schema-valid documents are tried), then loaded.

SLOW = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.filter_too_much])

# Control characters other than tab and newline are refused on reading (tests/corpus has them).
CHARS = (st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029")
         | st.sampled_from("\t\n"))
texts = st.text(CHARS, max_size=20)
lines = st.text(CHARS.filter(lambda c: c != "\n"), max_size=20)  # settings are one line each
filled = texts.filter(str.strip)  # required text: the loader refuses a blank one, and the schema says so
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,12}", fullmatch=True)
maybe = lambda strategy: st.none() | strategy  # noqa: E731
dates = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat)
text_lists = maybe(st.lists(texts, max_size=3))

recommendations = st.fixed_dictionaries(
    {"id": ids, "title": filled, "text": filled},
    optional={
        "quote": maybe(texts), "author": maybe(texts), "addressed_to": text_lists, "themes": text_lists,
        "owners": maybe(st.lists(ids, max_size=3)), "status": maybe(st.sampled_from(DEFAULT_LIFECYCLE.names)),
        "due": maybe(dates), "review_every": maybe(st.integers(1, 1000)),
        "impact": st.sampled_from(["none", "minor", "moderate", "transformative", None]), "links": text_lists,
    },
)
findings = st.fixed_dictionaries({"id": ids, "text": filled}, optional={"quote": maybe(texts), "themes": text_lists})
sources = st.fixed_dictionaries(
    {"source": st.fixed_dictionaries({"id": ids, "title": filled}, optional={
        "publisher": maybe(texts), "kind": maybe(texts), "date": maybe(dates), "authors": text_lists,
        "url": maybe(texts), "note": maybe(texts)})},
    optional={"recommendations": maybe(st.lists(recommendations, max_size=4)),
              "findings": maybe(st.lists(findings, max_size=3))},
)
owner_files = st.fixed_dictionaries({}, optional={"owners": maybe(st.lists(st.fixed_dictionaries(
    {"id": ids, "name": filled},
    optional={"kind": maybe(texts), "email": maybe(st.emails()), "note": maybe(texts)}),
    max_size=5))})
status_names = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
configs = st.none() | st.fixed_dictionaries({}, optional={
    "statuses": st.lists(st.fixed_dictionaries(
        {"name": status_names, "definition": lines.filter(str.strip), "weight": st.floats(0, 1)}),
        min_size=1, max_size=4),
    "reminders": st.fixed_dictionaries({}, optional={
        "due_soon_days": st.integers(0, 400), "stale_days": st.integers(0, 400), "calendar_file": lines,
        "email": st.fixed_dictionaries({"host": lines, "sender": lines}, optional={
            "port": st.integers(1, 65535), "security": st.sampled_from(["none", "starttls", "ssl"])})}),
    "urgency": st.dictionaries(st.sampled_from(["overdue", "due_soon", "stale", "stalled", "unowned", "impact"]),
                               st.floats(-100, 100), max_size=6),
    "plugins": st.just([]),
})


def _ids(items):
    return [i["id"] for i in items or []]


@SLOW
@given(sources)
def test_any_schema_valid_source_file_loads(tmp_path_factory, document):
    check("source", document)
    recs = document.get("recommendations") or []
    all_ids = _ids(recs) + _ids(document.get("findings"))
    assume(len(all_ids) == len(set(all_ids)))  # uniqueness across the workspace is the loader's job
    owners = sorted({o for rec in recs for o in rec.get("owners") or []})
    root = tmp_path_factory.mktemp("schema")
    (root / "owners.yaml").write_text(yaml.safe_dump({"owners": [{"id": o, "name": o} for o in owners]}))
    (root / "doc.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert [str(p) for p in validate(root)] == []


@SLOW
@given(owner_files)
def test_any_schema_valid_owners_file_loads(tmp_path_factory, document):
    check("owners", document)
    assume(len(_ids(document.get("owners"))) == len(set(_ids(document.get("owners")))))
    root = tmp_path_factory.mktemp("schema")
    (root / "owners.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert [str(p) for p in validate(root)] == []


@SLOW
@given(configs)
def test_any_schema_valid_config_loads(tmp_path_factory, document):
    check("config", document)
    names = [s["name"] for s in (document or {}).get("statuses") or []]
    assume(len(names) == len(set(names)))
    root = tmp_path_factory.mktemp("schema")
    (root / "owners.yaml").write_text("owners: []\n")
    (root / "diasporatrack.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert [str(p) for p in validate(root)] == []
