"""`show` and `history`: one recommendation, and who changed what, when and why."""

from __future__ import annotations

import argparse
import sys
import textwrap

from ..fieldcheck import extra_text
from ..journal import event_to_dict
from ..model import ACTION_CATEGORIES
from ..quotes import locate_quote
from ..sdgs import title as sdg_title
from ..serialize import recommendation_to_dict
from ..translations import localized
from ..versions import version_of
from .common import (EXIT_OK, add_as_of, add_format, add_id, add_lang, localizer, open_tracker, say_fallbacks, shorten,
                     table, to_json)

COMMANDS = ("show", "history")


def cmd_show(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    rec = tracker.get(args.id)
    loc = localizer(tracker, args)
    if args.format == "json":
        out = recommendation_to_dict(rec, history=True)
        if loc.lang is not None:
            out["localized"] = localized(loc, rec)
        reading = tracker.progress().reading(rec)
        out["progress_now"] = {"percent": reading.percent, "basis": reading.basis}
        out["children"] = [c.id for c in tracker.children(rec.id)]
        out["version"] = version_of(rec)  # what update --expect-version names
        actions = _actions(tracker, rec.id)
        if actions:  # only in a workspace with a plan: a JSON reader of other workspaces sees what it always saw
            out["actions"] = [{"id": a.id, "status": a.status, "title": a.title} for a in actions]
        found = locate_quote(tracker, rec)
        if found is not None:
            out["quote_location"] = {"file": f"sources/{rec.source}.txt", "line": found.line,
                                     "paragraph": found.paragraph}
        print(to_json(out))
        say_fallbacks(loc)
        return EXIT_OK
    source = tracker.sources[rec.source]
    measure = tracker.progress()
    progress = measure.reading(rec).describe()
    if rec.progress is not None and tracker.children(rec.id):  # say what the set figure overrides
        kids = [(measure(c), c.weight or 1) for c in tracker.children(rec.id)]
        progress += f"; its children's mean would be {sum(v * w for v, w in kids) / sum(w for _, w in kids):.0%}"
    owners = [f"{o} ({tracker.owners[o].name})" if o in tracker.owners else o for o in rec.owners]
    definition = tracker.lifecycle[rec.status].definition if rec.status in tracker.lifecycle else "(not in the lifecycle)"
    fields = [
        ("id", rec.id),
        ("title", loc.rec(rec, "title").text),
        ("status", f"{rec.status}: {definition}"),
        ("response", f"{rec.response}: {tracker.responses[rec.response].definition}"
                     if rec.response in tracker.responses else rec.response),
        ("source", f"{source.id}: {loc.source(source).text}" + (f" ({source.date})" if source.date else "")),
        ("reference", rec.reference),
        ("author" if len(rec.authors) < 2 else "authors", "; ".join(rec.authors)),
        ("author group", rec.author_group),
        ("addressed to", ", ".join(rec.addressed_to)),
        ("owners", ", ".join(owners) or "none"),
        ("themes", ", ".join(rec.themes)),
        ("sdgs", ", ".join(sdg_title(c) for c in rec.sdgs)),
        ("affects", ", ".join(rec.affected_persons)),
        ("action", f"{rec.action_category}, {ACTION_CATEGORIES[rec.action_category]}"
                   if rec.action_category in ACTION_CATEGORIES else None),
        ("cycle", rec.cycle),
        ("session", rec.session),
        ("progress", progress),
        ("parent", f"{rec.parent}" + (f" (weight {rec.weight:g})" if rec.weight is not None else "")
                   if rec.parent else None),
        ("due", rec.due),
        ("review every", f"{rec.review_every} days" if rec.review_every else None),
        ("impact", rec.impact),
        ("links", ", ".join(rec.links)),
        ("updated", rec.updated.strftime("%Y-%m-%d %H:%M UTC") if rec.updated else "never"),
        ("draft", "yes: not reviewed yet; left out of reminders and public exports" if rec.draft else None),
        ("version", version_of(rec)),
    ]
    for name, value in fields:
        if value:
            print(f"{name + ':':<14}{value}")
    for key, value in rec.extra.items():  # further fields the source carried, under their own names
        label = key + ":"
        print(f"{label:<14}{extra_text(value)}" if len(label) < 14 else f"{label} {extra_text(value)}")
    print()
    print(textwrap.fill(" ".join(loc.rec(rec, "text").text.split()), width=78))
    if rec.quote:  # always the source's own words; a translation of them is labelled as one
        print()
        print(textwrap.fill(f"“{rec.quote}”", width=78, initial_indent="  > ", subsequent_indent="    "))
        found = locate_quote(tracker, rec)
        if found is not None:
            print(f"    (verbatim in sources/{rec.source}.txt, {found})")
        said = loc.quote_translation(rec)
        if said is not None:
            print(textwrap.fill(f"translation of the quote ({said.lang}), not the source's words: {said.text}",
                                width=78, initial_indent="    ", subsequent_indent="    "))
    children = tracker.children(rec.id)
    if children:
        print()
        print(table([(c.id, c.status, f"{measure(c):.0%}", c.weight if c.weight is not None else 1,
                      shorten(loc.rec(c, "title").text, 40)) for c in children], ("child", "status", "progress", "weight", "title")))
    if rec.cites:
        found = {f.id: (s.id, f) for s in tracker.sources.values() for f in s.findings}
        print()
        print("cites:")
        for finding_id in rec.cites:
            source_id, finding = found.get(finding_id, ("?", None))
            text = loc.finding(finding, tracker.sources.get(source_id)).text if finding else "(not found)"
            print(textwrap.fill(f"{finding_id} ({source_id}): {text}", width=78, initial_indent="  - ",
                                subsequent_indent="    "))
    actions = _actions(tracker, rec.id)
    if actions:
        print()
        print(table([(a.id, a.status, a.due or "", shorten(loc.action(a).text, 40)) for a in actions],
                    ("action", "status", "due", "title")))
    if actions:
        print()
        print(timeline_table(rec, actions))
    elif rec.history:
        print()
        print(history_table(rec.history))
    say_fallbacks(loc)
    return EXIT_OK


def timeline_table(rec, actions) -> str:
    """The recommendation's events, its actions' events and their indicators' reports, by the day they happened."""
    entries = [(e, rec.id) for e in rec.history]
    entries += [(e, a.id + (f"/{e.indicator}" if e.indicator else "")) for a in actions for e in a.history]
    entries.sort(key=lambda item: ((item[0].on or item[0].at.date()), item[0].sort_key))
    rows = [((e.on or e.at.date()).isoformat(), subject, e.by, e.describe()) for e, subject in entries]
    return table(rows, ("day", "about", "by", "change"))


def _actions(tracker, rec_id: str):
    """The actions of the plan that implement ``rec_id`` (none when the workspace has no actions.yaml)."""
    from ..actions import checked_plan

    return checked_plan(tracker).implementing(rec_id)


def history_table(events) -> str:
    rows = [(e.at.strftime("%Y-%m-%d %H:%M"), e.by, e.describe()) for e in events]
    return table(rows, ("when (utc)", "by", "change"))


def cmd_history(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    events = tracker.history(args.id)
    if args.id not in tracker and events:
        print(f"{args.id}: no longer in the workspace; its history as the journal keeps it", file=sys.stderr)
    if args.format == "json":
        print(to_json([event_to_dict(e) for e in events]))
    elif not events:
        print(f"{tracker.resolve(args.id)}: no changes recorded yet", file=sys.stderr)
    else:
        print(history_table(events))
    return EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser("show", help="show one recommendation with its history")
    add_id(p)
    add_format(p)
    add_as_of(p)
    add_lang(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("history", help="who changed what, when and why")
    add_id(p)
    add_format(p)
    p.set_defaults(func=cmd_history)
