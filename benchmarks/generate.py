"""Generate a synthetic diasporatrack workspace for benchmarking.

    python benchmarks/generate.py DIR N [--files F] [--seed S]

writes into DIR (created if needed): ``owners.yaml`` (50 owners: 10
organisations and 40 expert groups with parents), N recommendations of about
800 bytes each spread over N/50 source files (``src-NNNNN.yaml``), and a
``journal.jsonl`` with about N/10 valid events in increasing UTC time.

The output depends only on (N, files, seed): ``random.Random(seed)`` drives
everything, and timestamps are fixed, not taken from the clock.

The YAML text is written by hand (not with ``yaml.dump``) so that generating
100,000 recommendations takes seconds: every free-text value is written with
``json.dumps``, and a JSON string is a valid YAML double-quoted scalar.

Statuses follow the default lifecycle with a skewed distribution;
``withdrawn`` is rare (about 0.5 % of the rows) and the journal never moves a
recommendation into or out of it, so ``list --status withdrawn`` matches a
few rows (see ``RARE_STATUS``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

# Bump when the generated data changes, so cached workspaces are regenerated.
GENERATOR_VERSION = 2  # 2: the journal spans at most about a year (at 100,000 it ran past the clock)

RECS_PER_FILE = 50
RARE_STATUS = "withdrawn"

# (status, weight) of the YAML files; withdrawn ~0.5 %.
STATUS_WEIGHTS = [
    ("proposed", 45.0),
    ("accepted", 15.0),
    ("in-progress", 15.0),
    ("partially-implemented", 8.0),
    ("stalled", 8.0),
    ("implemented", 6.0),
    ("rejected", 2.5),
    ("withdrawn", 0.5),
]

# Transitions of the default lifecycle (diasporatrack.lifecycle), without
# moves into `withdrawn`, for the journal events.
NEXT = {
    "proposed": ["accepted", "in-progress", "rejected"],
    "accepted": ["in-progress", "stalled", "rejected"],
    "in-progress": ["implemented", "partially-implemented", "stalled"],
    "partially-implemented": ["in-progress", "implemented", "stalled"],
    "stalled": ["accepted", "in-progress", "rejected"],
    "implemented": [],
    "rejected": [],
    "withdrawn": [],
}

THEMES = [
    "education", "healthcare", "remittances", "investment", "dialogue", "human-rights", "migration",
    "brain-drain", "culture", "youth", "women", "technology", "governance", "trade", "diplomacy",
    "research", "media", "legal-aid", "housing", "employment",
]
ADDRESSEES = [
    "diaspora", "UN", "EU", "government", "embassy", "parliament", "civil society", "universities",
    "private sector", "donors", "municipalities", "UNHCR", "IOM", "World Bank",
]
IMPACTS = ["none", "minor", "moderate", "transformative"]
KINDS = ["dialogue-report", "article", "opinion", "meeting-notes", "policy-brief", "survey"]
PEOPLE = ["Amina", "Bilal", "Chen", "Dana", "Emre", "Farah", "Gul", "Hassan", "Irina", "Jamal"]

WORDS = (
    "diaspora community members should establish a network of professionals who support students "
    "entrepreneurs and families in the home country through mentoring investment knowledge transfer "
    "and advocacy the government ought to simplify procedures for remittances and recognise foreign "
    "qualifications while embassies provide consular services and legal aid to migrants abroad "
    "organisations can coordinate regular dialogues with policy makers universities and donors to "
    "monitor progress report results publish data and strengthen trust between institutions and "
    "citizens including women youth and returning migrants in rural and urban areas alike"
).split()


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _sentence(rng: random.Random, n: int) -> str:
    text = _words(rng, n)
    return text[0].upper() + text[1:] + "."


def _q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def make_owners(rng: random.Random) -> tuple[str, list[str]]:
    """owners.yaml text, and the ids of all owners."""
    lines = ["owners:"]
    ids: list[str] = []
    orgs = [f"org-{i:02d}" for i in range(10)]
    for i, oid in enumerate(orgs):
        kind = "government" if i % 4 == 3 else "organisation"
        lines += [f"  - id: {oid}", f"    name: {_q(f'Organisation number {i} for diaspora affairs')}",
                  f"    kind: {kind}"]
        ids.append(oid)
    for i in range(40):
        theme = THEMES[(i + i // 20) % 20]  # unique (organisation, theme) pairs
        oid = f"{orgs[i % 10]}-{theme}"
        lines += [f"  - id: {oid}", f"    name: {_q(f'{theme.title()} expert group {i}')}",
                  "    kind: expert-group", f"    parent: {orgs[i % 10]}"]
        if i % 3 == 0:
            lines.append(f"    email: {_q(f'group{i}@example.org')}")
        if i % 5 == 0:
            lines.append(f"    note: {_q(_sentence(rng, 8))}")
        ids.append(oid)
    return "\n".join(lines) + "\n", ids


def _rec_yaml(rng: random.Random, rec_id: str, status: str, owner_ids: list[str], out: list[str]) -> None:
    themes = rng.sample(THEMES, rng.randint(1, 3))
    out.append(f"  - id: {rec_id}")
    out.append(f"    title: {_q(_sentence(rng, rng.randint(6, 10))[:-1])}")
    out.append(f"    text: {_q(_sentence(rng, rng.randint(40, 50)))}")
    out.append(f"    quote: {_q(_sentence(rng, rng.randint(18, 26)))}")
    if rng.random() < 0.2:
        out.append(f"    author: {_q(rng.choice(PEOPLE) + ' ' + rng.choice(PEOPLE) + 'son')}")
    out.append(f"    addressed_to: {_flow(rng.sample(ADDRESSEES, rng.randint(1, 3)))}")
    if rng.random() < 0.85:
        out.append(f"    owners: [{', '.join(rng.sample(owner_ids, rng.randint(1, 2)))}]")
    out.append(f"    themes: {_flow(themes)}")
    out.append(f"    status: {status}")
    if rng.random() < 0.4:
        due = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 1200))
        out.append(f"    due: {due.isoformat()}")
    if rng.random() < 0.3:
        out.append(f"    review_every: {rng.choice([30, 60, 90, 180])}")
    if rng.random() < 0.5:
        out.append(f"    impact: {rng.choice(IMPACTS)}")
    if rng.random() < 0.2:
        out.append(f"    links: [{_q(f'https://example.org/doc/{rng.randint(1, 99999)}')}]")


def generate(root: Path, n: int, files: int | None = None, seed: int = 0) -> dict[str, Any]:
    """Write a workspace of ``n`` recommendations under ``root``.

    Returns a description: counts, a few ids to use in commands
    (``sample_ids``), the rare status and how many rows have it.
    """
    from diasporatrack.journal import event_to_line
    from diasporatrack.model import Event

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files = files or max(1, -(-n // RECS_PER_FILE))
    owners_text, owner_ids = make_owners(rng)
    (root / "owners.yaml").write_text(owners_text, encoding="utf-8")

    names = [s for s, _ in STATUS_WEIGHTS]
    weights = [w for _, w in STATUS_WEIGHTS]
    statuses: dict[str, str] = {}
    ids: list[str] = []
    total_bytes = 0
    per_file, extra = divmod(n, files)
    for f in range(files):
        count = per_file + (1 if f < extra else 0)
        sid = f"src-{f:05d}"
        out = [
            "source:",
            f"  id: {sid}",
            f"  title: {_q(f'Report {f}: ' + _sentence(rng, 6))}",
            f"  publisher: {_q(f'Publisher {rng.randint(1, 40)}')}",
            f"  kind: {rng.choice(KINDS)}",
            f"  date: {(dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 3650))).isoformat()}",
            f"  authors: {_flow([rng.choice(PEOPLE) + ' Author', rng.choice(PEOPLE) + ' Writer'])}",
            f"  url: {_q(f'https://example.org/reports/{f}')}",
            "recommendations:",
        ]
        for j in range(count):
            rec_id = f"s{f:05d}-r{j:03d}-{rng.choice(THEMES)}"
            status = rng.choices(names, weights)[0]
            statuses[rec_id] = status
            ids.append(rec_id)
            _rec_yaml(rng, rec_id, status, owner_ids, out)
        if f % 4 == 0:
            out += ["findings:", f"  - id: {sid}-finding", f"    text: {_q(_sentence(rng, 15))}",
                    f"    themes: {_flow([rng.choice(THEMES)])}"]
        text = "\n".join(out) + "\n"
        total_bytes += len(text.encode())
        (root / f"{sid}.yaml").write_text(text, encoding="utf-8")

    # The journal: about n/10 events in increasing UTC time, with valid transitions.
    at = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    current = dict(statuses)
    owners_of: dict[str, set[str]] = {}
    n_events = max(1, n // 10)
    # At most about a year of events in all: a journal running past the clock would have its later events set
    # aside (dated ahead of the computer's clock), and a workspace with events set aside keeps no cache.
    longest_gap = min(6 * 3600, 365 * 86400 // n_events)
    with open(root / "journal.jsonl", "wb") as fh:
        for _ in range(n_events):
            at += dt.timedelta(seconds=rng.randint(60, longest_gap), microseconds=rng.randint(0, 999999))
            rec_id = rng.choice(ids)
            fields: dict[str, Any] = {"note": _sentence(rng, rng.randint(4, 12))}
            choice = rng.random()
            nexts = NEXT[current[rec_id]]
            if choice < 0.5 and nexts:
                new = rng.choice(nexts)
                fields.update(status=new, previous_status=current[rec_id])
                current[rec_id] = new
            elif choice < 0.7:
                owner = rng.choice(owner_ids)
                if owner not in owners_of.setdefault(rec_id, set()):
                    owners_of[rec_id].add(owner)
                    fields["owners_added"] = (owner,)
            elif choice < 0.8:
                fields["due"] = (at + dt.timedelta(days=rng.randint(30, 720))).date()
            ns = int(at.timestamp()) * 10**9 + at.microsecond * 1000
            event = Event(id=f"{ns:x}-{rng.getrandbits(48):012x}", at=at, by=rng.choice(PEOPLE),
                          recommendation=rec_id, **fields)
            fh.write(event_to_line(event))

    rare = sum(1 for s in current.values() if s == RARE_STATUS)
    return {
        "generator_version": GENERATOR_VERSION,
        "recommendations": n,
        "files": files,
        "seed": seed,
        "owners": len(owner_ids),
        "events": n_events,
        "yaml_bytes": total_bytes,
        "bytes_per_recommendation": round(total_bytes / max(n, 1)),
        "rare_status": RARE_STATUS,
        "rare_status_count": rare,
        # Ids from the start, middle and end, for `show` and `update`.
        "sample_ids": [ids[0], ids[len(ids) // 2], ids[-1]] if ids else [],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a synthetic diasporatrack workspace.")
    parser.add_argument("dir", type=Path)
    parser.add_argument("n", type=int, help="number of recommendations")
    parser.add_argument("--files", type=int, default=None, help=f"source files (default: N/{RECS_PER_FILE})")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    info = generate(args.dir, args.n, args.files, args.seed)
    json.dump(info, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
