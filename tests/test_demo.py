"""The demo workspace (examples/demo/) is what its script writes, valid, and shows every field at work."""

from __future__ import annotations

import runpy

import attrs

from conftest import REPO
from diasporatrack import validate
from diasporatrack.model import Recommendation
from diasporatrack.tracker import Tracker

DEMO = REPO / "examples" / "demo"


def test_the_committed_demo_is_what_the_script_writes(tmp_path):
    runpy.run_path(str(REPO / "examples" / "make_demo.py"))["write"](tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in DEMO.iterdir())
    for name in written:
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), f"run: python examples/make_demo.py ({name})"


def test_the_demo_is_valid_and_uses_every_field(tmp_path):
    assert validate(str(DEMO)) == []
    tracker = Tracker.open(DEMO, cache=False)
    recs = list(tracker)
    optional = {"reference", "sdgs", "affected_persons", "authors", "author_group", "action_category", "cycle",
                "session", "extra", "progress", "parent", "weight", "cites"}
    assert optional <= {a.name for a in attrs.fields(Recommendation)}
    for field in optional:
        assert any(getattr(r, field) for r in recs), field
    assert {r.action_category for r in recs} >= {1, 2, 3, 5}
    cluster = tracker.progress().reading(tracker.get("demo-upr-women-justice"))
    assert cluster.basis == "children" and round(cluster.percent, 2) == 52.75  # (2 x 55.5 + 0 + 100) / 4


def test_the_demo_shows_a_plan_with_an_indicator_reported_three_times():
    plan = Tracker.open(DEMO, cache=False).plan()
    assert plan.problems == [] and len(plan.actions) == 2
    trained = plan.get("demo-judges-training").indicators[0]
    assert [r.value for r in trained.reports] == [8, 19, 27]
    assert sum(bool(r.event.links) for r in trained.reports) == 2
