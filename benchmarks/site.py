"""How long `export site` takes, and how much memory and disk it uses, beside the floor.

    python benchmarks/site.py [--sizes 10000,100000] [--repeat 3] [--out benchmarks/results/site.json]

For each size it takes the generated workspace of benchmarks/run.py (cached in benchmarks/.data/), measures
the floor (every YAML file parsed by libyaml and dumped as JSON, in a fresh Python) right before each run of
`diasporatrack export site -o DIR` (so a change of load hits both), cold (no cache: the workspace is read
from its files) and warm (the parsed-workspace cache in place), with the peak RSS of the largest process
and the files and bytes written. The goals (issue 17, "Speed"): at 10,000 recommendations within 10x the
floor, at 100,000 within 10 minutes and under 1 GB of memory. It asserts nothing and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import FLOOR_SCRIPT, cached_workspace, machine, run_once, tool_command  # noqa: E402

GOALS = {10_000: ("cold / floor", 10.0), 100_000: ("cold s", 600.0)}
MEMORY_GOAL_MIB = 1024.0


def folder_size(folder: Path) -> tuple[int, int]:
    """(files, bytes) of everything under ``folder``."""
    files = size = 0
    for path in folder.rglob("*"):
        if path.is_file():
            files += 1
            size += path.stat().st_size
    return files, size


def measure_size(n: int, tool: list[str], env: dict[str, str], repeat: int, seed: int, tmp: Path) -> dict[str, Any]:
    source, info = cached_workspace(n, seed)
    ws = tmp / f"ws-{n}"
    shutil.copytree(source, ws)
    floor_argv = [sys.executable, "-c", FLOOR_SCRIPT, str(ws)]
    cache = Path(env["XDG_CACHE_HOME"])
    out: dict[str, Any] = {"workspace": info, "runs": {"cold": [], "warm": []}, "floors": []}
    for i in range(repeat):
        for kind in ("cold", "warm"):
            if kind == "cold":
                shutil.rmtree(cache, ignore_errors=True)
                cache.mkdir()
            site = tmp / f"site-{n}-{kind}-{i}"
            floor = run_once(floor_argv, env)
            out["floors"].append(floor["s"])
            run = run_once([*tool, "--root", str(ws), "export", "site", "-o", str(site)], env)
            run["floor_s"], run["floor_cpu_s"] = floor["s"], floor["cpu_s"]
            run["files"], run["bytes"] = folder_size(site) if run["rc"] == 0 else (0, 0)
            out["runs"][kind].append(run)
            shutil.rmtree(site, ignore_errors=True)
            print(f"   {kind:4} run {i + 1}: {run['s']:.1f} s (cpu {run['cpu_s']:.1f} s), floor {run['floor_s']:.2f} s "
                  f"(cpu {run['floor_cpu_s']:.2f} s), "
                  f"peak {run['peak_mib']:.0f} MiB, {run['files']:,} files, {run['bytes'] / 2**20:.1f} MiB written"
                  f"{'' if run['rc'] == 0 else ', FAILED: ' + run.get('stderr', '')[-300:]}", flush=True)
    for kind, runs in out["runs"].items():
        ok = [r for r in runs if r["rc"] == 0]
        if ok:
            out[kind] = {"median_s": statistics.median(r["s"] for r in ok),
                         "median_ratio": statistics.median(r["s"] / r["floor_s"] for r in ok),
                         # CPU time over the floor's CPU time: what the machine's load changes least.
                         "median_cpu_ratio": statistics.median(r["cpu_s"] / r["floor_cpu_s"] for r in ok),
                         "peak_mib": max(r["peak_mib"] for r in ok), "files": ok[0]["files"], "bytes": ok[0]["bytes"]}
    out["floor_median_s"] = statistics.median(out["floors"])
    shutil.rmtree(ws)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (cold, warm) pair; medians reported")
    parser.add_argument("--repeat-large", type=int, default=1, help="cap on --repeat at 100,000 (default: 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "site.json")
    parser.add_argument("--tool", default=None, help="the diasporatrack executable (default: beside this Python)")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    tool = tool_command(args.tool)
    tmp = Path(tempfile.mkdtemp(prefix="diasporatrack-site-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIASPORATRACK_")}
    env.update(DIASPORATRACK_USER="bench", XDG_CACHE_HOME=str(tmp / "xdg-cache"))
    report: dict[str, Any] = {"machine": machine(), "sizes": {}, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                         time.gmtime())}
    try:
        for n in sizes:
            print(f"-- export site, {n:,} recommendations", flush=True)
            res = measure_size(n, tool, env, min(args.repeat, args.repeat_large) if n >= 100_000 else args.repeat,
                               args.seed, tmp)
            report["sizes"][str(n)] = res
            cold, warm = res.get("cold"), res.get("warm")
            if cold and warm:
                print(f"   cpu: cold {cold['median_cpu_ratio']:.2f}x the floor's, warm {warm['median_cpu_ratio']:.2f}x")
                print(f"   cold {cold['median_s']:.1f} s = {cold['median_ratio']:.2f}x the floor "
                      f"({res['floor_median_s']:.2f} s); warm {warm['median_s']:.1f} s = {warm['median_ratio']:.2f}x; "
                      f"peak {max(cold['peak_mib'], warm['peak_mib']):.0f} MiB; {cold['files']:,} files, "
                      f"{cold['bytes'] / 2**20:.1f} MiB")
            goal = GOALS.get(n)
            if goal and cold:
                value = cold["median_ratio"] if goal[0] == "cold / floor" else cold["median_s"]
                print(f"   goal {goal[0]} <= {goal[1]:g}: {value:.2f} -> {'met' if value <= goal[1] else 'NOT met'}")
            if n >= 100_000 and cold:
                peak = max(cold["peak_mib"], (warm or cold)["peak_mib"])
                print(f"   goal peak memory < {MEMORY_GOAL_MIB:.0f} MiB: {peak:.0f} MiB -> "
                      f"{'met' if peak < MEMORY_GOAL_MIB else 'NOT met'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
