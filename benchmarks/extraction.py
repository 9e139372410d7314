"""How long `extract` takes on a large text, beside the floor of reading it.

The document is about 1 MB of generated report text: prose paragraphs, headings,
bullet lists and UN-style numbered paragraphs, in the proportions of the test
corpus. Each round runs, interleaved, the floor (a fresh Python that reads the
file and splits it into sentences with one regular expression) and
`diasporatrack extract FILE --format json`; the medians of wall and CPU time
are printed with their ratio. The goal of docs/extraction.md: under 5 s on a
two-core machine. A script, not a test: it asserts nothing.

    python benchmarks/extraction.py [--size-mb 1] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROSE = [
    "The diaspora is a large and active community in many host countries.",
    "Remittances grew every year of the period studied, while investment stayed low.",
    "The government should publish a timetable for the reforms and consult diaspora organisations.",
    "We urge the United Nations to create a forum where the diaspora can speak with one voice.",
    "It is necessary for these institutions to come together under one umbrella.",
    "Many professionals left the country, and few intend to return.",
]
ITEMS = ["Reduce the cost of transfers by licensing more providers.", "Strengthen the national human rights commission.",
         "Forming small groups of experts in healthcare and education.", "The need for greater collaboration was stressed."]


def document(size: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    length, n = 0, 0
    while length < size:
        n += 1
        kind = rng.random()
        if kind < 0.1:
            block = rng.choice(["Recommendations", "Findings", "Summary", "Policy Recommendations"])
        elif kind < 0.3:
            block = "\n".join(f"  • {rng.choice(ITEMS)}" for _ in range(rng.randint(2, 6)))
        elif kind < 0.4:
            block = "\n".join(f"{n}.{i} {rng.choice(ITEMS)} (Maldives)" for i in range(1, rng.randint(2, 8)))
        else:
            block = " ".join(rng.choice(PROSE) for _ in range(rng.randint(2, 8)))
        parts.append(block)
        length += len(block) + 2
    return "\n\n".join(parts) + "\n"


FLOOR = ("import re,sys; t=open(sys.argv[1],encoding='utf-8').read(); "
         "print(len(re.split(r'(?<=[.!?])\\s+', t)))")


def timed(argv: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.txt"
        path.write_text(document(int(args.size_mb * 1024 * 1024)), encoding="utf-8")
        floor, extract = [], []
        for _ in range(args.repeat):  # interleaved: A, B, A, B ...
            floor.append(timed([sys.executable, "-c", FLOOR, str(path)]))
            extract.append(timed([sys.executable, "-m", "diasporatrack", "extract", str(path), "--source", "bench",
                                  "--format", "json"]))
        size = path.stat().st_size
    f_wall, f_cpu = statistics.median(w for w, _ in floor), statistics.median(c for _, c in floor)
    e_wall, e_cpu = statistics.median(w for w, _ in extract), statistics.median(c for _, c in extract)
    print(f"document: {size:,} bytes; load average {os.getloadavg()[0]:.2f}; {args.repeat} interleaved runs")
    print(f"floor    wall {f_wall:6.2f} s  cpu {f_cpu:6.2f} s")
    print(f"extract  wall {e_wall:6.2f} s  cpu {e_cpu:6.2f} s  ({e_wall / f_wall:.1f}x the floor; goal: under 5 s)")


if __name__ == "__main__":
    main()
