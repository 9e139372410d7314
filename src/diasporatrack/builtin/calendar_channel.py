"""``calendar``: reminders as all-day entries in an .ics file, with ``icalendar``.

The file named by ``--calendar-file`` (or ``reminders: calendar_file:``,
default ``diasporatrack-reminders.ics``) keeps the entries of earlier runs;
new reminders are added, with stable UIDs, and the file is replaced atomically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ..files import atomic_write
from ..hookspecs import hookimpl
from ..protocols import Context
from ..reminders import Delivery, Reminder

DEFAULT_FILE = "diasporatrack-reminders.ics"


class CalendarChannel:
    name = "calendar"
    description = "Add reminders to an .ics calendar file"
    records = True

    def deliver(self, reminders: Sequence[Reminder], context: Context, dry_run: bool = False) -> list[Delivery]:
        """Add an entry per reminder; with ``dry_run``, build them and leave the file as it is."""
        import icalendar

        path = Path(context.settings.get("calendar_file") or DEFAULT_FILE)
        if path.exists():
            calendar = icalendar.Calendar.from_ical(path.read_bytes())
        else:
            calendar = icalendar.Calendar()
            calendar.add("prodid", "-//diasporatrack//reminders//EN")
            calendar.add("version", "2.0")
            calendar.add("x-wr-calname", "diasporatrack reminders")
        existing = {str(e.get("uid")) for e in calendar.walk("VEVENT")}
        stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        for reminder in reminders:
            uid = f"{reminder.key}@diasporatrack"
            if uid in existing:
                continue
            event = icalendar.Event()
            event.add("uid", uid)
            event.add("dtstamp", stamp)
            event.add("dtstart", context.today)
            event.add("dtend", context.today + dt.timedelta(days=1))
            event.add("summary", f"[{reminder.rule}] {reminder.title}")
            who = reminder.owner_name or "nobody (unowned)"
            event.add("description", f"{reminder.reason}\nRecommendation: {reminder.recommendation}\nOwner: {who}")
            event.add("categories", ["diasporatrack", reminder.rule])
            calendar.add_component(event)
        if not dry_run:
            atomic_write(path, calendar.to_ical())
        return [Delivery(reminder=r, ok=True, recipient=str(path)) for r in reminders]


@hookimpl
def register_reminder_channels():
    return [CalendarChannel()]
