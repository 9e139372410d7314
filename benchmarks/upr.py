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
    print(f"   {name}: {ctx['fmt'](result['median_s'], '.2f')} s, peak {ctx['fmt'](result['peak_mib'], '.0f')} MiB"
          + (f"  ERROR: {result['error']['stderr'].strip()[-300:]}" if "error" in result else ""), flush=True)
    return {name: result}


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
