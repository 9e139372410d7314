"""Progress beyond the status: a percentage set by hand, and clusters of recommendations."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write
from diasporatrack import DEFAULT_LIFECYCLE
from diasporatrack.model import Recommendation
from diasporatrack.progress import Progress, children_of
from diasporatrack.tracker import Tracker

CLUSTER = """\
source: {id: s, title: S}
recommendations:
  - {id: top, title: Cluster, text: A cluster}
  - {id: kid-a, title: A, text: A, parent: top, status: implemented}
  - {id: kid-b, title: B, text: B, parent: top, weight: 3, progress: 20}
  - {id: set, title: Set, text: Set, progress: 70}
  - {id: set-kid, title: K, text: K, parent: set, status: implemented}
"""


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    root = tmp_path / "w"
    write(root / "owners.yaml", "owners: []\n")
    write(root / "s.yaml", CLUSTER)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIASPORATRACK_USER", "tester")
    return root


def test_a_parent_shows_the_weighted_mean_of_its_children(cluster):
    t = Tracker.open(cluster)
    measure = t.progress()
    assert measure.reading(t.get("top")).basis == "children"
    assert measure(t.get("top")) == pytest.approx((1 * 1.0 + 3 * 0.2) / 4)
    assert measure.reading(t.get("set")).describe() == "70% (set explicitly)"
    assert [c.id for c in t.children("top")] == ["kid-a", "kid-b"]


def test_update_progress_is_journaled_and_shown(cluster, cli):
    result = cli("--root", str(cluster), "update", "kid-b", "--progress", "60.5", "--note", "halfway")
    assert result.code == 0 and "progress 20% -> 60.5%" in result.out
    event = json.loads((cluster / "journal.jsonl").read_text().splitlines()[-1])
    assert (event["progress"], event["previous_progress"], event["v"]) == (60.5, 20, 3)
    shown = cli("--root", str(cluster), "show", "top").out
    assert "progress:     70.38% (mean of its children)" in shown
    assert "kid-b" in shown and "60%" in shown  # the children are listed with their progress
    assert "its children's mean would be 100%" in cli("--root", str(cluster), "show", "set").out
    cli("--root", str(cluster), "update", "kid-b", "--progress", "none")
    assert Tracker.open(cluster).get("kid-b").progress is None
    tree = cli("--root", str(cluster), "list", "--tree").out.splitlines()
    firsts = [line.split()[0] for line in tree[2:]]
    assert firsts == ["set", "└─", "top", "└─", "└─"]
    assert [line.split()[1] for line in tree[2:] if line.startswith("└")] == ["set-kid", "kid-a", "kid-b"]


@pytest.mark.parametrize("value", ["101", "-0.1", "abc", "nan"])
def test_bad_progress_is_refused_and_nothing_is_written(cluster, cli, value):
    result = cli("--root", str(cluster), "update", "kid-a", f"--progress={value}")
    assert result.code == 2 and "bad progress" in result.err and result.err.count("\n") == 1
    assert not (cluster / "journal.jsonl").exists()


def test_stats_and_the_progress_scorer_use_it(cluster, cli):
    data = json.loads(cli("--root", str(cluster), "stats", "--format", "json").out)
    # top (0.4), kid-a (1), kid-b (0.2), set (0.7), set-kid (1)
    assert data["progress"] == pytest.approx((0.4 + 1 + 0.2 + 0.7 + 1) / 5)
    scores = Tracker.open(cluster).score("progress")
    assert scores["top"].value == pytest.approx(0.4) and scores["set"].value == pytest.approx(0.7)


# --- a property: a cluster never shows more or less than its children allow ---------------

statuses = st.sampled_from(DEFAULT_LIFECYCLE.names)
percent = st.none() | st.floats(0, 100, allow_nan=False) | st.integers(0, 100)


@st.composite
def forests(draw):
    """Recommendations where each may have a parent among those before it (so no loops)."""
    count = draw(st.integers(1, 12))
    recs = []
    for i in range(count):
        parent = draw(st.none() | st.integers(0, i - 1)) if i else None
        recs.append(Recommendation(
            id=f"r{i}", title="t", text="t", source="s", status=draw(statuses), progress=draw(percent),
            parent=f"r{parent}" if parent is not None else None,
            weight=draw(st.none() | st.floats(0.01, 1000, allow_nan=False))))
    return recs


@given(forests())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_a_cluster_lies_within_its_children(recs):
    by_id = {r.id: r for r in recs}
    kids = children_of(recs)
    measure = Progress(DEFAULT_LIFECYCLE, kids, by_id.__getitem__)
    for rec in recs:
        value = measure(rec)
        assert 0 <= value <= 1
        if rec.progress is not None:
            assert value == rec.progress / 100
        elif rec.id in kids:
            values = [measure(by_id[k]) for k in kids[rec.id]]
            assert min(values) <= value <= max(values)
        else:
            assert value == DEFAULT_LIFECYCLE[rec.status].weight
