"""Finding recommendations from the terminal: search, date filters, the log and the past."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import write
from diasporatrack.search import fold, matches_terms, parse_terms, words


def ids(cli, *argv):
    result = cli("--root", "ws", "list", "--format", "json", *argv)
    assert result.code == 0, result.err
    return [r["id"] for r in json.loads(result.out)]


def test_search_matches_word_beginnings_ignoring_case_and_accents(ws, cli):
    source = ws / "report.yaml"
    source.write_text(source.read_text().replace("Invest in education projects.",
                                                 "Invest in éducation projects with the community."))
    assert ids(cli, "--search", "EDUC") == ["rep-education"]
    assert ids(cli, "--search", "education invest") == ["rep-education"]  # every word, any order
    assert ids(cli, "--search", "commun") == ["rep-education"]
    assert ids(cli, "--search", "un") == ["rep-education", "rep-forum"]  # addressed to UN; not "community"
    assert ids(cli, "--search", "ommunity") == []  # the middle of a word is not a beginning


def test_search_phrases_must_be_consecutive_words(ws, cli):
    assert ids(cli, "--search", '"healthcare expert"') == ["rep-health"]
    assert ids(cli, "--search", '"expert healthcare"') == []


def test_search_looks_in_quotes_themes_owners_and_ids(ws, cli):
    assert ids(cli, "--search", "forming") == ["rep-health"]  # the quote
    assert ids(cli, "--search", "dialogue") == ["rep-forum"]  # a theme
    assert ids(cli, "--search", "edu") == ["rep-education"]  # an owner id, a theme, the text


def test_an_unbalanced_quote_is_a_usage_error(ws, cli):
    result = cli("--root", "ws", "list", "--search", '"open')
    assert result.code == 2 and result.err.count("\n") == 1 and "--search" in result.err


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=12), min_size=1,
                max_size=6), st.data())
def test_any_word_of_a_text_finds_it_in_any_case(parts, data):
    text = " ".join(parts)
    found = words(text).split()
    if not found:
        return
    word = data.draw(st.sampled_from(found))
    prefix = word[: data.draw(st.integers(1, len(word)))]
    query = data.draw(st.sampled_from([prefix, prefix.upper(), prefix.title()]))
    terms = parse_terms(query) if words(query).strip() else None
    if terms:
        assert matches_terms(words(text), terms)


def test_nfc_and_nfd_spellings_fold_alike():
    assert fold("Sant\u00e9") == fold("Sante\u0301") == "sante"


def test_date_filters(ws, cli):
    today = dt.date.today()
    source = ws / "report.yaml"
    source.write_text(source.read_text().replace("due: 2025-06-30", "due: 2025-06-30\n    review_every: 30"))
    assert ids(cli, "--overdue") == ["rep-education"]
    assert ids(cli, "--due-before", "2025-06-30") == []  # strict
    assert ids(cli, "--due-before", "2025-07-01") == ["rep-education"]
    assert ids(cli, "--due-after", "2025-06-29") == ["rep-education"]
    assert ids(cli, "--due-after", "2025-06-30") == []
    assert cli("--root", "ws", "update", "rep-edu", "--status", "accepted").code == 0
    assert cli("--root", "ws", "update", "rep-edu", "--status", "in-progress").code == 0
    assert cli("--root", "ws", "update", "rep-edu", "--status", "implemented").code == 0
    assert ids(cli, "--overdue") == []  # finished work is not overdue
    assert ids(cli, "--changed-since", today.isoformat()) == ["rep-education"]
    assert ids(cli, "--changed-since", (today + dt.timedelta(days=1)).isoformat()) == []
    bad = cli("--root", "ws", "list", "--due-before", "2025-02-30")
    assert bad.code == 2 and "2025-02-30" in bad.err and "Traceback" not in bad.err


def test_sorting_by_a_score_shows_the_score(ws, cli):
    table = cli("--root", "ws", "list", "--sort", "score:urgency").out.splitlines()
    assert table[0].split()[:3] == ["ID", "STATUS", "SCORE"]
    scores = [float(line.split()[2]) for line in table[2:]]
    assert scores == sorted(scores, reverse=True)
    assert "SCORE" not in cli("--root", "ws", "list").out


def test_log_lists_every_change_newest_first_with_filters(ws, cli):
    assert cli("--root", "ws", "update", "rep-health", "--status", "accepted", "--by", "Amina").code == 0
    assert cli("--root", "ws", "update", "rep-forum", "--note", "asked the UN", "--by", "Bilal").code == 0
    assert cli("--root", "ws", "respond", "rep-edu", "supported", "--by", "amina").code == 0
    everything = json.loads(cli("--root", "ws", "log", "--format", "json").out)
    assert [e["recommendation"] for e in everything] == ["rep-education", "rep-forum", "rep-health"]
    by_amina = json.loads(cli("--root", "ws", "log", "--by", "AMINA", "--format", "json").out)
    assert {e["recommendation"] for e in by_amina} == {"rep-health", "rep-education"}
    of_org = json.loads(cli("--root", "ws", "log", "--owner", "org", "--format", "json").out)
    assert {e["recommendation"] for e in of_org} == {"rep-health", "rep-education"}  # edu is under org
    assert json.loads(cli("--root", "ws", "log", "--since", "2999-01-01", "--format", "json").out) == []
    assert len(json.loads(cli("--root", "ws", "log", "--limit", "1", "--format", "json").out)) == 1
    table = cli("--root", "ws", "log").out
    assert table.splitlines()[0].split()[:2] == ["DAY", "RECORDED"] and "asked the UN" in table
    assert "SUBJECT" in table.splitlines()[0]


def test_as_of_shows_the_past_on_every_reading_command(ws, cli, monkeypatch):
    assert cli("--root", "ws", "update", "rep-health", "--status", "accepted").code == 0
    journal = ws / "journal.jsonl"
    line = json.loads(journal.read_text())
    line["at"] = "2025-03-01T10:00:00.000000Z"  # as if it had been recorded then
    journal.write_text(json.dumps(line) + "\n")
    for day, status in (("2025-02-28", "proposed"), ("2025-03-01", "accepted")):
        listed = json.loads(cli("--root", "ws", "list", "--as-of", day, "--format", "json").out)
        assert {r["id"]: r["status"] for r in listed}["rep-health"] == status
        shown = json.loads(cli("--root", "ws", "show", "rep-health", "--as-of", day, "--format", "json").out)
        assert shown["status"] == status
        stats = json.loads(cli("--root", "ws", "stats", "--as-of", day, "--format", "json").out)
        assert stats["by_status"]["accepted"] == (status == "accepted")
        exported = json.loads(cli("--root", "ws", "export", "json", "--as-of", day).out)
        assert {r["id"]: r["status"] for r in exported["recommendations"]}["rep-health"] == status
        assert cli("--root", "ws", "score", "--as-of", day).code == 0
    bad = cli("--root", "ws", "list", "--as-of", "yesterday")
    assert bad.code == 2 and "yesterday" in bad.err


def test_search_looks_in_the_classification_fields_too(ws, cli):
    source = ws / "report.yaml"
    source.write_text(source.read_text().replace(
        "    themes: [dialogue]\n",
        "    themes: [dialogue]\n    reference: stance point 5\n    affected_persons: [women and girls]\n"
        "    author: [Maldives, Portugal]\n", 1))
    assert ids(cli, "--search", '"stance point"') == ["rep-forum"]
    assert ids(cli, "--search", "girls") == ["rep-forum"]
    assert ids(cli, "--search", "portug") == ["rep-forum"]
