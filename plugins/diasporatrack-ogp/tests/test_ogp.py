"""The ``ogp`` scorer, through the library and the CLI, as an installed plugin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diasporatrack import Tracker
from diasporatrack.cli import main

@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Keep diasporatrack's cache and trusted files inside the test's folder, not in the home directory,
    and this plugin loaded whatever the environment says (it is what these tests are about)."""
    monkeypatch.setenv("DIASPORATRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("DIASPORATRACK_NO_PLUGINS", "DIASPORATRACK_LOAD_PLUGINS", "DIASPORATRACK_TRUST_LOCAL_PLUGINS"):
        monkeypatch.delenv(name, raising=False)


OWNERS = """\
owners:
  - id: org
    name: The Organisation
    kind: organisation
"""

# (id, impact or None, status) -> expected score
CASES = {
    "star-done": ("transformative", "implemented", 3.0),
    "star-partial": ("transformative", "partially-implemented", 2.25),
    "big-started": ("transformative", "in-progress", 1.5),
    "big-proposed": ("transformative", "proposed", 0.0),
    "mid-done": ("moderate", "implemented", 2.0),
    "small-stalled": ("minor", "stalled", 0.25),
    "none-done": ("none", "implemented", 0.0),
    "unrated-done": (None, "implemented", 0.0),
}


def _source(cases: dict[str, tuple[str | None, str, float]]) -> str:
    lines = ["source:", "  id: plan", "  title: An action plan", "recommendations:"]
    for rec_id, (impact, status, _) in cases.items():
        lines += [f"  - id: {rec_id}", f"    title: Commitment {rec_id}", "    text: Do it.",
                  "    owners: [org]", f"    status: {status}"]
        if impact is not None:
            lines.append(f"    impact: {impact}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "owners.yaml").write_text(OWNERS, encoding="utf-8")
    (ws / "plan.yaml").write_text(_source(CASES), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIASPORATRACK_ROOT", raising=False)
    return ws


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_scores_are_impact_times_completion(root: Path) -> None:
    scores = Tracker.open(root).score("ogp")
    assert {rec_id: s.value for rec_id, s in scores.items()} == {k: v[2] for k, v in CASES.items()}


def test_starred_only_when_transformative_and_substantially_complete(root: Path) -> None:
    scores = Tracker.open(root).score("ogp")
    starred = {rec_id for rec_id, s in scores.items() if any(t.name == "starred" for t in s.terms)}
    assert starred == {"star-done", "star-partial"}
    assert scores["star-partial"].terms[-1].reason == "starred: transformative and substantial (weight 0.75 >= 0.75)"
    assert scores["star-done"].terms[-1].reason == "starred: transformative and complete (weight 1 >= 0.75)"


def test_each_factor_explains_itself(root: Path) -> None:
    scores = Tracker.open(root).score("ogp")
    terms = [(t.name, t.value, t.reason) for t in scores["small-stalled"].terms]
    assert terms == [
        ("impact", 1.0, "potential impact minor (1 of 3)"),
        ("completion", 0.25, "status 'stalled' has progress weight 0.25 (limited)"),
    ]
    unrated = scores["unrated-done"]
    assert [(t.name, t.value) for t in unrated.terms] == [("impact", 0.0), ("completion", 1.0)]
    assert unrated.terms[0].reason == "potential impact not rated: scores 0 until someone rates it"
    assert scores["big-proposed"].terms[1].reason == "status 'proposed' has progress weight 0 (not started)"


def test_uses_the_workspace_lifecycle(root: Path) -> None:
    (root / "diasporatrack.yaml").write_text(
        "statuses:\n"
        "  - {name: open, definition: Open., weight: 0, next: [halfway]}\n"
        "  - {name: halfway, definition: Half done., weight: 0.8, next: [done]}\n"
        "  - {name: done, definition: Done., weight: 1}\n", encoding="utf-8")
    (root / "plan.yaml").write_text(_source({"a": ("transformative", "halfway", 0), "b": ("moderate", "open", 0)}),
                                    encoding="utf-8")
    scores = Tracker.open(root).score("ogp")
    assert scores["a"].value == 2.4
    assert [t.name for t in scores["a"].terms] == ["impact", "completion", "starred"]
    assert scores["b"].value == 0.0


def test_cli_ranks_and_explains(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ranked = _cli(capsys, "--root", str(root), "score", "--scorer", "ogp", "--format", "json")
    assert [(r["id"], r["score"]) for r in ranked][:4] == [
        ("star-done", 3.0), ("star-partial", 2.25), ("mid-done", 2.0), ("big-started", 1.5)]
    explained = _cli(capsys, "--root", str(root), "score", "--scorer", "ogp", "--explain", "star-partial",
                     "--format", "json")
    assert explained["score"] == 2.25
    assert [(t["name"], t["value"]) for t in explained["terms"]] == [
        ("impact", 3.0), ("completion", 0.75), ("starred", 0.0)]


def test_listed_as_an_entry_point_plugin(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plugins = {p["name"]: p for p in _cli(capsys, "--root", str(root), "plugins", "--format", "json")}
    assert plugins["ogp"]["origin"] == "entry point"
    assert plugins["ogp"]["location"] == "diasporatrack-ogp 0.1.0"
    assert plugins["ogp"]["registers"] == {"scorers": ["ogp"]}
