"""The ``todotxt`` exporter: its lines read back by a small todo.txt parser."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from diasporatrack import Tracker
from diasporatrack.cli import main
from diasporatrack_todotxt import priority, task_text

@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Keep diasporatrack's cache and trusted files inside the test's folder, not in the home directory,
    and this plugin loaded whatever the environment says (it is what these tests are about)."""
    monkeypatch.setenv("DIASPORATRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("DIASPORATRACK_NO_PLUGINS", "DIASPORATRACK_LOAD_PLUGINS", "DIASPORATRACK_TRUST_LOCAL_PLUGINS"):
        monkeypatch.delenv(name, raising=False)


TODAY = dt.date.today()  # urgency is scored as of today, so due dates are written relative to it
DATE = r"\d{4}-\d{2}-\d{2}"

OWNERS = """\
owners:
  - id: org
    name: The Organisation
  - id: edu
    name: Education Expert Group
    parent: org
"""

HOSTILE = "x (A) 2020-01-01 +evil @evil due:1999-01-01 id:fake"


def source_yaml(date: dt.date | None = None) -> str:
    overdue, soon = TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=7)
    return f"""\
source:
  id: action-plan
  title: An action plan
{f"  date: {date}" if date else ""}
recommendations:
  - id: overdue
    title: Publish the budget
    text: t
    owners: [org]
    due: {overdue}
  - id: soon
    title: Train the teachers
    text: t
    owners: [org, edu]
    due: {soon}
    impact: transformative
  - id: rated
    title: Open a help desk
    text: t
    owners: [org]
    impact: moderate
  - id: minor
    title: Fix the website
    text: t
    owners: [org]
    impact: minor
  - id: unowned
    title: Nobody's job
    text: t
  - id: done
    title: Hold the dialogue
    text: t
    owners: [org]
    status: implemented
    impact: transformative
    due: {overdue}
  - id: rejected
    title: Build a tower
    text: t
    owners: [org]
    status: rejected
  - id: hostile
    title: "{HOSTILE}"
    text: t
    owners: [org]
  - id: multiline
    title: "First line\\nsecond\\tline\\Lthird"
    text: t
    owners: [edu]
"""


def parse(line: str) -> dict:
    """A todo.txt task, read the lax way most apps do (key:value anywhere, +x, @x)."""
    m = re.fullmatch(r"(?:(x) )?(?:\(([A-Z])\) )?(.*)", line)
    assert m is not None
    done, pri, rest = m.group(1) is not None, m.group(2), m.group(3)
    finished = created = None
    if done and (d := re.match(rf"({DATE}) (?:({DATE}) )?(.*)", rest)):
        finished, created, rest = d.groups()
    elif not done and (d := re.match(rf"({DATE}) (.*)", rest)):
        created, rest = d.groups()
    words = rest.split(" ")
    tags = [w for w in words if re.fullmatch(r"[^\s:]+:\S+", w)]
    return {
        "done": done, "priority": pri, "finished": finished, "created": created,
        "projects": [w[1:] for w in words if re.fullmatch(r"\+\S+", w)],
        "contexts": [w[1:] for w in words if re.fullmatch(r"@\S+", w)],
        "tags": [tuple(t.split(":", 1)) for t in tags],
        "text": " ".join(w for w in words if w not in tags and not re.fullmatch(r"[+@]\S+", w)),
    }


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "owners.yaml").write_text(OWNERS, encoding="utf-8")
    (ws / "plan.yaml").write_text(source_yaml(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIASPORATRACK_ROOT", raising=False)
    monkeypatch.setenv("DIASPORATRACK_USER", "tester")
    return ws


def exported(root: Path) -> dict[str, dict]:
    text = Tracker.open(root).export("todotxt")
    assert isinstance(text, str) and text.endswith("\n")
    tasks = [parse(line) for line in text.splitlines()]  # splitlines: any line break counts
    by_id = {dict(t["tags"])["id"]: t for t in tasks}
    assert len(by_id) == len(tasks) == 9
    return by_id


def test_priority_from_urgency(root: Path) -> None:
    tasks = exported(root)
    urgency = {k: round(s.value, 2) for k, s in Tracker.open(root).score("urgency").items()}
    assert urgency == {"overdue": 12.0, "soon": 8.27, "rated": 2.0, "minor": 1.0, "unowned": 3.0,
                       "done": 0.0, "rejected": 0.0, "hostile": 0.0, "multiline": 0.0}
    assert {k: t["priority"] for k, t in tasks.items()} == {
        "overdue": "A", "soon": "B", "rated": "C", "minor": None, "unowned": "C",
        "done": None, "rejected": None, "hostile": None, "multiline": None}
    assert [priority(u) for u in (12, 11.99, 6, 5.99, 2, 1.99, 0)] == ["A", "B", "B", "C", "C", None, None]


def test_completion_projects_contexts_and_tags(root: Path) -> None:
    tasks = exported(root)
    assert {k for k, t in tasks.items() if t["done"]} == {"done"}  # rejected is final but not done
    assert tasks["soon"] == {
        "done": False, "priority": "B", "finished": None, "created": None,
        "projects": ["action-plan"], "contexts": ["org", "edu"],
        "tags": [("due", str(TODAY + dt.timedelta(days=7))), ("id", "soon"), ("status", "proposed")],
        "text": "Train the teachers",
    }
    assert tasks["done"]["tags"] == [("due", str(TODAY - dt.timedelta(days=10))), ("id", "done"),
                                     ("status", "implemented")]
    assert tasks["unowned"]["contexts"] == []
    assert tasks["rejected"]["tags"][-1] == ("status", "rejected")
    assert tasks["multiline"]["text"] == "First line second line third"


def test_hostile_title_forges_nothing(root: Path) -> None:
    line = next(x for x in Tracker.open(root).export("todotxt").splitlines() if x.endswith("id:hostile status:proposed"))
    assert line == r"\x (A) 2020-01-01 \+evil \@evil \due:1999-01-01 \id:fake +action-plan @org id:hostile status:proposed"
    task = parse(line)
    assert (task["done"], task["priority"], task["created"]) == (False, None, None)
    assert (task["projects"], task["contexts"]) == (["action-plan"], ["org"])
    assert dict(task["tags"]) == {r"\due": "1999-01-01", r"\id": "fake", "id": "hostile", "status": "proposed"}
    # behind a priority the same title stays text, too
    assert task_text("(B) 2020-01-01 fine") == r"\(B) 2020-01-01 fine"
    assert task_text("Meet at 10:30: agenda") == r"Meet at \10:30: agenda"


def test_dates_from_source_and_journal(root: Path) -> None:
    created = TODAY - dt.timedelta(days=5)  # recent, so nothing is stale
    (root / "plan.yaml").write_text(source_yaml(created), encoding="utf-8")
    tracker = Tracker.open(root)
    tracker.update("rated", status="in-progress")
    finished = tracker.update("rated", status="implemented").history[-1].at.date()
    tasks = exported(root)
    assert (tasks["rated"]["done"], tasks["rated"]["finished"], tasks["rated"]["created"]) == (
        True, str(finished), str(created))
    # implemented in the YAML, with no event: no done date, so no dates at all after "x"
    assert (tasks["done"]["done"], tasks["done"]["finished"], tasks["done"]["created"]) == (True, None, None)
    assert (tasks["overdue"]["priority"], tasks["overdue"]["created"]) == ("A", str(created))


def test_cli_export_and_plugin_listing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(root), "export", "todotxt", "--status", "proposed", "--owner", "edu"]) == 0
    assert capsys.readouterr().out == (
        "First line second line third +action-plan @edu id:multiline status:proposed\n"  # sorted by id
        f"(B) Train the teachers +action-plan @org @edu due:{TODAY + dt.timedelta(days=7)} id:soon status:proposed\n")
    assert main(["--root", str(root), "plugins", "--format", "json"]) == 0
    plugins = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert plugins["todotxt"]["origin"] == "entry point"
    assert plugins["todotxt"]["registers"] == {"exporters": ["todotxt"]}
