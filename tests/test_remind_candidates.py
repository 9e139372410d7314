"""Rules that declare what they need (``wants``) find exactly what running every rule on everything finds."""

from __future__ import annotations

import datetime as dt
import tempfile
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import OWNERS_YAML, write
from diasporatrack import Tracker
from diasporatrack.cache import CachedState
from diasporatrack.hookspecs import hookimpl
from diasporatrack.reminders import Reminder, Wants, collect, remind
from diasporatrack.reminders.candidates import Facts

STATUSES = ["proposed", "accepted", "in-progress", "implemented", "partially-implemented", "stalled", "rejected",
            "withdrawn"]
NOW = dt.date.today()  # events cannot be recorded ahead of the clock: days are drawn around it, close together

RECS = st.lists(st.fixed_dictionaries({
    "status": st.sampled_from(STATUSES[:3]) | st.sampled_from(STATUSES),
    "owners": st.lists(st.sampled_from(["org", "edu", "health"]), unique=True, max_size=2),
    "due": st.none() | st.integers(-2, 2) | st.integers(-20, 20),  # days from the day reminded of
    "review_every": st.none() | st.sampled_from([1, 2, 7, 30]),
    "draft": st.sampled_from([False, False, False, True]),
    "noted": st.none() | st.integers(0, 40),  # a note recorded that many days before the clock's today
}), min_size=1, max_size=12)


def workspace(root: Path, recs: list[dict], source_day: dt.date, today: dt.date,
              windows: tuple[int, int] | None) -> None:
    lines = ["source:", "  id: src", "  title: A report", "  publisher: Someone", "  kind: paper",
             f"  date: {source_day.isoformat()}", "recommendations:"]
    for i, rec in enumerate(recs):
        lines += [f"  - id: rec-{i}", f"    title: Recommendation {i}", "    text: Text.",
                  "    addressed_to: [UN]", f"    owners: [{', '.join(rec['owners'])}]", f"    status: {rec['status']}"]
        if rec["due"] is not None:
            lines.append(f"    due: {(today + dt.timedelta(days=rec['due'])).isoformat()}")
        if rec["review_every"]:
            lines.append(f"    review_every: {rec['review_every']}")
        if rec["draft"]:
            lines.append("    draft: true")
    write(root / "owners.yaml", OWNERS_YAML)
    write(root / "src.yaml", "\n".join(lines) + "\n")
    if windows is not None:
        write(root / "diasporatrack.yaml", f"reminders:\n  due_soon_days: {windows[0]}\n  stale_days: {windows[1]}\n")
    tracker = Tracker.open(root, cache=False)
    for i, rec in enumerate(recs):
        if rec["noted"] is not None:
            tracker.update(f"rec-{i}", note="looked at it", at=NOW - dt.timedelta(days=rec["noted"]), by="tester")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recs=RECS, source_back=st.integers(0, 60), ahead=st.integers(-10, 60),
       windows=st.none() | st.tuples(st.integers(0, 20), st.integers(0, 40)))
def test_declared_rules_find_what_every_rule_on_everything_finds(recs, source_back, ahead, windows):
    today = NOW + dt.timedelta(days=ahead)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        workspace(root, recs, NOW - dt.timedelta(days=source_back), today, windows)
        plain = Tracker.open(root, cache=False)
        full = collect(plain, plain.context(today), select=False)
        assert collect(plain, plain.context(today)) == full  # facts from the recommendations themselves
        Tracker.open(root)  # writes the cache
        warm = Tracker.open(root)
        assert isinstance(warm._state, CachedState)
        assert collect(warm, warm.context(today)) == full  # facts from the cache's columns
        if recs[0]["status"] in ("proposed", "accepted"):  # changed in this process: its saved row is old
            warm.update("rec-0", add_owners=["org"], due="2026-05-01", by="tester")
            again = Tracker.open(root, cache=False)
            assert collect(warm, warm.context(today)) == collect(again, again.context(today), select=False)


def _plugin(rule) -> types.SimpleNamespace:
    """A plugin object registering one reminder rule."""
    namespace = types.SimpleNamespace(register_reminder_rules=hookimpl(lambda: [rule]))
    namespace.__name__ = "test-plugin"
    return namespace


def test_every_boundary_of_the_built_in_declarations(tmp_path):
    """Due yesterday, today, at the end of the window and past it; quiet for exactly the stale days and one less;
    a review cadence that has just come round and one that has not."""
    recs = [{"status": "proposed", "owners": owners, "due": due, "review_every": every, "draft": False, "noted": noted}
            for owners in ([], ["org"]) for due in (None, -2, -1, 0, 1, 3, 4)
            for every, noted in ((None, None), (None, 3), (None, 2), (2, 2), (3, 2), (30, 0))]
    root = tmp_path / "ws"
    workspace(root, recs, NOW - dt.timedelta(days=5), NOW, (3, 3))
    plain = Tracker.open(root, cache=False)
    full = collect(plain, plain.context(NOW), select=False)
    assert {r.rule for r in full} == {"overdue", "due-soon", "stale", "unowned", "review-due"}
    assert collect(plain, plain.context(NOW)) == full
    Tracker.open(root)
    warm = Tracker.open(root)
    assert isinstance(warm._state, CachedState)
    assert collect(warm, warm.context(NOW)) == full


def test_a_rule_without_a_declaration_sees_every_active_recommendation(ws):
    seen: list[str] = []

    class Everything:
        name = "everything"
        description = "Looks at all"

        def check(self, rec, context):
            seen.append(rec.id)
            return []

    tracker = Tracker.open(ws, plugins=[_plugin(Everything())])
    remind(tracker, channels=[], today="2025-03-01")
    assert seen == [r.id for r in tracker if tracker.lifecycle.is_active(r.status) and not r.draft]


def test_a_declaration_keeps_other_recommendations_from_check(ws):
    seen: list[str] = []

    class OnlyUnowned:
        name = "only-unowned"
        description = "Unowned only"

        def wants(self, context):
            return Wants(unowned=True)

        def check(self, rec, context):
            seen.append(rec.id)
            return [Reminder(rule=self.name, recommendation=rec.id, title=rec.title, reason="x", since=context.today,
                             period="p")]

    tracker = Tracker.open(ws, plugins=[_plugin(OnlyUnowned())])
    found = remind(tracker, channels=[], today="2025-03-01").reminders
    assert seen == ["rep-forum"]
    assert [r.recommendation for r in found if r.rule == "only-unowned"] == ["rep-forum"]


def test_a_declaration_of_the_wrong_kind_is_named(ws):
    from diasporatrack.plugins import PluginError

    class Wrong:
        name = "wrong"
        description = "Says something else"

        def wants(self, context):
            return {"unowned": True}

        def check(self, rec, context):
            return []

    tracker = Tracker.open(ws, plugins=[_plugin(Wrong())])
    with pytest.raises(PluginError, match="reminder rule 'wrong' \\(wants\\).*Wants"):
        remind(tracker, channels=[], today="2025-03-01")


@pytest.mark.parametrize(("wants", "facts", "expected"), [
    (Wants(due_within=(None, -1)), Facts("a", dt.date(2025, 2, 28), True, None, None), True),
    (Wants(due_within=(None, -1)), Facts("a", dt.date(2025, 3, 1), True, None, None), False),
    (Wants(due_within=(0, 14)), Facts("a", dt.date(2025, 3, 15), True, None, None), True),
    (Wants(due_within=(0, 14)), Facts("a", dt.date(2025, 3, 16), True, None, None), False),
    (Wants(due_within=(0, 14)), Facts("a", None, True, None, None), False),
    (Wants(quiet_for=60), Facts("a", None, True, None, dt.date(2024, 12, 31)), True),
    (Wants(quiet_for=60), Facts("a", None, True, None, dt.date(2025, 1, 1)), False),
    (Wants(quiet_for=60), Facts("a", None, True, None, None), False),
    (Wants(review_due=True), Facts("a", None, True, 30, dt.date(2025, 1, 30)), True),
    (Wants(review_due=True), Facts("a", None, True, 30, dt.date(2025, 1, 31)), False),
    (Wants(review_due=True), Facts("a", None, True, None, dt.date(2020, 1, 1)), False),
    (Wants(unowned=True), Facts("a", None, True, None, None), False),
    (Wants(unowned=True), Facts("a", None, False, None, None), True),
])
def test_what_a_declaration_lets_through(wants, facts, expected):
    assert wants.admits(facts, dt.date(2025, 3, 1)) is expected
