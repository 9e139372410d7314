"""The status lifecycle, checked as a state machine over the library API."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from conftest import OWNERS_YAML, SOURCE_YAML, write
from diasporatrack import DEFAULT_LIFECYCLE, Tracker, TransitionError
from diasporatrack.lifecycle import Lifecycle, Status

STATUSES = DEFAULT_LIFECYCLE.names
RECS = ["rep-health", "rep-education", "rep-forum"]


def test_default_lifecycle_is_documented_and_consistent():
    assert DEFAULT_LIFECYCLE.initial == "proposed"
    assert {s.name for s in DEFAULT_LIFECYCLE if s.final} == {"implemented", "rejected", "withdrawn"}
    for status in DEFAULT_LIFECYCLE:
        assert status.definition.endswith(".")
        assert 0 <= status.weight <= 1


def test_forbidden_transition_lists_the_allowed_ones():
    with pytest.raises(TransitionError) as info:
        DEFAULT_LIFECYCLE.check_transition("proposed", "implemented")
    assert str(info.value) == ("cannot go from 'proposed' to 'implemented'; allowed: accepted, in-progress, "
                               "rejected, withdrawn (use --force to override)")
    with pytest.raises(TransitionError, match="none: 'implemented' is final"):
        DEFAULT_LIFECYCLE.check_transition("implemented", "in-progress")


@pytest.mark.parametrize(
    ("statuses", "message"),
    [
        ([], "at least one status"),
        ([Status(name="a", definition="A.", weight=0, next=("b",))], "unknown status 'b'"),
        ([Status(name="a", definition="A.", weight=0), Status(name="a", definition="A.", weight=1)], "defined twice"),
    ],
)
def test_invalid_lifecycles_cannot_exist(statuses, message):
    with pytest.raises(ValueError, match=message):
        Lifecycle(statuses)


class LifecycleMachine(RuleBasedStateMachine):
    """Random updates, allowed or not, forced or not: the tracker agrees with a model."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp())
        write(self.dir / "owners.yaml", OWNERS_YAML)
        write(self.dir / "report.yaml", SOURCE_YAML)
        self.tracker = Tracker.open(self.dir)
        self.model = {rec: "proposed" for rec in RECS}
        self.events = 0

    def teardown(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(rec=st.sampled_from(RECS), status=st.sampled_from(STATUSES))
    def change(self, rec: str, status: str) -> None:
        current = self.model[rec]
        allowed = status in DEFAULT_LIFECYCLE[current].next
        try:
            self.tracker.update(rec, status=status, by="machine")
        except TransitionError:
            assert not allowed
        else:
            assert allowed
            self.model[rec] = status
            self.events += 1

    @rule(rec=st.sampled_from(RECS), status=st.sampled_from(STATUSES))
    def force(self, rec: str, status: str) -> None:
        if status == self.model[rec]:
            return
        after = self.tracker.update(rec, status=status, force=True, note="override")
        allowed = status in DEFAULT_LIFECYCLE[self.model[rec]].next
        # Only a change the lifecycle forbids is recorded as an override.
        assert after.history[-1].forced is not allowed
        assert after.history[-1].previous_status == self.model[rec]
        self.model[rec] = status
        self.events += 1

    @rule()
    def reopen(self) -> None:
        self.tracker = Tracker.open(self.dir)

    @invariant()
    def agrees_with_model(self) -> None:
        assert {r.id: r.status for r in self.tracker} == self.model
        assert sum(len(r.history) for r in self.tracker) == self.events


TestLifecycle = LifecycleMachine.TestCase
TestLifecycle.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)
