"""Shared fixtures: small workspaces written as real files, and a CLI runner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from diasporatrack.cli import main

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "recommendations"

SOURCE_YAML = """\
source:
  id: report-2025
  title: A report
  publisher: An organisation
  kind: dialogue-report
  date: 2025-01-15
  authors: [A. Author]
recommendations:
  - id: rep-health
    title: Form a healthcare group
    text: Form a healthcare expert group.
    quote: "Forming small groups of experts"
    addressed_to: [diaspora]
    owners: [org]
    themes: [healthcare]
  - id: rep-education
    title: Invest in education
    text: Invest in education projects.
    addressed_to: [diaspora, UN]
    owners: [edu]
    themes: [education]
    due: 2025-06-30
  - id: rep-forum
    title: Create a forum
    text: Create a forum for the diaspora.
    addressed_to: [UN, EU]
    themes: [dialogue]
"""

OWNERS_YAML = """\
owners:
  - id: org
    name: The Organisation
    kind: organisation
  - id: edu
    name: Education Expert Group
    kind: expert-group
    parent: org
  - id: health
    name: Healthcare Expert Group
    kind: expert-group
    parent: org
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small valid workspace; the cwd is its parent and DIASPORATRACK_* are unset."""
    root = tmp_path / "ws"
    write(root / "owners.yaml", OWNERS_YAML)
    write(root / "report.yaml", SOURCE_YAML)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIASPORATRACK_ROOT", raising=False)
    monkeypatch.setenv("DIASPORATRACK_USER", "tester")
    return root


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run the CLI in-process: ``cli("list", "--format", "json")`` -> Result."""

    def run(*argv: str) -> Result:
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test keeps its workspace cache to itself, never in the real home."""
    monkeypatch.setenv("DIASPORATRACK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
