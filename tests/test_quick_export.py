"""`export json` written from a fresh cache is byte for byte the full command's, and only written when it can be."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diasporatrack import cli as cli_package
from diasporatrack import entrypoints
from diasporatrack.cli import quick
from diasporatrack.tracker import Tracker

from conftest import SHIPPED, answers_of, write

GENERATED = re.compile(r'\n  "generated": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",\n')

OWNERS = """\
owners:
  - id: org
    name: The Organisation
    kind: organisation
    email: office@example.org
    note: "Contact: \\"the desk\\""
  - id: edu
    name: Education Expert Group
    kind: expert-group
    parent: org
  - id: health
    name: Ünïcode Health Group
    kind: expert-group
    parent: org
"""

RICH = """\
source:
  id: rich-2024
  title: "A report with \\"quotes\\", a back\\\\slash and </script>"
  publisher: Someone
  kind: paper
  date: 2024-03-01
  language: en
  translations:
    ur: {title: ایک رپورٹ}
findings:
  - id: f-one
    text: "A finding \\u2028 with a line separator."
    themes: [health]
recommendations:
  - id: rich-top
    title: "  A title   with  blanks 🙂 "
    text: Text.
    author: [Norway, Chile]
    sdgs: ["5.1", "16"]
    affected_persons: [women and girls]
    cites: [f-one]
    extra: {session: 41, adopted: 2024-03-01, open: true, ratio: 0.5}
    reference: para 1
    action_category: 5
    addressed_to: [Diaspora]
    owners: [health, org]
    themes: [Health care]
    status: accepted
    due: 2026-01-31
    review_every: 30
    impact: moderate
    links: [https://example.org/a]
    translations:
      ur: {title: صحت کا گروپ}
  - {id: rich-kid, title: Kid, text: K, parent: rich-top, progress: 30, weight: 2, addressed_to: [EU], themes: [dialogue]}
  - id: rich-draft
    title: Ünïcode draft
    text: Text.
    addressed_to: [EU]
    themes: [dialogue]
    draft: true
"""

SMALL = """\
source:
  id: other-2024
  title: Another report
  publisher: Someone
  kind: paper
  date: 2024-03-01
recommendations:
  - id: oth-a
    title: Other A
    text: Text.
    addressed_to: [Diaspora]
    owners: [edu]
    themes: [education]
"""


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = cli_package.main(list(argv))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 2
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def same_time(out: str) -> str:
    """The export with its time of writing taken out (the two runs may be a second apart)."""
    return GENERATED.sub('\n  "generated": "-",\n', out, count=1)


@pytest.fixture
def answered(monkeypatch) -> list[bool]:
    """Records whether each `export json` was written from the cache."""
    return answers_of(monkeypatch, quick, "answer_export")


def full(argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    with monkeypatch.context() as m:
        m.setattr(quick, "answer_export", lambda given: None)
        return run(argv, capsys)


def warm_up(root) -> None:
    tracker = Tracker.open(root)
    Tracker.open(root)  # the cache now folds the journal to its end
    assert tracker is not None


@pytest.fixture(params=["rich", "shipped", "empty"])
def workspace(request, ws):
    """A warm workspace at ./ws: the small one with a rich source and events, the shipped one, or one with none."""
    if request.param == "rich":
        write(ws / "owners.yaml", OWNERS)
        write(ws / "sub" / "rich.yaml", RICH)
        write(ws / "other.yaml", SMALL)
        write(ws / "diasporatrack.yaml", "languages: [en, ur]\n")
        tracker = Tracker.open(ws)
        tracker.update("rep-forum", status="accepted", note="agreed \"fully\"", by="tester")
        tracker.update("rich-kid", add_owners=["edu"], due="2026-02-01")
        tracker.respond("rep-health", "supported", by="tester")
    elif request.param == "shipped":
        shutil.rmtree(ws)
        shutil.copytree(SHIPPED, ws)
    else:
        for path in ws.glob("*.yaml"):
            if path.name != "owners.yaml":
                path.unlink()
    warm_up(ws)
    return ws


FILTERS = st.lists(st.sampled_from([
    ["--status", "proposed"], ["--status", "accepted"], ["--status", "nope"], ["--owner", "org"], ["--owner", "ed"],
    ["--owner", "e"], ["--owner", "missing"], ["--source", "rep"], ["--source", "other-2024"], ["--source", "x"],
    ["--source", "opp"], ["--theme", "HEALTH-care"], ["--theme", "dialogue"], ["--addressed-to", "diaspora"],
    ["--addressed-to", "un"], ["--response", "supported"], ["--response", "unknown"], ["--unowned"], ["--private"],
    ["--status=proposed"], ["--search", "forum"], ["--public"], ["-o", "-"],
]), max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=FILTERS, root_after=st.booleans(), json_first=st.booleans(), no_plugins=st.booleans())
def test_the_quick_export_is_the_full_export(workspace, capsys, monkeypatch, filters, root_after, json_first,
                                            no_plugins):
    options = [part for f in filters for part in f]
    argv = ["export", "json", *options] if json_first else ["export", *options, "json"]
    argv = [*argv, "--root", "ws"] if root_after else ["--root", "ws", *argv]
    if no_plugins:
        argv.insert(0, "--no-plugins")
    quick_code, quick_out, quick_err = run(argv, capsys)
    full_code, full_out, full_err = full(argv, capsys, monkeypatch)
    assert (quick_code, quick_err) == (full_code, full_err)
    assert same_time(quick_out) == same_time(full_out)
    if quick_code == 0:
        assert len(GENERATED.findall(quick_out)) == 1


def test_a_plain_export_is_answered_and_equals_an_export_read_from_the_files(workspace, capsys, monkeypatch,
                                                                           answered, tmp_path):
    code, out, err = run(["--root", "ws", "export", "json"], capsys)
    assert (code, err) == (0, "") and answered == [True]
    monkeypatch.setenv("DIASPORATRACK_CACHE_DIR", str(tmp_path / "no-cache-yet"))
    read = full(["--root", "ws", "export", "json"], capsys, monkeypatch)
    assert read[0] == 0 and same_time(read[1]) == same_time(out)
    document = json.loads(out)
    assert [r["id"] for r in document["recommendations"]] == sorted(r.id for r in Tracker.open(workspace))


def test_the_ready_made_parts_follow_every_change(ws, capsys, monkeypatch, answered):
    write(ws / "other.yaml", SMALL)
    warm_up(ws)
    steps = [
        lambda: Tracker.open(ws).update("oth-a", status="accepted", note="one"),  # saved rows
        lambda: write(ws / "other.yaml", SMALL.replace("Another report", "Renamed report")),  # one file re-read
        lambda: write(ws / "more.yaml", SMALL.replace("other-2024", "more-2024").replace("oth-a", "more-a")),
        lambda: (ws / "more.yaml").unlink(),
        lambda: write(ws / "owners.yaml", OWNERS),  # owners: everything read again
        lambda: Tracker.open(ws).update("rep-forum", add_owners=["health"], due="2027-01-01"),
    ]
    for step in steps:
        time.sleep(0.01)
        step()
        warm_up(ws)  # brings the cache up to date, as any command would (twice: a file just written is hashed)
        answered.clear()
        quick_result = run(["--root", "ws", "export", "json"], capsys)
        assert answered == [True], steps.index(step)
        full_result = full(["--root", "ws", "export", "json"], capsys, monkeypatch)
        assert same_time(quick_result[1]) == same_time(full_result[1]) and quick_result[0] == full_result[0] == 0


def test_what_only_the_full_command_knows_is_left_to_it(ws, cli, monkeypatch, answered):
    write(ws / "other.yaml", SMALL)
    warm_up(ws)
    assert cli("--root", "ws", "export", "json").code == 0 and answered == [True]
    answered.clear()
    for argv in (["export", "json", "--public"], ["export", "json", "--lang", "ur"], ["export", "json", "-o", "x.json"],
                 ["export", "json", "--as-of", "2025-01-01"], ["export", "json", "--search", "forum"],
                 ["export", "json", "--stat", "proposed"], ["export", "csv"], ["export", "json", "--sdg", "5"]):
        assert cli("--root", "ws", *argv).code == 0, argv
    assert answered == []  # none is `export json` with only the options it knows: never asked

    answered.clear()
    monkeypatch.setattr(entrypoints, "listed", lambda group: [("someones", "someones:plugin", "someones", "1.0")])
    monkeypatch.delenv("DIASPORATRACK_LOAD_PLUGINS")  # an installed plugin would load: it may claim json, or fail
    assert cli("--root", "ws", "export", "json").code != 0  # it is not really there
    monkeypatch.setenv("DIASPORATRACK_LOAD_PLUGINS", "someones")
    assert cli("--root", "ws", "export", "json").code != 0
    monkeypatch.setenv("DIASPORATRACK_LOAD_PLUGINS", "another")
    assert cli("--root", "ws", "export", "json").code == 0
    assert cli("--root", "ws", "export", "json", "--no-plugins").code == 2  # a global option after the command
    assert cli("--no-plugins", "--root", "ws", "export", "json").code == 0
    monkeypatch.delenv("DIASPORATRACK_LOAD_PLUGINS")
    monkeypatch.setenv("DIASPORATRACK_NO_PLUGINS", "1")
    assert cli("--root", "ws", "export", "json").code == 0
    assert answered == [False, False, True, True, True]
    monkeypatch.setenv("DIASPORATRACK_LOAD_PLUGINS", "")
    monkeypatch.delenv("DIASPORATRACK_NO_PLUGINS")

    answered.clear()
    write(ws / "actions.yaml", "actions:\n  - id: act-1\n    title: Do it\n    owners: [edu]\n"
                               "    implements: [oth-a]\n")
    done = cli("--root", "ws", "export", "json")
    assert done.code == 0 and json.loads(done.out)["actions"][0]["id"] == "act-1"
    (ws / "actions.yaml").unlink()
    write(ws / "diasporatrack.yaml", "disable: [builtin.csv]\n")
    warm_up(ws)
    assert cli("--root", "ws", "export", "json").code == 0
    write(ws / "plugin.py", "")
    write(ws / "diasporatrack.yaml", "plugins: [plugin.py]\n")
    warm_up(ws)
    untrusted = cli("--root", "ws", "export", "json")
    assert untrusted.code == 0 and "not running plugin file" in untrusted.err
    assert answered == [False, False, False]


def test_a_stale_cache_is_left_to_the_full_command(ws, cli, answered):
    warm_up(ws)
    Tracker.open(ws, cache=False).update("rep-forum", status="accepted")  # behind the cache's back
    assert '"status": "accepted"' in cli("--root", "ws", "export", "json", "--status", "accepted").out
    write(ws / "report.yaml", (ws / "report.yaml").read_text().replace("Create a forum", "Build a forum"))
    assert "Build a forum" in cli("--root", "ws", "export", "json").out
    assert answered == [False, False]


def test_a_plain_export_loads_neither_the_model_nor_argparse(ws):
    from diasporatrack.cache.fingerprints import RACY_NS

    warm_up(ws)
    time.sleep(RACY_NS / 1e9 + 0.1)  # files that just changed are hashed (pathlib, the safe reader) until they settle
    heavy = ("attrs", "argparse", "yaml", "pluggy", "tabulate", "diasporatrack.model", "diasporatrack.plugins",
             "importlib.metadata", "json", "hashlib", "sqlite3", "contextlib", "pathlib", "diasporatrack.textsafety")
    code = ("import sys\nbefore = set(sys.modules)\nfrom diasporatrack.cli import main\n"
            "assert main(['--root', sys.argv[1], 'export', 'json']) == 0\n"
            f"print(sorted(m for m in {heavy!r} if m in sys.modules and m not in before), file=sys.stderr)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for _ in range(2):  # the first lists the installed plugins (none may load) and keeps the listing
        done = subprocess.run([sys.executable, "-c", code, str(ws)], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]" and json.loads(done.stdout)["recommendations"][0]["id"] == "rep-education"
