"""Measurements that are more than one command on a generated workspace.

Each compares two things measured in the same run, interleaved where they
can be (A, B, A, B), so a change of machine load hits both:

* a one-file edit: `list --format json` right after one title changed in one
  file, against the same command warm;
* right after a cold command: the same command started the moment a cold one
  answered (its cache still being written), against that cold one;
* a script of 50 `update` + `list --status` pairs, against 50 times the warm
  `update` plus the warm `list --status` measured just before it;
* start-up: warm `list` on the shipped workspace against `python -c pass`.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path
from typing import Any, Callable

SETTINGS = ("owners.yaml", "diasporatrack.yaml")


def edit_one_file(ws: Path, i: int) -> Path:
    """A person's edit: one recommendation's title in one source file changes (another file each time)."""
    sources = sorted(p for p in ws.glob("*.yaml") if p.name not in SETTINGS)
    target = sources[(7 * i + 3) % len(sources)]
    text = target.read_text(encoding="utf-8")
    marker = '\n    title: "'
    assert marker in text, f"no quoted title in {target}"
    target.write_text(text.replace(marker, f'{marker}Edited {i}: ', 1), encoding="utf-8")
    return target


def _pairs(a: list[dict[str, Any]], b: list[dict[str, Any]], name_a: str, name_b: str) -> dict[str, Any]:
    """B's figures, with the median of the per-pair ratios B / A."""
    ok = [(x, y) for x, y in zip(a, b) if x["rc"] == 0 and y["rc"] == 0]
    out: dict[str, Any] = {
        "median_s": statistics.median(y["s"] for _, y in ok) if ok else None,
        "cpu_s": statistics.median(y["cpu_s"] for _, y in ok) if ok else None,
        "peak_mib": max(y["peak_mib"] for _, y in ok) if ok else None,
        "runs_s": [round(y["s"], 4) for y in b],
        "vs": name_a,
        "vs_median_s": statistics.median(x["s"] for x, _ in ok) if ok else None,
        "vs_runs_s": [round(x["s"], 4) for x in a],
        "ratio": statistics.median(y["s"] / x["s"] for x, y in ok) if ok else None,
        "what": name_b,
    }
    failed = [r for r in a + b if r["rc"] != 0]
    if failed:
        out["error"] = {"rc": failed[0]["rc"], "stderr": failed[0].get("stderr", "")}
    return out


def per_size(ctx: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The scenarios on one generated workspace (ctx: tool, env, ws, info, repeat, run_once, wait, invalidate)."""
    tool, env, ws, repeat = ctx["tool"], ctx["env"], ctx["ws"], ctx["repeat"]
    run_once: Callable = ctx["run_once"]
    wait: Callable = ctx["wait"]
    root = ["--root", str(ws)]
    json_list = [*tool, *root, "list", "--format", "json"]
    out: dict[str, dict[str, Any]] = {}

    # Goal 1: one file edited, then the next command.
    run_once(json_list, env)
    wait(str(ws))
    warm, edited = [], []
    for k in range(repeat):
        warm.append(run_once(json_list, env))
        edit_one_file(ws, k)
        edited.append(run_once(json_list, env))
        wait(str(ws))
    out["list --format json after a one-file edit"] = _pairs(warm, edited, "warm", "after a one-file edit")

    # Goal 2: a command right after a cold one, while the cold one's cache is being written.
    cold, after = [], []
    for _ in range(repeat):
        ctx["invalidate"]()
        cold.append(run_once(json_list, env))
        after.append(run_once(json_list, env))
        wait(str(ws))
    out["list --format json right after a cold one"] = _pairs(cold, after, "the cold one", "right after it")

    # Goal 2: 50 update + list --status pairs, against 50 x (warm update + warm list --status).
    ids, status = ctx["info"]["sample_ids"], ctx["info"]["rare_status"]
    update = lambda i: [*tool, *root, "update", ids[i % len(ids)], "--note", f"script note {i}"]  # noqa: E731
    listing = [*tool, *root, "list", "--status", status]
    run_once(update(0), env)
    run_once(listing, env)
    wait(str(ws))
    singles_u = [run_once(update(1000 + k), env) for k in range(5)]
    singles_l = [run_once(listing, env) for _ in range(5)]
    unit = statistics.median(r["s"] for r in singles_u) + statistics.median(r["s"] for r in singles_l)
    unit_cpu = statistics.median(r["cpu_s"] for r in singles_u) + statistics.median(r["cpu_s"] for r in singles_l)
    scripts = []
    for k in range(ctx.get("script_runs", 1)):
        total = cpu = 0.0
        rc = 0
        for i in range(50):
            for argv in (update(2000 + 100 * k + i), listing):
                r = run_once(argv, env)
                total += r["s"]
                cpu += r["cpu_s"]
                rc = rc or r["rc"]
        wait(str(ws))
        scripts.append({"s": total, "cpu_s": cpu, "rc": rc, "peak_mib": 0.0})
    ok = [r["s"] for r in scripts if r["rc"] == 0]
    out["50 x (update + list --status) script"] = {
        "median_s": statistics.median(ok) if ok else None,
        "cpu_s": statistics.median(r["cpu_s"] for r in scripts),
        "runs_s": [round(r["s"], 3) for r in scripts],
        "vs": "50 x (warm update + warm list --status)",
        "vs_median_s": 50 * unit,
        "ratio": statistics.median(ok) / (50 * unit) if ok else None,
        # The singles run a minute before the script: under a changing load, CPU time compares them better.
        "vs_cpu_s": 50 * unit_cpu,
        "cpu_ratio": statistics.median(r["cpu_s"] for r in scripts) / (50 * unit_cpu) if unit_cpu else None,
    }
    return out


def startup(ctx: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Warm `list` on the shipped workspace against `python -c pass`, interleaved."""
    shipped = ctx["repo"] / "recommendations"
    if not shipped.is_dir():
        return {}
    ws = ctx["tmp"] / "shipped"
    shutil.copytree(shipped, ws)
    argv = [*ctx["tool"], "--root", str(ws), "list"]
    ctx["run_once"](argv, ctx["env"])
    ctx["wait"](str(ws))
    result = ctx["measure"](lambda i: argv, ctx["env"], max(ctx["repeat"], 5), floor=[sys.executable, "-c", "pass"])
    result["vs"] = "python -c pass"
    return {"list on the shipped workspace (warm)": result}


def taskwarrior(ctx: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Warm `list` and `export json` at 1,000 against Taskwarrior's `task list` and `task export`, interleaved.

    Taskwarrior gets the same recommendations as tasks (title as description,
    source as project, themes as tags, due date), imported once into a data
    folder of its own; each diasporatrack run is paired with the Taskwarrior
    run just before it. Without `task` on the PATH, says so.
    """
    import json
    import os

    import yaml

    task = shutil.which("task")
    if task is None:
        return {"Taskwarrior": {"median_s": None, "note": "task is not installed: the comparison was not made"}}
    source, _ = ctx["workspace"](1000)
    ws = ctx["tmp"] / "ws-taskwarrior-1000"
    shutil.copytree(source, ws)
    data = ctx["tmp"] / "taskwarrior"
    data.mkdir()
    rc = data / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nhooks=off\n", encoding="utf-8")
    env = {**ctx["env"], "TASKRC": str(rc), "TASKDATA": str(data)}
    tasks = []
    for path in sorted(ws.glob("*.yaml")):
        if path.name in SETTINGS:
            continue
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for rec in doc.get("recommendations") or []:
            item = {"description": rec["title"], "project": doc["source"]["id"], "status": "pending",
                    "tags": sorted({t.replace(" ", "_") for t in rec.get("themes") or []})}
            if rec.get("due"):
                item["due"] = rec["due"].strftime("%Y%m%dT000000Z")
            tasks.append(item)
    (data / "import.json").write_text(json.dumps(tasks), encoding="utf-8")
    imported = ctx["run_once"]([task, "import", str(data / "import.json")], env)
    if imported["rc"] != 0:
        return {"Taskwarrior": {"median_s": None, "note": f"task import failed: {imported.get('stderr', '')[-200:]}"}}
    out: dict[str, dict[str, Any]] = {}
    for ours, theirs in ((["list"], ["list"]), (["export", "json"], ["export"])):
        argv = [*ctx["tool"], "--root", str(ws), *ours]
        ctx["run_once"](argv, env)
        ctx["wait"](str(ws))
        ctx["run_once"]([task, *theirs], env)  # its first run may do housekeeping (ids, the undo log)
        result = ctx["measure"](lambda i, a=argv: a, env, max(ctx["repeat"], 5), floor=[task, *theirs])
        result.update(vs=f"task {' '.join(theirs)} (Taskwarrior {os.path.basename(task)})", tasks=len(tasks))
        out[f"warm `{' '.join(ours)}` at 1,000 vs Taskwarrior"] = result
    return out
