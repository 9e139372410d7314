"""Built-in plan rules: actions past their due date, indicators whose report is due.

They follow the plan's own protocol (``check_action(action, plan, context)``,
see :class:`diasporatrack.protocols.PlanRule`); each reminder goes to the
action's owners (an indicator's: its own owner, else the action's) and
carries a period, so it is delivered once per period.
"""

from __future__ import annotations

import datetime as dt

from ..protocols import Context
from ..reminders import Reminder, addressed
from ..schedule import reminder_windows


def _week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


class ActionOverdue:
    name = "action-overdue"
    description = "An action past its due date and not finished (repeats weekly)"

    def check_action(self, action, plan, context: Context) -> list[Reminder]:
        if action.due is None or action.due >= context.today:
            return []
        days = (context.today - action.due).days
        return addressed(action.id, action.owners, rule=self.name, title=action.title, subject="action",
                         reason=f"action overdue: was due {action.due} ({days} day{'s' * (days != 1)} ago)",
                         since=action.due + dt.timedelta(days=1), period=_week(context.today))


class IndicatorDue:
    name = "indicator-due"
    description = ("An indicator whose next report (every `cadence` days since the last, or since the action's "
                   "start) is due within reminders.due_soon_days, or overdue")

    def check_action(self, action, plan, context: Context) -> list[Reminder]:
        window, _ = reminder_windows(context.tracker.config)
        found: list[Reminder] = []
        for indicator in action.indicators:
            due = indicator.next_due(action.start)
            if due is None or (due - context.today).days > window:
                continue
            days = (due - context.today).days
            when = (f"overdue since {due} ({-days} day{'s' * (days != -1)})" if days < 0
                    else "due today" if days == 0 else f"due {due} (in {days} day{'s' * (days != 1)})")
            owners = (indicator.owner,) if indicator.owner else action.owners
            found += addressed(action.id, owners, rule=self.name, subject="action",
                               title=f"{action.title}: {indicator.title}",
                               reason=f"report on {action.id}/{indicator.id} {when}",
                               since=due - dt.timedelta(days=window), period=f"{indicator.id}:{due.isoformat()}")
        return found
