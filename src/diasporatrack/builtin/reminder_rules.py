"""Built-in reminder rules: overdue, due-soon, stale, unowned, review-due.

Each rule gives a reminder a *period*, so it is sent once per period:
overdue once a week while overdue, due-soon once per due date, stale once
per quiet spell, unowned once a month, review-due once per review date.
Each declares what a recommendation needs before it can say anything
(``wants``), so ``remind`` builds only those (see
:mod:`diasporatrack.reminders.candidates`).
"""

from __future__ import annotations

import datetime as dt

from ..hookspecs import hookimpl
from ..model import Recommendation
from ..protocols import Context
from ..reminders import Reminder, Wants, addressed
from ..schedule import last_activity, next_review, reminder_windows


def _week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


class Overdue:
    name = "overdue"
    description = "Past its due date and not finished (repeats weekly)"

    def wants(self, context: Context) -> Wants:
        return Wants(due_within=(None, -1))

    def check(self, rec: Recommendation, context: Context) -> list[Reminder]:
        if rec.due is None or rec.due >= context.today:
            return []
        days = (context.today - rec.due).days
        return addressed(rec.id, rec.owners, rule=self.name, title=rec.title,
                         reason=f"overdue: was due {rec.due} ({days} day{'s' * (days != 1)} ago)",
                         since=rec.due + dt.timedelta(days=1), period=_week(context.today))


class DueSoon:
    name = "due-soon"
    description = "Due within reminders.due_soon_days (default 14)"

    def wants(self, context: Context) -> Wants:
        return Wants(due_within=(0, reminder_windows(context.tracker.config)[0]))

    def check(self, rec: Recommendation, context: Context) -> list[Reminder]:
        window, _ = reminder_windows(context.tracker.config)
        if rec.due is None or not 0 <= (rec.due - context.today).days <= window:
            return []
        days = (rec.due - context.today).days
        when = "today" if days == 0 else f"in {days} day{'s' * (days != 1)}"
        return addressed(rec.id, rec.owners, rule=self.name, title=rec.title,
                         reason=f"due {rec.due} ({when})", since=rec.due - dt.timedelta(days=window),
                         period=rec.due.isoformat())


class Stale:
    name = "stale"
    description = "Active, and nothing recorded for reminders.stale_days (default 60)"

    def wants(self, context: Context) -> Wants:
        return Wants(quiet_for=reminder_windows(context.tracker.config)[1])

    def check(self, rec: Recommendation, context: Context) -> list[Reminder]:
        _, stale_days = reminder_windows(context.tracker.config)
        last = last_activity(rec, context.tracker)
        if last is None or (context.today - last).days < stale_days:
            return []
        return addressed(rec.id, rec.owners, rule=self.name, title=rec.title,
                         reason=f"nothing recorded since {last} ({(context.today - last).days} days)",
                         since=last + dt.timedelta(days=stale_days), period=last.isoformat())


class Unowned:
    name = "unowned"
    description = "Active, and nobody owns it (repeats monthly)"

    def wants(self, context: Context) -> Wants:
        return Wants(unowned=True)

    def check(self, rec: Recommendation, context: Context) -> list[Reminder]:
        if rec.owners:
            return []
        since = last_activity(rec, context.tracker) or context.today
        return [Reminder(rule=self.name, recommendation=rec.id, title=rec.title,
                         reason="nobody owns it: assign an owner with `update --add-owner`",
                         since=min(since, context.today), period=context.today.strftime("%Y-%m"))]


class ReviewDue:
    name = "review-due"
    description = "Its review cadence (review_every days) says it is time to look again"

    def wants(self, context: Context) -> Wants:
        return Wants(review_due=True)

    def check(self, rec: Recommendation, context: Context) -> list[Reminder]:
        review = next_review(rec, context.tracker)
        if review is None or review > context.today:
            return []
        return addressed(rec.id, rec.owners, rule=self.name, title=rec.title,
                         reason=f"review due {review} (every {rec.review_every} days)", since=review,
                         period=review.isoformat())


@hookimpl
def register_reminder_rules():
    return [Overdue(), DueSoon(), Stale(), Unowned(), ReviewDue()]


@hookimpl
def register_plan_rules():
    from .plan_rules import ActionOverdue, IndicatorDue

    return [ActionOverdue(), IndicatorDue()]
