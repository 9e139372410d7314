"""``ics``: due and review dates as calendar entries, written with ``icalendar``.

Each recommendation with a due date gets an all-day entry on that day; one
with a review cadence gets a repeating all-day entry from its next review.
UIDs are stable, so re-importing the file updates entries instead of
duplicating them. The ``icalendar`` library does the escaping and folding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..hookspecs import hookimpl
from ..model import Recommendation
from ..schedule import next_review

PRODID = "-//diasporatrack//recommendations//EN"


def calendar_for(tracker, recommendations: Sequence[Recommendation], name: str = "Recommendations") -> bytes:
    import icalendar  # only when a calendar is written

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    from ..translations import Localizer

    loc = Localizer.for_tracker(tracker)  # export --lang: the title and text in that language where translated
    for rec in recommendations:
        if not tracker.lifecycle.is_active(rec.status):
            continue
        owners = ", ".join(rec.owners) or "nobody"
        title, text = loc.rec(rec, "title"), loc.rec(rec, "text")
        # RFC 5545's LANGUAGE parameter says which language the title is in, when a language was asked for
        said = {"LANGUAGE": title.lang} if loc.lang and title.lang else {}
        description = f"{text.text}\n\nStatus: {rec.status}\nOwners: {owners}\nSource: {rec.source}"
        if rec.response:
            description += f"\nResponse: {rec.response}"
        if rec.due is not None:
            event = icalendar.Event()
            event.add("uid", f"{rec.id}.due@diasporatrack")
            event.add("dtstamp", stamp)
            event.add("summary", f"Due: {title.text}", parameters=said)
            event.add("dtstart", rec.due)
            event.add("dtend", rec.due + dt.timedelta(days=1))
            event.add("description", description)
            event.add("categories", ["diasporatrack", "due"])
            cal.add_component(event)
        review = next_review(rec, tracker)
        if review is not None:
            event = icalendar.Event()
            event.add("uid", f"{rec.id}.review@diasporatrack")
            event.add("dtstamp", stamp)
            event.add("summary", f"Review: {title.text}", parameters=said)
            event.add("dtstart", review)
            event.add("dtend", review + dt.timedelta(days=1))
            event.add("rrule", {"freq": "daily", "interval": rec.review_every})
            event.add("description", description)
            event.add("categories", ["diasporatrack", "review"])
            cal.add_component(event)
    return cal.to_ical()


class IcsExporter:
    name = "ics"
    extension = "ics"
    description = "Due and review dates as calendar entries (iCalendar)"

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> bytes:
        return calendar_for(tracker, recommendations)


@hookimpl
def register_exporters():
    return [IcsExporter()]
