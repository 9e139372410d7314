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
