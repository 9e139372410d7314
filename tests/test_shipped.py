"""The shipped workspace is valid and faithful to the source documents."""

from __future__ import annotations

import json

import re
from pathlib import Path

import pytest

from conftest import SHIPPED
from diasporatrack import Tracker, validate

SEEDS = Path(__file__).parent / "seeds"


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text)


SEED_TEXTS = {
    "opp-2024-dialogue": _normal((SEEDS / "000_1a0e0081be151d82.txt").read_text(encoding="utf-8")),
    "pakistan-emigration-crisis": _normal((SEEDS / "001_3eebe54c1c606679.txt").read_text(encoding="utf-8")),
    "wilson-afghanistan-diaspora": _normal((SEEDS / "002_5e4c360e50f269e5.txt").read_text(encoding="utf-8")),
}


@pytest.fixture(scope="module")
def tracker() -> Tracker:
    return Tracker.open(SHIPPED, cache=False)  # module-wide: the per-test cache folder is not set yet


def test_shipped_workspace_validates_cleanly():
    assert validate(SHIPPED) == []


def test_validate_proves_every_quote_against_the_archived_seed_texts(cli):
    result = cli("--root", str(SHIPPED), "validate", "--require-archive", "--format", "json")
    assert result.code == 0 and json.loads(result.out) == []


def test_the_archives_are_the_seed_texts(tracker):
    from diasporatrack.documents import document_text, text_sha256

    seeds = {"opp-2024-dialogue": "000", "pakistan-emigration-crisis": "001", "wilson-afghanistan-diaspora": "002"}
    for source_id, prefix in seeds.items():
        seed = next((SHIPPED.parent / "tests" / "seeds").glob(f"{prefix}_*.txt"))
        archived = (SHIPPED / "sources" / f"{source_id}.txt").read_text(encoding="utf-8")
        assert archived == document_text(seed)  # the seed as `source archive` reads it
        assert tracker.sources[source_id].text_sha256 == text_sha256(archived)


def test_every_quote_is_verbatim_from_its_source(tracker):
    assert set(tracker.sources) == set(SEED_TEXTS)
    for rec in tracker:
        assert rec.quote, f"{rec.id} has no quote"
        assert _normal(rec.quote) in SEED_TEXTS[rec.source], rec.id
    for source in tracker.sources.values():
        for finding in source.findings:
            assert _normal(finding.quote) in SEED_TEXTS[source.id], finding.id


@pytest.mark.parametrize(
    "phrase",
    [
        # OPP's five stance points.
        "align their efforts to support Pakistan’s democratic and socio-economic development",
        "invest in projects that promote critical thinking and inclusivity",
        "structured approach to influence policies in Pakistan",
        "greater collaboration between the diaspora and local communities",
        "Forming small groups of experts",
        # The Wilson Center article's five recommendations and its closing call.
        "Family counseling, psychological support, and guidance programs",
        "they need long-term support to focus",
        "A platform that is financially and technically supported by the UN, US, or EU",
        "national discourse process for nation-state building",
        "support female leaders and elite",
        "a forum is created for the diaspora by the UN, US or EU",
    ],
)
def test_every_seed_recommendation_is_held(tracker, phrase):
    texts = [_normal(r.quote or "") + " " + _normal(r.text) for r in tracker]
    assert any(phrase in t for t in texts), phrase


def test_nothing_is_invented(tracker):
    assert {r.status for r in tracker} == {"proposed"}
    assert all(r.due is None and r.review_every is None and r.impact is None for r in tracker)
    assert all(o.email is None for o in tracker.owners.values())
    assert all(s.url is None for s in tracker.sources.values())
    assert tracker.sources["opp-2024-dialogue"].date.isoformat() == "2024-11-10"
    assert tracker.sources["wilson-afghanistan-diaspora"].date is None
    assert tracker.sources["pakistan-emigration-crisis"].date is None
    assert not (SHIPPED / "journal.jsonl").exists()


def test_opp_expert_groups_are_owners(tracker):
    groups = {o.id for o in tracker.owners.values() if o.kind == "expert-group"}
    assert groups == {"opp-healthcare", "opp-education", "opp-human-rights", "opp-gender-equality"}
    assert all(tracker.owners[g].parent == "opp-netherlands" for g in groups)


def test_wilson_recommendations_are_addressed_as_the_text_says(tracker):
    wilson = tracker.query(source="wilson")
    assert len(wilson) == 6
    assert tracker.query(source="wilson", addressed_to="un")
    forum = tracker.get("wilson-diaspora-forum")
    assert {"UN", "United States", "EU"} <= set(forum.addressed_to)


def test_the_new_fields_hold_only_what_the_texts_say(tracker):
    assert all(r.reference for r in tracker), "every recommendation says where it sits in its source"
    # No invented progress, clusters, SDGs or classification the texts do not give.
    assert all(r.progress is None and r.parent is None and r.weight is None and not r.sdgs for r in tracker)
    assert all(r.action_category is None and r.cycle is None and r.session is None and not r.extra for r in tracker)
    assert tracker.get("wilson-support-female-leaders").affected_persons == ("women and girls",)
    assert tracker.get("opp-2024-expert-groups").reference == "OPP stance, point 5: Working in small Expert Groups"
    findings = {f.id for s in tracker.sources.values() for f in s.findings}
    cited = {f for r in tracker for f in r.cites}
    assert cited and cited <= findings
    assert len(tracker.sources["pakistan-emigration-crisis"].findings) == 5
