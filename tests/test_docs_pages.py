"""The how-to pages of docs/ work when followed word for word, and their examples are valid.

Pages are followed with the rules of ``docs_harness`` (``file=`` blocks are
written, ``console`` commands run and must show what the page shows,
``norun`` commands must at least parse):

- docs/statuses.md continues in the workspace that docs/getting-started.md
  leaves behind, so that page is followed first;
- docs/publishing.md runs from a folder holding a copy of the shipped
  ``recommendations/`` (as the top folder of a clone does), so the database
  it writes does not land in the repository;
- docs/reminders.md runs its ``console`` channel examples in the repository
  (they record nothing: the test checks that ``recommendations/`` is
  unchanged); the ``email`` and ``calendar`` ones are ``norun``.

Every ``yaml`` block of every page that is not written by a ``file=`` block
is loaded with the product's own loader (``diasporatrack.validate`` on a
temporary workspace), as a source file, ``owners.yaml`` or
``diasporatrack.yaml`` by its top-level keys; a block marked ``invalid``
must have problems, and a ``norun`` block (the configuration of another
tool) must be YAML whose ``diasporatrack`` commands parse.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

import diasporatrack
from docs_harness import DOCS, REPO, Reader, blocks, check_parses, diasporatrack_argvs, tree_digest

SHIPPED = REPO / "recommendations"
CONFIG_KEYS = {"statuses", "responses", "reminders", "urgency", "plugins", "disable", "publish", "action_statuses",
               "import"}


def test_statuses_page(tmp_path: Path) -> None:
    reader = Reader(tmp_path).follow(DOCS / "getting-started.md")
    before = reader.ran
    reader.follow(DOCS / "statuses.md")
    assert reader.ran - before >= 10 and reader.cwd == tmp_path / "lifecycle-trial"
    events = [json.loads(line) for line in (tmp_path / "myworkspace" / "journal.jsonl").read_text().splitlines()]
    assert [e.get("forced") for e in events if e.get("status") == "implemented"] == [True]
    assert [e["response"] for e in events if "response" in e] == ["supported"]


def test_publishing_page(tmp_path: Path) -> None:
    shutil.copytree(SHIPPED, tmp_path / "recommendations")
    reader = Reader(tmp_path).follow(DOCS / "publishing.md")
    assert reader.ran >= 6 and reader.written == 1 and reader.not_run == 4, (reader.ran, reader.not_run)
    assert (tmp_path / "tracking.db").is_file() and (tmp_path / "upr.db").is_file()
    assert (tmp_path / "metadata.json").is_file() and (tmp_path / "dashboard.html").is_file()
    _serve_site_as_the_page_says(tmp_path / "public")


def _serve_site_as_the_page_says(site: Path) -> None:
    """The static site the page wrote, served on loopback as it shows (on a free port), answers its pages."""
    import re
    import subprocess
    import sys
    import urllib.request

    server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                               "--directory", str(site)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)
    try:
        port = re.search(r"port (\d+)", server.stdout.readline())
        assert port
        base = f"http://127.0.0.1:{port.group(1)}/"
        for page in ("", "search.html", "search.json", "feed.xml", "data.csv", "r/opp-2024-expert-groups.html"):
            with urllib.request.urlopen(base + page, timeout=10) as answer:
                assert answer.status == 200 and answer.read()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_cli_page(tmp_path: Path) -> None:
    reader = Reader(tmp_path).follow(DOCS / "cli.md")
    assert reader.ran == 1, reader.ran


def test_reminders_page(tmp_path: Path) -> None:
    before = tree_digest(SHIPPED)
    reader = Reader(tmp_path).follow(DOCS / "reminders.md")
    assert tree_digest(SHIPPED) == before, "the page changed the shipped workspace"
    assert reader.ran == 3 and reader.not_run == 3, (reader.ran, reader.not_run)


def test_teams_page(tmp_path: Path) -> None:
    Reader(tmp_path).follow(DOCS / "teams.md")  # nothing runs; its norun yaml is checked below
    found = blocks((DOCS / "teams.md").read_text(encoding="utf-8"))
    # the .gitattributes line the page shows is the one init writes
    shown = next(b.body for b in found if b.language == "text")
    diasporatrack.init_workspace(tmp_path / "ws")
    assert shown in (tmp_path / "ws" / ".gitattributes").read_text(encoding="utf-8")
    # the pre-commit hook the page uses exists, and runs a command that parses
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    config = yaml.safe_load(next(b.body for b in found if "repos:" in b.body))
    for hook in config["repos"][0]["hooks"]:
        check_parses(" ".join([hooks[hook["id"]]["entry"], *hook.get("args", [])]))


def _cron_command(line: str) -> str:
    return line.split(None, 5)[5]


@pytest.mark.parametrize("page", ["reminders.md", "publishing.md"])
def test_cron_lines_parse(page: str) -> None:
    found = [b for b in blocks((DOCS / page).read_text(encoding="utf-8")) if b.language == "cron"]
    assert found and all("norun" in b.options for b in found)
    for block in found:
        for line in block.body.splitlines():
            if line.strip() and not line.startswith("#"):
                command = _cron_command(line)
                assert diasporatrack_argvs(command), command
                check_parses(command)


def _yaml_blocks():
    for page in sorted(DOCS.glob("*.md")):
        for block in blocks(page.read_text(encoding="utf-8")):
            if block.language == "yaml" and "file" not in block.options:
                yield pytest.param(page, block, id=f"{page.name}:{block.line}")


OWNERS_FOR_EXAMPLES = """\
owners:
  - id: example-diaspora-association
    name: Example Diaspora Association
  - id: eda-education
    name: Education Expert Group
    parent: example-diaspora-association
"""


def _problems(tmp_path: Path, body: str) -> list:
    data = yaml.safe_load(body)
    assert isinstance(data, dict), "a yaml example is a mapping"
    root = tmp_path / "ws"
    root.mkdir()
    if "source" in data:
        (root / "owners.yaml").write_text(OWNERS_FOR_EXAMPLES, encoding="utf-8")
        (root / "example.yaml").write_text(body, encoding="utf-8")
    elif set(data) == {"owners"}:
        (root / "owners.yaml").write_text(body, encoding="utf-8")
    elif set(data) == {"actions"}:  # with the recommendations and owners it names, so only its own mistakes count
        (root / "owners.yaml").write_text(OWNERS_FOR_EXAMPLES, encoding="utf-8")
        named = sorted({r for action in data["actions"] for r in action.get("implements") or []})
        recs = [{"id": r, "title": r, "text": r} for r in named]
        (root / "example.yaml").write_text(yaml.safe_dump({"source": {"id": "example", "title": "Example"},
                                                           "recommendations": recs}), encoding="utf-8")
        (root / "actions.yaml").write_text(body, encoding="utf-8")
    else:
        assert set(data) <= CONFIG_KEYS, f"not a workspace file: keys {sorted(data)}"
        (root / "diasporatrack.yaml").write_text(body, encoding="utf-8")
    return diasporatrack.validate(str(root))


@pytest.mark.parametrize("page, block", list(_yaml_blocks()))
def test_yaml_example_is_valid(page: Path, block, tmp_path: Path) -> None:
    if "norun" in block.options:  # the configuration of another tool (pre-commit, CI)
        data = yaml.safe_load(block.body)
        for value in _strings(data):
            if value.startswith("diasporatrack"):
                check_parses(value)
        return
    problems = _problems(tmp_path, block.body)
    if "invalid" in block.options:
        assert problems, f"{page.name} {block}: marked invalid, but it is valid"
    else:
        assert problems == [], f"{page.name} {block}: " + "; ".join(map(str, problems))


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def test_data_format_examples_make_one_workspace(tmp_path: Path) -> None:
    """The source file, owners.yaml and journal lines of docs/data-format.md load together, without a problem."""
    found = blocks((DOCS / "data-format.md").read_text(encoding="utf-8"))
    source = next(b.body for b in found if b.language == "yaml" and b.body.startswith("source:"))
    owners = next(b.body for b in found if b.language == "yaml" and b.body.startswith("owners:"))
    journal = next(b.body for b in found if b.language == "json")
    (tmp_path / "owners.yaml").write_text(owners, encoding="utf-8")
    (tmp_path / "eda-2025-annual-meeting.yaml").write_text(source, encoding="utf-8")
    (tmp_path / "journal.jsonl").write_text(journal, encoding="utf-8")
    assert diasporatrack.validate(str(tmp_path)) == []
    rec = diasporatrack.Tracker.open(tmp_path, cache=False).get("eda-2025-mentoring")
    assert rec.status == "accepted" and list(rec.owners) == ["eda-education"]


def test_every_console_block_has_commands() -> None:
    for page in sorted(DOCS.glob("*.md")):
        for block in blocks(page.read_text(encoding="utf-8")):
            if block.language == "console":
                assert block.body.startswith("$ "), f"{page.name} {block}: no '$ ' command"


def test_extraction_page(tmp_path: Path) -> None:
    from pdfmaker import pdf_bytes

    report = (REPO / "tests" / "extraction" / "report-with-recommendations.md").read_text(encoding="utf-8")
    items = [line for line in report.splitlines() if line[:2] in ("1.", "2.", "3.")]
    (tmp_path / "report.pdf").write_bytes(pdf_bytes(["Remittances and Return", "", "Recommendations", *items]))
    reader = Reader(tmp_path).follow(DOCS / "extraction.md")
    assert reader.ran >= 8 and (tmp_path / "tracker" / "remit-2025.yaml").is_file()
    assert (tmp_path / "tracker" / "sources" / "remit-2025.txt").is_file()
    assert (tmp_path / "tracker" / "sources" / "remit-2025.pdf").is_file()


def test_planning_page(tmp_path: Path) -> None:
    reader = Reader(tmp_path).follow(DOCS / "planning.md")
    assert reader.ran >= 7 and reader.cwd == tmp_path / "plan", reader.ran
    events = [json.loads(line) for line in (tmp_path / "plan" / "journal.jsonl").read_text().splitlines()]
    assert [e.get("subject") for e in events] == ["action"] * 3 + ["indicator"] * 3 + [None]
    assert events[3]["links"] == ["https://example.org/clinic/april"] and events[-1]["evidence"] == "board decision"
