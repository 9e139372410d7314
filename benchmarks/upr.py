"""Importing generated spreadsheets: a UPR-style one the size of the whole UPR record, and a 1,000,000-row CSV."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

UPR_STATES = ["Pakistan", "Afghanistan", "Norway", "Chile", "Sweden", "Kenya", "Brazil", "India", "Ghana",
              "Canada", "Peru", "Japan", "Tunisia", "Fiji", "Iceland", "Mexico", "Senegal", "Nepal", "Spain", "Togo"]
UPR_ISSUES = ["Torture", "Detention", "Freedom of expression", "Women's rights", "Children", "Migrants",
              "National human rights institution", "Death penalty", "Minorities", "Education"]
UPR_RESPONSES = ["Supported", "Noted", "Supported in part", ""]


def generate_upr_rows(path: Path, rows: int, seed: int = 0) -> None:
    """A UPR-style spreadsheet (generated, never real data), with the public databases' column names."""
    import csv
    import random

    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Recommendation", "Recommending State", "State under Review", "Response", "Issues",
                      "Session", "Cycle"])
        for n in range(rows):
            session = 1 + n * 43 // rows
            words = " ".join(rnd.choice(["ensure", "strengthen", "adopt", "the", "rights", "of", "all", "law",
                                         "protect", "measures", "effective", "national", "policy"])
                             for _ in range(rnd.randint(12, 40)))
            out.writerow([words.capitalize() + ".", rnd.choice(UPR_STATES), rnd.choice(UPR_STATES),
                          rnd.choice(UPR_RESPONSES), "; ".join(rnd.sample(UPR_ISSUES, rnd.randint(1, 3))),
                          session, 1 + (session - 1) // 12])


def upr_import(ctx: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Importing a generated file of 80,000 UPR rows (the size of the whole UPR record)."""
    rows = ctx.get("upr_rows") or 0
    if not rows:
        return {}
    path = ctx["tmp"] / "upr.csv"
    generate_upr_rows(path, rows)
    ws = ctx["tmp"] / "upr-workspace"

    def fresh() -> None:
        shutil.rmtree(ws, ignore_errors=True)
        subprocess.run([*ctx["tool"], "init", str(ws)], env=ctx["env"], capture_output=True, check=True)

    name = f"import {rows:,} UPR rows"
    print(f"-- {name}", flush=True)
    result = ctx["measure"](lambda i: [*ctx["tool"], "--root", str(ws), "import", str(path), "--preset", "upr"],
                     ctx["env"], min(ctx["repeat"], 3), before=fresh)
    # The floor: libyaml reading what the import wrote (the last run's workspace), in the same run.
    floor = ctx["measure"](lambda i: ctx["floor_argv"](ws), ctx["env"], min(ctx["repeat"], 3))
    if result.get("median_s") and floor.get("median_s") and "error" not in result:
        result.update(floor_s=floor["median_s"], ratio=result["median_s"] / floor["median_s"],
                      vs="the floor of its result", floor_cpu_s=floor.get("cpu_s"))
        if result.get("cpu_s") and floor.get("cpu_s"):  # on a loaded machine CPU time says more than wall time
            result["cpu_ratio"] = result["cpu_s"] / floor["cpu_s"]
    fmt = ctx["fmt"]
    print(f"   {name}: {fmt(result['median_s'], '.2f')} s, peak {fmt(result['peak_mib'], '.0f')} MiB, "
          f"{fmt(result.get('ratio'), '.2f')}x the floor of its result ({fmt(floor.get('median_s'), '.2f')} s; "
          f"CPU {fmt(result.get('cpu_s'), '.1f')} s, {fmt(result.get('cpu_ratio'), '.2f')}x the floor's)"
          + (f"  ERROR: {result['error']['stderr'].strip()[-300:]}" if "error" in result else ""), flush=True)
    return {name: result}


def upr_goal(extra: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The goal of issue 15: a fresh import of 100,000 rows within 3x the floor of its result."""
    found = [(name, m) for name, m in extra.items() if name.startswith("import ") and name.endswith(" UPR rows")]
    if not found:
        return None
    name, m = found[0]
    if m.get("ratio") is None:
        return {"goal": f"fresh `{name}`", "limit": "<= 3x the floor of its result", "status": "not measured",
                "reason": "the import failed" if "error" in m else "no floor"}
    return {"goal": f"fresh `{name}`", "limit": "<= 3x the floor of its result", "value": round(m["ratio"], 3),
            "unit": "x floor", "status": "pass" if m["ratio"] <= 3 else "fail"}


def generate_csv_rows(path: Path, rows: int, seed: int = 0) -> None:
    """A plain spreadsheet of ``rows`` recommendations (generated), about 300 bytes a row, some cells multi-line."""
    import csv
    import random

    rnd = random.Random(seed)
    vocabulary = ["ensure", "strengthen", "adopt", "the", "rights", "of", "all", "law", "protect", "measures",
                  "effective", "national", "policy", "diaspora", "health", "education"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["text", "author", "addressed_to", "themes", "due"])
        for n in range(rows):
            words = " ".join(rnd.choice(vocabulary) for _ in range(rnd.randint(20, 50)))
            text = words.capitalize() + "." + ("\nA second paragraph." if n % 10 == 0 else "")
            out.writerow([text, rnd.choice(UPR_STATES), "; ".join(rnd.sample(UPR_STATES, 2)),
                          "; ".join(rnd.sample(UPR_ISSUES, 2)).casefold(), f"20{26 + n % 4}-0{1 + n % 9}-15"])


def csv_import_memory(ctx: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The peak memory of importing a 1,000,000-row CSV (the goal: under 1 GB; rows are streamed)."""
    rows = ctx.get("csv_rows") or 0
    if not rows:
        return {}
    path = ctx["tmp"] / "big.csv"
    generate_csv_rows(path, rows)
    ws = ctx["tmp"] / "csv-workspace"

    def fresh() -> None:
        shutil.rmtree(ws, ignore_errors=True)
        subprocess.run([*ctx["tool"], "init", str(ws)], env=ctx["env"], capture_output=True, check=True)

    fmt = ctx["fmt"]
    name = f"import {rows:,} CSV rows"
    print(f"-- {name} ({path.stat().st_size / 2**20:,.0f} MiB)", flush=True)
    result = ctx["measure"](lambda i: [*ctx["tool"], "--root", str(ws), "import", str(path), "--source", "big"],
                            ctx["env"], 1, before=fresh)
    result["file_mib"] = round(path.stat().st_size / 2**20, 1)
    print(f"   {name}: {fmt(result['median_s'], '.1f')} s, peak {fmt(result['peak_mib'], '.0f')} MiB (goal: under "
          "1,024 MiB)" + (f"  ERROR: {result['error']['stderr'].strip()[-300:]}" if "error" in result else ""),
          flush=True)
    shutil.rmtree(ws, ignore_errors=True)
    path.unlink()
    return {name: result}


def refresh_upr_rows(source: Path, path: Path, seed: int = 1) -> dict[str, int]:
    """The file a year later: rows in another order, 1 % with a corrected typo, 2 % with a new response,
    0.5 % gone, 1 % new. Returns how many of each."""
    import csv
    import random

    rnd = random.Random(seed)
    with source.open(newline="", encoding="utf-8") as fh:
        header, *body = list(csv.reader(fh))
    out, counts = [], {"typo": 0, "response": 0, "gone": 0, "new": 0}
    for row in body:
        x = rnd.random()
        if x < 0.005:
            counts["gone"] += 1
            continue
        row = list(row)
        if x < 0.015:
            row[0] = row[0].replace("e", "é", 1)
            counts["typo"] += 1
        elif x < 0.035:
            row[3] = rnd.choice(["Supported", "Noted"])
            counts["response"] += 1
        out.append(row)
    for n in range(len(body) // 100):
        row = list(rnd.choice(body))
        row[0] = f"A new recommendation, number {n}: " + row[0]
        out.append(row)
        counts["new"] += 1
    rnd.shuffle(out)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(out)
    return counts


def upr_update(ctx: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`import --update` of a refreshed 100,000-row UPR file into a workspace of 100,000, against a fresh
    import of the same file into an empty workspace: pairs run interleaved (fresh, update, fresh, update...),
    the ratio is the median of the pairs' ratios (the goal: at most 2x)."""
    import statistics

    rows = ctx.get("update_rows") or 0
    if not rows:
        return {}
    tool, run_once = ctx["tool"], ctx["run_once"]
    # Installed third-party plugins stay out (the built-in ones load): an `on_event` listener makes the update
    # open the changed workspace again to tell it, a cost of that plugin, not of the update.
    env = {**ctx["env"], "DIASPORATRACK_LOAD_PLUGINS": ""}
    tmp = ctx["tmp"]
    original, refreshed = tmp / "upr-update-before.csv", tmp / "upr-update-after.csv"
    generate_upr_rows(original, rows)
    counts = refresh_upr_rows(original, refreshed)
    base, target, empty = tmp / "update-base", tmp / "update-target", tmp / "update-fresh"

    def init(ws: Path) -> None:
        shutil.rmtree(ws, ignore_errors=True)
        subprocess.run([*tool, "init", str(ws)], env=env, capture_output=True, check=True)

    init(base)
    subprocess.run([*tool, "--root", str(base), "import", str(original), "--preset", "upr"], env=env,
                   capture_output=True, check=True)
    name = f"import --update {rows:,} UPR rows into {rows:,}"
    print(f"-- {name} ({counts['typo']} typos corrected, {counts['response']} responses, {counts['new']} new, "
          f"{counts['gone']} gone; rows shuffled)", flush=True)
    fresh_runs, update_runs, ratios, cpu_ratios = [], [], [], []
    for _ in range(min(ctx["repeat"], 3)):
        init(empty)
        fresh = run_once([*tool, "--root", str(empty), "import", str(refreshed), "--preset", "upr"], env)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(base, target)
        # An existing workspace has been used: its cache is warm, as after any command.
        subprocess.run([*tool, "--root", str(target), "list", "--status", "withdrawn"], env=env,
                       capture_output=True, check=True)
        ctx["wait"](str(target))
        update = run_once([*tool, "--root", str(target), "import", str(refreshed), "--preset", "upr", "--update"],
                          env)
        fresh_runs.append(fresh)
        update_runs.append(update)
        if fresh["rc"] == 0 and update["rc"] == 0:
            ratios.append(update["s"] / fresh["s"])
            cpu_ratios.append(update["cpu_s"] / fresh["cpu_s"] if fresh["cpu_s"] else None)
    ok = [r for r in update_runs if r["rc"] == 0]
    result: dict[str, Any] = {
        "median_s": statistics.median(r["s"] for r in ok) if ok else None,
        "cpu_s": statistics.median(r["cpu_s"] for r in ok) if ok else None,
        "peak_mib": max(r["peak_mib"] for r in ok) if ok else None,
        "runs_s": [round(r["s"], 3) for r in update_runs],
        "vs": "a fresh import of the same file",
        "vs_median_s": statistics.median(r["s"] for r in fresh_runs),
        "vs_runs_s": [round(r["s"], 3) for r in fresh_runs],
        "ratio": statistics.median(ratios) if ratios else None,
        "vs_cpu_s": statistics.median(r["cpu_s"] for r in fresh_runs),
        "cpu_ratio": statistics.median(r for r in cpu_ratios if r) if any(cpu_ratios) else None,
        "changes": counts,
    }
    failed = [r for r in update_runs + fresh_runs if r["rc"] != 0]
    if failed:
        result["error"] = {"rc": failed[0]["rc"], "stderr": failed[0].get("stderr", "")}
    fmt = ctx["fmt"]
    print(f"   {name}: {fmt(result['median_s'], '.2f')} s, fresh import {fmt(result['vs_median_s'], '.2f')} s, "
          f"{fmt(result['ratio'], '.2f')}x (goal: at most 2x; CPU time {fmt(result['cpu_ratio'], '.2f')}x)"
          + (f"  ERROR: {result['error']['stderr'].strip()[-300:]}" if failed else ""), flush=True)
    for ws in (base, target, empty):
        shutil.rmtree(ws, ignore_errors=True)
    return {name: result}
