"""``ogp``: a diasporatrack scorer in the spirit of the Open Government
Partnership's Independent Reporting Mechanism (IRM) assessment.

The IRM looks at a commitment's *potential impact* and at how far it was
*completed*; a commitment that is transformative and substantially or fully
complete is "starred". This scorer borrows that idea, not OGP's official
methodology (which also weighs specificity, relevance and results)::

    score = impact level x progress weight of the status

impact levels: none 0, minor 1, moderate 2, transformative 3 (not rated: 0);
the weight comes from the workspace's own lifecycle, so a redefined
lifecycle is scored by its own weights. The result runs from 0 to 3.
"""

from __future__ import annotations

from diasporatrack import hookimpl
from diasporatrack.model import Recommendation
from diasporatrack.protocols import Context, Score, Term

__all__ = ["IMPACT_LEVELS", "STARRED_WEIGHT", "OgpScorer", "completion_level", "register_scorers"]

IMPACT_LEVELS: dict[str, float] = {"none": 0.0, "minor": 1.0, "moderate": 2.0, "transformative": 3.0}
STARRED_WEIGHT = 0.75  # "substantial" completion or better, as OGP requires for a star


def completion_level(weight: float) -> str:
    """The IRM's completion words for a progress weight, so reasons read like an IRM report."""
    if weight <= 0.0:
        return "not started"
    if weight < STARRED_WEIGHT:
        return "limited"
    return "complete" if weight >= 1.0 else "substantial"


class OgpScorer:
    """Potential impact times completion; a product, so one unrated factor gives 0."""

    name = "ogp"
    description = "In the spirit of OGP's IRM: potential impact (0-3) x completion (status weight); starred at the top"

    def score(self, rec: Recommendation, context: Context) -> Score:
        lifecycle = context.tracker.lifecycle
        # An unknown status is reported by `validate`; here it simply counts as not started.
        weight = lifecycle[rec.status].weight if rec.status in lifecycle else 0.0
        completion = Term("completion", weight, f"status {rec.status!r} has progress weight {weight:g} "
                                                f"({completion_level(weight)})")
        if rec.impact is None:
            impact = Term("impact", 0.0, "potential impact not rated: scores 0 until someone rates it")
            return Score(0.0, [impact, completion])
        level = IMPACT_LEVELS[rec.impact]
        impact = Term("impact", level, f"potential impact {rec.impact} ({level:g} of 3)")
        terms = [impact, completion]
        if rec.impact == "transformative" and weight >= STARRED_WEIGHT:
            terms.append(Term("starred", 0.0, f"starred: transformative and {completion_level(weight)} "
                                              f"(weight {weight:g} >= {STARRED_WEIGHT:g})"))
        return Score(round(level * weight, 6), terms)


@hookimpl
def register_scorers() -> list[OgpScorer]:
    return [OgpScorer()]
