"""Extraction measured against hand-written expectations: the seeds and a corpus of other kinds of documents.

The figures (recall and precision per document) are reported in docs/extraction.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, SHIPPED
from diasporatrack.builtin.extractors.heuristic import HeuristicExtractor
from diasporatrack.extraction import Candidate, extract, suggest_title

SEEDS = REPO / "tests" / "seeds"
CORPUS = REPO / "tests" / "extraction"
SEED_OF = {"opp-2024-dialogue": "000_1a0e0081be151d82.txt", "pakistan-emigration-crisis": "001_3eebe54c1c606679.txt",
           "wilson-afghanistan-diaspora": "002_5e4c360e50f269e5.txt"}


def candidates(path: Path) -> tuple[str, list[Candidate]]:
    text = path.read_text(encoding="utf-8")
    return text, extract(text, HeuristicExtractor(), minimum=0.3)


def squash(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').split())


def overlaps(a: str, b: str) -> bool:
    a, b = squash(a), squash(b)
    return a in b or b in a or len(set(re.findall(r"\w+", a)) & set(re.findall(r"\w+", b))) >= 8


def shipped(source: str) -> list[dict]:
    data = yaml.safe_load((SHIPPED / f"{source}.yaml").read_text(encoding="utf-8"))
    return data.get("recommendations") or []


@pytest.mark.parametrize("source", ["opp-2024-dialogue", "wilson-afghanistan-diaspora"])
def test_every_shipped_recommendation_is_among_the_candidates(source):
    _, found = candidates(SEEDS / SEED_OF[source])
    for rec in shipped(source):
        assert any(overlaps(c.quote, rec["quote"]) for c in found), f"{rec['id']} was not proposed"


@pytest.mark.parametrize("source", ["opp-2024-dialogue", "wilson-afghanistan-diaspora"])
def test_precision_at_most_twice_the_shipped_count(source):
    _, found = candidates(SEEDS / SEED_OF[source])
    assert len(found) <= 2 * len(shipped(source))


def test_the_opinion_piece_without_recommendations_yields_few_low_confidence_candidates():
    _, found = candidates(SEEDS / SEED_OF["pakistan-emigration-crisis"])
    assert len(found) <= 3 and all(c.confidence < 0.5 for c in found)


EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_recall_and_precision(name):
    _, found = candidates(CORPUS / name)
    expected = EXPECTED[name]
    for passage in expected:
        assert any(squash(passage) in squash(c.quote) for c in found), f"not proposed: {passage!r}"
    assert len(found) <= 2 * len(expected)


@pytest.mark.parametrize("path", [*sorted(SEEDS.glob("*.txt")), *sorted(p for p in CORPUS.iterdir()
                                                                         if p.suffix != ".yaml")])
def test_every_quote_is_a_verbatim_span_with_a_clean_title(path):
    text, found = candidates(path)
    for cand in found:
        assert text[cand.start:cand.end] == cand.quote
        assert not re.match(r"\d", cand.title), cand.title
        assert cand.title.endswith("…") or squash(cand.title.rstrip("…")).split()[-1] in squash(cand.quote)
        assert 0 < cand.confidence <= 1 and cand.reason


def test_un_numbered_paragraphs_keep_their_number_and_lose_the_recommending_states():
    _, found = candidates(CORPUS / "un-numbered-paragraphs.txt")
    first = found[0]
    assert first.reference == "140.1" and first.title == "Ratify the Optional Protocol to the Convention against Torture"
    assert first.addressed_to == ("State under review",)


def test_addressees_named_by_a_sentence():
    _, found = candidates(SEEDS / SEED_OF["wilson-afghanistan-diaspora"])
    forum = next(c for c in found if "forum is created" in c.quote)
    assert {"UN", "US", "EU"} <= set(forum.addressed_to)


WORDS = st.sampled_from("the diaspora should invest in schools and we urge the UN to act now because it is "
                        "necessary for all host countries 140.2 Ratify • - Recommendations Summary".split())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=25).map(" ".join), min_size=1, max_size=12),
       st.lists(st.sampled_from(["\n", "\n\n", ". ", ".\n", "? "]), min_size=12, max_size=12))
def test_any_document_gives_verbatim_quotes_and_titles_that_do_not_start_with_a_number(parts, joins):
    text = "".join(part + joins[i] for i, part in enumerate(parts))
    for cand in extract(text, HeuristicExtractor()):
        assert text[cand.start:cand.end] == cand.quote
        assert not re.match(r"[\d•\-]", cand.title)


@pytest.mark.parametrize("quote, title", [
    ("140.7 Ratify the Optional Protocol (Maldives) (Portugal);", "Ratify the Optional Protocol"),
    ("• Strengthen the **national** commission.", "Strengthen the national commission"),
    ("Unified Vision - The diaspora must align their efforts.", "Unified Vision"),
    ("word " * 40, ("Word " + "word " * 13).strip() + "…"),
])
def test_suggested_titles(quote, title):
    assert suggest_title(quote) == title
