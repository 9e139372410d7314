"""``console``: reminders as a table per owner, for a person or a cron mail.

The console only shows: it records nothing, so every run shows everything
that needs attention today.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..hookspecs import hookimpl
from ..protocols import Context
from ..reminders import Delivery, Reminder


def group_by_owner(reminders: Sequence[Reminder]) -> dict[str | None, list[Reminder]]:
    groups: dict[str | None, list[Reminder]] = {}
    for reminder in reminders:
        groups.setdefault(reminder.owner, []).append(reminder)
    return groups


class ConsoleChannel:
    name = "console"
    description = "Print reminders grouped by owner (records nothing)"
    records = False

    def deliver(self, reminders: Sequence[Reminder], context: Context, dry_run: bool = False) -> list[Delivery]:
        """Print the tables; the same with ``dry_run``, since showing sends nothing."""
        from ..tables import simple_table

        out = context.settings.get("stdout") or sys.stdout
        groups = group_by_owner(reminders)
        for owner in sorted(groups, key=lambda o: (o is None, o or "")):
            items = groups[owner]
            if owner is None:
                heading = "Nobody (unowned)"
            else:
                contact = items[0].contact or "no contact: add an email in owners.yaml"
                heading = f"{items[0].owner_name} ({owner}) <{contact}>"
            print(f"{heading}: {len(items)} reminder{'s' * (len(items) != 1)}", file=out)
            # The day as a date, not text: the table shows it the same, and never asks whether it is a number.
            rows = [(r.recommendation, r.rule, r.reason, r.since) for r in items]
            print(simple_table(rows, ["ID", "RULE", "WHY", "SINCE"], numparse=True), file=out)
            print(file=out)
        return [Delivery(reminder=r, ok=True) for r in reminders]


@hookimpl
def register_reminder_channels():
    return [ConsoleChannel()]
