"""Reading a workspace: every problem is reported with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SOURCE_YAML, write
from diasporatrack import Tracker, WorkspaceError, validate
from diasporatrack.workspace import find_root


def messages(root: Path) -> list[str]:
    return [str(p) for p in validate(root)]


def test_valid_workspace_has_no_problems(ws):
    assert validate(ws) == []
    tracker = Tracker.open(ws)
    assert [r.id for r in tracker] == ["rep-health", "rep-education", "rep-forum"]
    assert tracker.get("rep-health").status == "proposed"  # the first status by default


def test_all_problems_are_reported_at_once_with_lines(ws):
    write(ws / "bad.yaml", """\
        source:
          id: bad
          title: Bad
        recommendations:
          - id: bad-1
            title: One
            text: x
            owners: [nobody]
          - id: bad-2
            title: Two
            text: y
            status: acepted
          - id: bad-3
            title: Three
            text: z
            due: 2025-13-01
        """)
    found = messages(ws.parent / "ws")
    assert found == [
        "ws/bad.yaml:5: bad-1: unknown owner 'nobody' (owners are defined in owners.yaml)",
        "ws/bad.yaml:12: unknown status 'acepted' (did you mean 'accepted'?); statuses are: proposed, accepted, "
        "in-progress, partially-implemented, stalled, implemented, rejected, withdrawn",
        "ws/bad.yaml:16: due: impossible date '2025-13-01' (month must be in 1..12)",
    ]


def test_a_bad_source_block_does_not_hide_the_rest(ws):
    write(ws / "bad.yaml", """\
        source:
          id: bad
          titel: B
        recommendations:
          - id: r1
            title: t
            text: x
            due: 2025-02-30
        """)
    assert messages(ws.parent / "ws") == [
        "ws/bad.yaml:3: unknown field 'titel' in source (did you mean 'title'?)",
        "ws/bad.yaml:2: source lacks required field 'title'",
        "ws/bad.yaml:8: due: impossible date '2025-02-30' (day is out of range for month)",
    ]


def test_duplicate_ids_name_both_places(ws):
    write(ws / "sub" / "other.yaml", """\
        source:
          id: other
          title: Other
        recommendations:
          - id: rep-forum
            title: Same id
            text: again
        """)
    assert messages(ws) == [
        "ws/sub/other.yaml:5: duplicate recommendation id 'rep-forum' (first at ws/report.yaml:23)"
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("source:\n  id: s\n  title: T\n  titel: x\n", "x.yaml:4: unknown field 'titel' in source (did you mean 'title'?)"),
        ("source:\n  id: s\n", "x.yaml:2: source lacks required field 'title'"),
        ("source:\n  id: s\n  title: T\nrecommendations:\n  - id: r\n    title: 1984\n    text: t\n",
         "x.yaml:6: title: expected text, got the number 1984 (put it in quotes)"),
        ("source:\n  id: s\n  title: T\nrecommendations:\n  - id: r\n    title: t\n    text: t\n    owners: 5\n",
         "x.yaml:8: owners: expected a list such as [a, b], got the number 5"),
        ("source:\n  id: s\n  title: T\nrecommendations:\n  - id: r\n    title: t\n    text: t\n    due: soon\n",
         "x.yaml:8: due: 'soon' is not a date (YYYY-MM-DD)"),
        ("source:\n  id: s\n  title: T\nrecommendations:\n  - id: r\n    title: t\n    text: t\n    impact: huge\n",
         "x.yaml:8: impact: 'huge' is not an impact rating; use one of none, minor, moderate, transformative"),
        ("source:\n  id: s\n  title: T\nrecommendations:\n  - id: r\n    title: t\n    text: t\n    review_every: 0\n",
         "x.yaml:8: review_every: expected a whole number of days from 1 to 36,500, got the number 0"),
        ("source:\n  id: s\n  title: T\nrecommendation:\n  - id: r\n",
         "x.yaml:4: unknown top-level key 'recommendation' (did you mean 'recommendations'?)"),
        ("source:\n  id: bad id\n  title: T\n",
         "x.yaml:2: id: 'bad id' is not a valid id (letters, digits and . _ : - only)"),
        ("", "x.yaml:1: file is empty"),
        ("- a\n- b\n", "x.yaml:1: expected a mapping with 'source:' and 'recommendations:', got a list"),
        ("source:\n  id: s\n  id: t\n", "x.yaml:3: duplicate key 'id' (first on line 2)"),
    ],
)
def test_located_problems(tmp_path, monkeypatch, body, expected):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "owners.yaml", "owners: []\n")
    (tmp_path / "x.yaml").write_text(body, encoding="utf-8")
    assert messages(tmp_path) == [expected]


def test_open_refuses_a_workspace_with_problems(ws):
    write(ws / "broken.yaml", "source: [\n")
    with pytest.raises(WorkspaceError) as info:
        Tracker.open(ws)
    assert info.value.problems[0].path.name == "broken.yaml"


def test_owners_file_problems(ws):
    write(ws / "owners.yaml", """\
        owners:
          - id: org
            name: Org
          - id: org
            name: Again
          - id: child
            name: Child
            parent: orgg
        """)
    found = messages(ws.parent / "ws")
    assert "ws/owners.yaml:4: duplicate owner id 'org' (first at ws/owners.yaml:2)" in found
    assert "ws/owners.yaml:6: owner 'child' has unknown parent 'orgg' (did you mean 'org'?)" in found


def test_custom_lifecycle_from_config(ws):
    write(ws / "diasporatrack.yaml", """\
        statuses:
          - name: open
            definition: Not done.
            weight: 0
            next: [done]
          - name: done
            definition: Done.
            weight: 1
        """)
    (ws / "report.yaml").write_text(SOURCE_YAML)
    tracker = Tracker.open(ws)
    assert tracker.lifecycle.names == ["open", "done"]
    assert {r.status for r in tracker} == {"open"}


def test_bad_config_is_located(ws):
    write(ws / "diasporatrack.yaml", "statuses:\n  - name: open\n    definition: x\n    weight: 2\nremind: {}\n")
    found = messages(ws.parent / "ws")
    assert "ws/diasporatrack.yaml:4: weight: expected a number from 0 to 1, got the number 2" in found
    assert "ws/diasporatrack.yaml:5: unknown setting 'remind' (did you mean 'reminders'?)" in found


def test_find_root_walks_upward_and_obeys_overrides(ws, tmp_path, monkeypatch):
    deep = tmp_path / "ws" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_root(start=deep) == ws.resolve()
    shipped_like = tmp_path / "project"
    (shipped_like / "recommendations").mkdir(parents=True)
    (shipped_like / "docs").mkdir()
    assert find_root(start=shipped_like / "docs") == (shipped_like / "recommendations").resolve()
    monkeypatch.setenv("DIASPORATRACK_ROOT", str(ws))
    assert find_root(start=shipped_like) == ws
    assert find_root(str(shipped_like), start=deep) == shipped_like


def test_status_names_must_be_lowercase(ws):
    write(ws / "diasporatrack.yaml", "statuses:\n  - name: Open\n    definition: x\n    weight: 0\n")
    assert messages(ws.parent / "ws") == [
        "ws/diasporatrack.yaml:2: name: 'Open' is not a valid status name (lowercase letters, digits and - only, "
        "at most 64)"
    ]


def test_duplicate_finding_ids(ws):
    body = "source:\n  id: f{n}\n  title: T\nfindings:\n  - id: same\n    text: t\n"
    write(ws / "f1.yaml", body.format(n=1))
    write(ws / "f2.yaml", body.format(n=2))
    assert messages(ws.parent / "ws") == ["ws/f2.yaml:5: duplicate finding id 'same' (first at ws/f1.yaml:5)"]


def test_init_refuses_a_file(tmp_path):
    from diasporatrack import InputError, init_workspace

    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match="exists and is not a directory"):
        init_workspace(str(tmp_path / "afile"))
    assert init_workspace(str(tmp_path / "new"))[0].name == "owners.yaml"


def test_parallel_parsing_gives_the_same_workspace_and_problems(ws, monkeypatch):
    from diasporatrack import workspace as workspace_module

    for n in range(20):
        write(ws / f"extra-{n:02d}.yaml", f"source:\n  id: extra-{n}\n  title: T{n}\nrecommendations:\n"
                                          f"  - id: extra-rec-{n}\n    title: t\n    text: x\n")
    write(ws / "extra-03.yaml", "source: [\n")
    write(ws / "extra-15.yaml", "")
    sequential = Tracker.load(ws)
    monkeypatch.setattr(workspace_module, "PARALLEL", True)
    parallel = Tracker.load(ws)
    assert [str(p) for p in parallel.problems] == [str(p) for p in sequential.problems]
    assert len(parallel.problems) == 2
    assert {r.id: r for r in parallel} == {r.id: r for r in sequential}


def test_date_shaped_text_needs_quotes_whether_or_not_the_date_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "owners.yaml", "owners: []\n")
    (tmp_path / "x.yaml").write_text("source:\n  id: s\n  title: 2025-02-28\n  note: 2025-02-30\n")
    assert messages(tmp_path) == [
        "x.yaml:3: title: expected text, got the date 2025-02-28 (put it in quotes)",
        "x.yaml:4: note: expected text, got the date-like '2025-02-30' (put it in quotes)",
    ]


def test_settings_are_checked_by_shape_and_size(ws, cli):
    write(ws / "diasporatrack.yaml", """\
        reminders:
          due_soon_days: 100000000000000000000
          stale_days: -1
          calendar_file: "two\\nlines"
          email: {host: smtp.example.org, port: "587", security: tls, extra: 1}
          colour: red
        urgency:
          overdue: .inf
          nonsense: 1
        plugins: [a, 1]
        disable: x
        """)
    before = (ws / "diasporatrack.yaml").read_bytes()
    expected = [
        "ws/diasporatrack.yaml:2: reminders.due_soon_days: expected a whole number of days from 0 to 36,500, "
        "got the number 100000000000000000000",
        "ws/diasporatrack.yaml:3: reminders.stale_days: expected a whole number of days from 0 to 36,500, "
        "got the number -1",
        "ws/diasporatrack.yaml:4: reminders.calendar_file: control character U+000A is not allowed",
        "ws/diasporatrack.yaml:6: reminders: unknown setting 'colour'; known: due_soon_days, stale_days, email, "
        "calendar_file",
        "ws/diasporatrack.yaml:5: reminders.email.port: expected a port number from 1 to 65535, got the text '587'",
        "ws/diasporatrack.yaml:5: reminders.email.security: expected one of none, starttls, ssl, got the text 'tls'",
        "ws/diasporatrack.yaml:5: reminders.email: unknown setting 'extra'; known: host, port, sender, security, base_url",
        "ws/diasporatrack.yaml:5: reminders.email: sender is required (the SMTP server and the From address)",
        "ws/diasporatrack.yaml:8: urgency.overdue: expected a number from -1,000,000 to 1,000,000, got the number inf",
        "ws/diasporatrack.yaml:9: urgency: unknown coefficient 'nonsense'; known: overdue, due_soon, stale, stalled, "
        "unowned, impact",
        "ws/diasporatrack.yaml:10: plugins: expected text, got the number 1",
        "ws/diasporatrack.yaml:11: disable: expected a list such as [a, b], got the text 'x'",
    ]
    assert messages(ws.parent / "ws") == expected
    for argv in (("remind",), ("score",)):  # what would choke later is refused on reading, located
        result = cli("--root", "ws", *argv)
        assert (result.code, result.out) == (2, "")
        assert result.err.splitlines() == ["diasporatrack: " + line for line in expected]
    assert (ws / "diasporatrack.yaml").read_bytes() == before
