"""`--sdg`, `--where` and `--search` served from the cache's index rows give what checking every recommendation gives."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import OWNERS_YAML, write
from diasporatrack import Tracker
from diasporatrack.cache import CachedState
from diasporatrack.search import _WORD, fold, words

SDGS = ["1", "4", "4.2", "5", "5.1", "5.a", "16", "16.3", "16.10"]
WORDS = ["Santé", "sante", "SANTÉ", "women's", "Women’s", "education", "Educ", "UN", "community", "ıstanbul",
         "Istanbul", "expert", "groups", "41", "41.0", "x_y", "naïve", "straße", "STRASSE"]
KEYS = ["session", "Session", "cycle", "paragraph", "supported", "accepted on"]
VALUES = st.one_of(st.integers(-3, 50), st.sampled_from([41, 41.0, 4.1, 1e308, float("inf")]), st.booleans(),
                   st.dates(dt.date(2024, 1, 1), dt.date(2024, 1, 5)), st.sampled_from(WORDS + ["third", "41"]))
TEXT = st.lists(st.sampled_from(WORDS) | st.text(alphabet="abcéİı _-'.,", max_size=8), min_size=1, max_size=6)

RECS = st.lists(st.fixed_dictionaries({
    "title": TEXT, "text": TEXT,
    "sdgs": st.lists(st.sampled_from(SDGS), unique=True, max_size=3),
    "extra": st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=3),
    "status": st.sampled_from(["proposed", "accepted"]),
}), min_size=1, max_size=8)

FILTERS = st.fixed_dictionaries({
    "sdg": st.none() | st.lists(st.sampled_from(SDGS), min_size=1, max_size=2),
    "where": st.none() | st.lists(st.tuples(st.sampled_from(KEYS + ["missing"]),
                                            st.sampled_from(WORDS + ["41", "4.1e1", "4.1", "nan", "inf", "1e308",
                                                                     "true", "False", "2024-01-02", "third", "-3",
                                                                     " 7 "])).map(lambda kv: "=".join(kv)),
                                  min_size=1, max_size=2),
    "search": st.none() | st.lists(st.sampled_from([w for w in WORDS if "'" not in w]
                                                   + ['"expert groups"', "ed", "s", "é", "title santé"]), min_size=1,
                                   max_size=2).map(" ".join),
    "status": st.none() | st.just("accepted"),
})


def _yaml(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value == float("inf"):
        return ".inf"
    return json.dumps(value)


def workspace(root: Path, recs: list[dict]) -> None:
    lines = ["source:", "  id: src", "  title: A report", "  publisher: Someone", "  kind: paper",
             "  date: 2024-01-01", "recommendations:"]
    for i, rec in enumerate(recs):
        lines += [f"  - id: rec-{i}", f"    title: {json.dumps('Title ' + ' '.join(rec['title']))}",
                  f"    text: {json.dumps('Text ' + ' '.join(rec['text']))}", "    addressed_to: [UN]",
                  f"    status: {rec['status']}", f"    sdgs: {json.dumps(rec['sdgs'])}"]
        if rec["extra"]:
            lines.append("    extra:")
            lines += [f"      {key}: {_yaml(value)}" for key, value in rec["extra"].items()]
    write(root / "owners.yaml", OWNERS_YAML)
    write(root / "src.yaml", "\n".join(lines) + "\n")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recs=RECS, filters=st.lists(FILTERS, min_size=1, max_size=4))
def test_indexed_filters_give_what_checking_every_recommendation_gives(recs, filters):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        workspace(root, recs)
        plain = Tracker.open(root, cache=False)
        assert not plain.problems, plain.problems
        Tracker.open(root)  # writes the cache
        warm = Tracker.open(root)
        assert isinstance(warm._state, CachedState)
        for given_filters in filters:
            expected = [r.id for r in plain.query(**given_filters)]
            assert [r.id for r in warm.query(**given_filters)] == expected
            if given_filters["search"] is None:
                assert warm.query_ids(**{k: v for k, v in given_filters.items() if k != "search"}) == expected
        # a recommendation changed in this process is found by its new state, not its saved row
        warm.update("rec-0", status="accepted" if recs[0]["status"] == "proposed" else "in-progress", by="tester")
        plain = Tracker.open(root, cache=False)
        for given_filters in filters:
            assert [r.id for r in warm.query(**given_filters)] == [r.id for r in plain.query(**given_filters)]


def test_the_indexes_answer_without_building_the_others(ws):
    write(ws / "more.yaml", """\
        source: {id: more, title: More, publisher: P, kind: paper, date: 2024-01-01}
        recommendations:
          - {id: m-1, title: Santé pour tous, text: T., addressed_to: [UN], sdgs: ["3.8"], extra: {session: 41}}
          - {id: m-2, title: Other, text: T., addressed_to: [UN]}
        """)
    Tracker.open(ws)
    warm = Tracker.open(ws)
    assert [r.id for r in warm.query(sdg="3")] == ["m-1"]
    assert [r.id for r in warm.query(where="Session=41.0")] == ["m-1"]
    assert [r.id for r in warm.query(search="SANTE pour")] == ["m-1"]
    assert set(warm._state._loaded) == {"m-1"}  # nothing else was unpickled


@given(st.text(alphabet=st.characters(max_codepoint=0x17F), max_size=30))
def test_the_quick_way_to_the_words_finds_the_same_words(text):
    assert words(text) == " " + " ".join(_WORD.findall(fold(text)))
    assert re.fullmatch(r"( \w+)*| ", words(text))


def test_a_file_edited_after_the_cache_was_written_is_indexed_anew(ws):
    more = ws / "more.yaml"
    write(more, """\
        source: {id: more, title: More, publisher: P, kind: paper, date: 2024-01-01}
        recommendations:
          - {id: m-1, title: Santé pour tous, text: T., addressed_to: [UN], sdgs: ["3.8"], extra: {session: 41}}
        """)
    Tracker.open(ws)
    assert [r.id for r in Tracker.open(ws).query(sdg="3")] == ["m-1"]
    write(more, """\
        source: {id: more, title: More, publisher: P, kind: paper, date: 2024-01-01}
        recommendations:
          - {id: m-1, title: Education, text: T., addressed_to: [UN], sdgs: ["4.1"], extra: {session: 42}}
          - {id: m-2, title: Santé, text: T., addressed_to: [UN], sdgs: ["3"], extra: {session: 41}}
        """)
    st = more.stat()
    os.utime(more, ns=(st.st_atime_ns, st.st_mtime_ns + 3_000_000_000))
    Tracker.open(ws)  # reads the changed file and saves its rows
    warm = Tracker.open(ws)
    assert isinstance(warm._state, CachedState)
    plain = Tracker.open(ws, cache=False)
    for filters in ({"sdg": "3"}, {"sdg": "4"}, {"where": "session=41"}, {"where": "session=42"},
                    {"search": "sante"}, {"search": "education"}):
        expected = [r.id for r in plain.query(**filters)]
        assert [r.id for r in warm.query(**filters)] == expected, filters
    assert [r.id for r in warm.query(sdg="3")] == ["m-2"]
