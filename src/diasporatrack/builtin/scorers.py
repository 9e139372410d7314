"""Built-in scorers: ``urgency``, ``progress`` and ``impact``.

``urgency`` is a weighted sum in the spirit of Taskwarrior's: each term is a
documented coefficient times a factor between 0 and 1, and ``score
--explain`` shows every term so a person can argue with the number. The
coefficients can be changed under ``urgency:`` in ``diasporatrack.yaml``.
"""

from __future__ import annotations

from ..errors import InputError
from ..hookspecs import hookimpl
from ..model import Recommendation
from ..protocols import Context, Score, Term
from ..schedule import last_activity, reminder_windows

URGENCY_COEFFICIENTS = {
    "overdue": 12.0,        # past its due date and not finished
    "due_soon": 8.0,        # due within reminders.due_soon_days; grows as the day nears
    "stale": 4.0,           # active, and nothing happened for reminders.stale_days
    "stalled": 5.0,         # in the 'stalled' status
    "unowned": 3.0,         # active, and nobody owns it
    "impact": 2.0,          # times the impact rating: none 0, minor 0.5, moderate 1, transformative 2
}
IMPACT_FACTORS = {"none": 0.0, "minor": 0.5, "moderate": 1.0, "transformative": 2.0}


def urgency_coefficients(config: dict) -> dict[str, float]:
    coefficients = dict(URGENCY_COEFFICIENTS)
    for name, value in (config.get("urgency") or {}).items():
        if name not in coefficients:
            raise InputError(f"diasporatrack.yaml: urgency: unknown coefficient {name!r}; "
                             f"known: {', '.join(coefficients)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"diasporatrack.yaml: urgency.{name} must be a number, not {value!r}")
        coefficients[name] = float(value)
    return coefficients


class UrgencyScorer:
    name = "urgency"
    description = "What needs attention first: overdue, due soon, stale, stalled, unowned, impact"

    def score(self, rec: Recommendation, context: Context) -> Score:
        tracker = context.tracker
        if not tracker.lifecycle.is_active(rec.status):
            return Score(0.0, [Term("final", 0.0, f"status {rec.status!r} is final: nothing to do")])
        c = urgency_coefficients(tracker.config)
        due_soon_days, stale_days = reminder_windows(tracker.config)
        today = context.today
        terms = []
        if rec.due is not None:
            days_left = (rec.due - today).days
            if days_left < 0:
                terms.append(Term("overdue", c["overdue"], f"due {rec.due}, {-days_left} days ago"))
            elif days_left <= due_soon_days:
                factor = 1.0 - days_left / (due_soon_days + 1)
                terms.append(Term("due_soon", c["due_soon"] * factor,
                                  f"due {rec.due}, in {days_left} days ({c['due_soon']:g} x {factor:.2f})"))
        last = last_activity(rec, tracker)
        if last is not None and (today - last).days >= stale_days:
            terms.append(Term("stale", c["stale"], f"nothing recorded since {last} ({(today - last).days} days)"))
        if rec.status == "stalled":
            terms.append(Term("stalled", c["stalled"], "status is 'stalled'"))
        if not rec.owners:
            terms.append(Term("unowned", c["unowned"], "nobody owns it"))
        if rec.impact is not None and IMPACT_FACTORS[rec.impact]:
            factor = IMPACT_FACTORS[rec.impact]
            terms.append(Term("impact", c["impact"] * factor, f"impact {rec.impact} ({c['impact']:g} x {factor:g})"))
        return Score.from_terms(terms)


class ProgressScorer:
    name = "progress"
    description = "How far it has come, 0 to 1: progress set with update --progress, else its children's, " \
                  "else the progress weight of its status"

    def score(self, rec: Recommendation, context: Context) -> Score:
        reading = context.tracker.progress().reading(rec)
        if reading.basis == "set":
            return Score.from_terms([Term("progress", reading.value, f"progress set to {rec.progress:g}%")])
        if reading.basis == "children":
            return Score.from_terms([Term("children", reading.value,
                                          f"weighted mean of its children's progress ({reading.percent:.4g}%)")])
        return Score.from_terms([Term("status", reading.value,
                                      f"status {rec.status!r} has progress weight {reading.value:g}")])


class ImpactScorer:
    name = "impact"
    description = "How much it would change: none 0, minor 1, moderate 2, transformative 3"

    LEVELS = {"none": 0.0, "minor": 1.0, "moderate": 2.0, "transformative": 3.0}

    def score(self, rec: Recommendation, context: Context) -> Score:
        if rec.impact is None:
            return Score(0.0, [Term("impact", 0.0, "impact not rated")])
        return Score.from_terms([Term("impact", self.LEVELS[rec.impact], f"rated {rec.impact}")])


@hookimpl
def register_scorers():
    return [UrgencyScorer(), ProgressScorer(), ImpactScorer()]
