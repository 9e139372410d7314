"""The diasporatrack performance benchmark: each command beside the floor.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--repeat 5]
                             [--out benchmarks/results/latest.json]

For each size it generates a workspace (benchmarks/generate.py; cached in
benchmarks/.data/, and copied to a temporary directory for each run so that
`update` never dirties the cache), measures the floor (parse every YAML file
with libyaml's CSafeLoader and dump the records as JSON, in a fresh Python
process), and times each command of the installed `diasporatrack` console
script as a subprocess, cold (first run after the files changed) and warm,
with the peak RSS of the child. It prints a table per size and writes
everything, with the machine description and the goals of the issue, as
JSON. There are no assertions: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import GENERATOR_VERSION, generate  # noqa: E402
from scenarios import per_size, startup, taskwarrior  # noqa: E402
from upr import csv_import_memory, upr_goal, upr_import, upr_update  # noqa: E402

DATA_DIR = HERE / ".data"
DEFAULT_OUT = HERE / "results" / "latest.json"
LARGE = 100_000          # from this size on, --repeat is capped at --repeat-large
COLD_LIMIT_S = 60.0      # a cold run slower than this is not repeated
RUN_TIMEOUT_S = 900.0    # a single command slower than this is killed and recorded as failed

# The floor: what reading this format costs at the least (libyaml + json).
FLOOR_SCRIPT = r"""
import json, sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
records = []
for path in sorted(root.rglob("*.yaml")):
    if path.parent == root and path.name in ("owners.yaml", "diasporatrack.yaml"):
        continue
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    records.extend(data.get("recommendations") or [])
sys.stdout.write(json.dumps(records, default=str))
"""

# The same, parsing on two cores (the command line parses a large workspace in two processes).
FLOOR2_SCRIPT = r"""
import json, os, sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
paths = [p for p in sorted(root.rglob("*.yaml"))
         if not (p.parent == root and p.name in ("owners.yaml", "diasporatrack.yaml"))]
def parse(some):
    records = []
    for path in some:
        records.extend(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader).get("recommendations") or [])
    return json.dumps(records, default=str)
half = len(paths) // 2
read_fd, write_fd = os.pipe()
if os.fork() == 0:
    os.close(read_fd)
    with os.fdopen(write_fd, "w") as out:
        out.write(parse(paths[:half]))
    os._exit(0)
os.close(write_fd)
mine = parse(paths[half:])
with os.fdopen(read_fd) as incoming:
    theirs = incoming.read()
os.wait()
sys.stdout.write(theirs[:-1] + "," + mine[1:])
"""

BASELINES = {
    "python -c pass": ["-c", "pass"],
    "import yaml, attrs, pluggy, tabulate": ["-c", "import yaml, attrs, pluggy, tabulate"],
}


# --- the tool ------------------------------------------------------------------


def tool_command(given: str | None = None) -> list[str]:
    """The console script given, else the one next to this Python, else on PATH."""
    if given:
        return [given]
    beside = Path(sys.executable).parent / "diasporatrack"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("diasporatrack")
    return [found] if found else [sys.executable, "-m", "diasporatrack"]


def commands(info: dict[str, Any]) -> list[tuple[str, Callable[[int], list[str]]]]:
    """(name, argv-after-`--root DIR` for run number i) of each measured command."""
    show_id = info["sample_ids"][1]
    update_ids = info["sample_ids"]
    status = info["rare_status"]
    word = show_id.split("-")[0]  # the id's first part: the recommendations of one source file (about 50)
    return [
        ("list", lambda i: ["list"]),
        (f"list --status {status}", lambda i: ["list", "--status", status]),
        ("list --format json", lambda i: ["list", "--format", "json"]),
        # Free text: served by the cache's words index, then checked row by row.
        ("list --search WORD", lambda i: ["list", "--search", word]),
        ("show ID", lambda i: ["show", show_id]),
        # Each run appends a different note (and alternates between ids), so
        # every run really changes the journal.
        ("update ID --note x", lambda i: ["update", update_ids[i % len(update_ids)], "--note", f"bench note {i}"]),
        ("export json", lambda i: ["export", "json"]),
        ("score", lambda i: ["score"]),
        ("validate", lambda i: ["validate"]),
        # Reads everything and runs every reminder rule; with --dry-run it records nothing, so runs stay alike.
        ("remind --dry-run", lambda i: ["remind", "--dry-run"]),
    ]


# --- invalidation ------------------------------------------------------------------

CACHE_DIR_NAMES = (".diasporatrack-cache", ".diasporatrack_cache", ".cache", "__dtcache__")


def invalidate(workspace: Path, cache_home: Path, counter: list[int]) -> None:
    """Make the next run cold: as if a person had just edited a YAML file.

    Adapt this when the tool's cache changes place or shape. Today it:
    * gives one source file a new, strictly later mtime (same content), so a
      cache keyed on (path, mtime, size) must reparse it;
    * deletes every cache the tool may keep: directories or files in the
      workspace root whose name contains "cache" (``.diasporatrack-cache``,
      ``*.cache*``, ...), and everything under the private XDG_CACHE_HOME the
      benchmark gives the child processes (a cache in ~/.cache/diasporatrack
      lands there).
    The OS page cache is not dropped (that needs root): "cold" means the
    tool's own caches are cold, not the disk.
    """
    counter[0] += 1
    sources = sorted(p for p in workspace.glob("*.yaml") if p.name not in ("owners.yaml", "diasporatrack.yaml"))
    if sources:
        target = sources[counter[0] % len(sources)]
        st = target.stat()
        new = max(time.time_ns(), st.st_mtime_ns + 1_000_000_000)
        os.utime(target, ns=(new, new))
    for entry in list(workspace.iterdir()):
        if entry.name in CACHE_DIR_NAMES or "cache" in entry.name.lower():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    if cache_home.exists():
        shutil.rmtree(cache_home, ignore_errors=True)
    cache_home.mkdir(parents=True, exist_ok=True)


# --- running and timing ---------------------------------------------------------------


def run_once(argv: list[str], env: dict[str, str], timeout: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    """Run argv with stdout to /dev/null: wall seconds, CPU seconds (user + system, with the children it
    waited for), peak RSS (MiB), exit code."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, env=env)
        killer = threading.Timer(timeout, proc.kill)  # a hung command is killed, not waited for
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # wait4 reaped it; keep Popen quiet
        result = {"s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024,
                  "rc": proc.returncode}
        if proc.returncode != 0:  # the generated workspace is valid: any non-zero exit is a failure
            err.seek(0)
            result["stderr"] = err.read().decode(errors="replace")[-2000:]
    return result


def wait_for_background(marker: str, limit: float = 120.0) -> None:
    """Wait until no process started for this workspace is left running.

    After answering, a cold command leaves a detached child writing the
    cache; a person's next command comes seconds later, so the benchmark
    lets it finish instead of measuring the next run against it. The child
    is found by its command line, which it shares with its parent.
    """
    deadline = time.time() + limit
    me = os.getpid()
    while time.time() < deadline:
        busy = False
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
            if not entry.isdigit() or int(entry) == me:
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read():
                        busy = True
                        break
            except OSError:
                continue
        if not busy:
            return
        time.sleep(0.05)


def measure(argv_for: Callable[[int], list[str]], env: dict[str, str], repeat: int,
            before: Callable[[], None] | None = None, cold_limit: float | None = None,
            counter: list[int] | None = None, floor: list[str] | None = None) -> dict[str, Any]:
    """Median wall and CPU time and max peak RSS of ``repeat`` runs (``before`` runs before each).

    With ``floor`` (an argv), the floor runs right before each run (A, B, A,
    B...), so both see the same machine load: ``ratio`` is the median of the
    per-pair ratios, and ``floor_s`` the median of those floor runs.
    """
    counter = counter if counter is not None else [0]
    runs: list[dict[str, Any]] = []
    floors: list[float] = []
    floor_cpus: list[float] = []
    skipped = 0
    for k in range(repeat):
        if floor is not None:
            done = run_once(floor, env)
            floors.append(done["s"])
            floor_cpus.append(done["cpu_s"])
        if before:
            before()
        counter[0] += 1
        argv = argv_for(counter[0])
        runs.append(run_once(argv, env))
        wait_for_background(argv[argv.index("--root") + 1] if "--root" in argv else argv[-1])
        if runs[-1]["rc"] != 0:
            break
        if cold_limit is not None and runs[-1]["s"] > cold_limit:
            skipped = repeat - k - 1
            break
    ok = [r for r in runs if r["rc"] == 0]
    out: dict[str, Any] = {
        "median_s": statistics.median(r["s"] for r in ok) if ok else None,
        "min_s": min(r["s"] for r in ok) if ok else None,
        "cpu_s": statistics.median(r["cpu_s"] for r in ok) if ok else None,
        "peak_mib": max(r["peak_mib"] for r in ok) if ok else None,
        "runs_s": [round(r["s"], 4) for r in runs],
        "runs": len(runs),
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    if floors:
        pairs = [r["s"] / f for r, f in zip(runs, floors) if r["rc"] == 0 and f]
        # CPU time too: on a loaded machine the wall time of a short run is mostly waiting for a core.
        cpu_pairs = [r["cpu_s"] / c for r, c in zip(runs, floor_cpus) if r["rc"] == 0 and c]
        out.update(floor_s=statistics.median(floors), floor_runs_s=[round(f, 4) for f in floors],
                   ratio=statistics.median(pairs) if pairs else None,
                   floor_cpu_s=statistics.median(floor_cpus),
                   cpu_ratio=statistics.median(cpu_pairs) if cpu_pairs else None)
    if skipped:
        out["skipped_runs"] = skipped
        out["note"] = f"one run took more than {cold_limit:g} s; the other {skipped} skipped"
    failed = [r for r in runs if r["rc"] != 0]
    if failed:
        out["error"] = {"rc": failed[0]["rc"], "stderr": failed[0].get("stderr", "")}
    return out


# --- workspaces ---------------------------------------------------------------------------


def cached_workspace(n: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The generated workspace for (n, seed), generated once into benchmarks/.data/."""
    base = DATA_DIR / f"ws-n{n}-seed{seed}-v{GENERATOR_VERSION}"
    meta = base / "meta.json"
    if meta.exists():
        return base / "workspace", json.loads(meta.read_text())
    if base.exists():
        shutil.rmtree(base)
    start = time.perf_counter()
    info = generate(base / "workspace", n, seed=seed)
    info["generate_s"] = round(time.perf_counter() - start, 2)
    meta.write_text(json.dumps(info, indent=2))
    return base / "workspace", info


# --- machine description -------------------------------------------------------------------


def machine() -> dict[str, Any]:
    def first(path: str, key: str) -> str | None:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return None

    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    import yaml

    try:
        from diasporatrack import __version__ as version
    except ImportError:
        version = None
    mem = first("/proc/meminfo", "MemTotal")
    status = git("status", "--porcelain", "--", "src")
    return {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "cpu_count": os.cpu_count(),
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "mem_total_mib": round(int(mem.split()[0]) / 1024) if mem else None,
        "pyyaml": yaml.__version__,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        "diasporatrack": version,
        "git_commit": git("rev-parse", "HEAD"),
        "git_src_dirty": bool(status) if status is not None else None,
        "tool": tool_command(),
    }


# --- goals ------------------------------------------------------------------------------------


def evaluate_goals(results: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The goals of the performance issues, with the figures they were judged on."""
    goals: list[dict[str, Any]] = []
    failed: list[str] = []  # figures behind a goal where a run failed

    def add(name: str, limit: str, value: float | None, bound: float, unit: str, why_missing: str,
            strict: bool = False) -> None:
        if value is None:
            goals.append({"goal": name, "limit": limit, "status": "not measured", "reason": why_missing})
            return
        ok = value < bound if strict else value <= bound
        goals.append({"goal": name, "limit": limit, "value": round(value, 3), "unit": unit,
                      "status": "pass" if ok else "fail"})
        if failed:  # a failed run makes the median suspect: say so rather than pass
            goals[-1].update(status="run failed", failed=list(failed))
        failed.clear()

    def ratio(n: int, command: str, mode: str) -> float | None:
        cmd = results.get(n, {}).get("commands", {}).get(command)
        if cmd and "error" in cmd.get(mode, {}):
            failed.append(f"{command} ({mode}) at {n}")
        return cmd.get(mode, {}).get("ratio") if cmd else None

    def status_cmd(n: int) -> str | None:
        for name in results.get(n, {}).get("commands", {}):
            if name.startswith("list --status"):
                return name
        return None

    add("cold `list --format json` at 10,000", "<= 1.3x the floor", ratio(10_000, "list --format json", "cold"),
        1.3, "x floor", "size 10000 not run")
    add("warm `list --format json` at 10,000", "<= 0.4x the floor", ratio(10_000, "list --format json", "warm"),
        0.4, "x floor", "size 10000 not run")
    add("warm `update` at 10,000", "<= 0.4x the floor", ratio(10_000, "update ID --note x", "warm"),
        0.4, "x floor", "size 10000 not run")
    value = None
    name = status_cmd(100_000)
    floor10 = results.get(10_000, {}).get("floor", {}).get("median_s")
    if name and floor10:
        warm_m = results[100_000]["commands"][name].get("warm", {})
        if "error" in warm_m:
            failed.append(f"{name} (warm) at 100000")
        warm = warm_m.get("median_s")
        value = warm / floor10 if warm is not None else None
    add("warm `list --status S` (a few rows) at 100,000", "< 1x the 10,000-recommendation floor", value, 1.0,
        "x floor(10,000)", "sizes 10000 and 100000 both needed", strict=True)
    peak = None
    cmd = results.get(100_000, {}).get("commands", {}).get("list")
    if cmd:
        peak = cmd.get("warm", {}).get("peak_mib")
        if "error" in cmd.get("warm", {}):
            failed.append("list (warm) at 100000")
    add("peak memory of a warm `list` at 100,000", "< 1 GB (1000 MB = 953.7 MiB)", peak, 1e9 / 2**20, "MiB",
        "size 100000 not run", strict=True)

    # Issue 19 (interactive at every size).
    def scenario(n: int, name: str) -> float | None:
        m = results.get(n, {}).get("scenarios", {}).get(name)
        if m and "error" in m:
            failed.append(f"{name} at {n}")
        return m.get("ratio") if m else None

    for n in sorted(results):
        add(f"`list --format json` after a one-file edit at {n:,}", "<= 2x warm (the goal is set at 100,000)",
            scenario(n, "list --format json after a one-file edit"), 2.0, "x warm", "")
    add("a command right after a cold one at 10,000", "<= 0.75x the cold one",
        scenario(10_000, "list --format json right after a cold one"), 0.75, "x cold", "size 10000 not run")
    add("50 x (update + list --status) at 10,000", "<= 1.5x 50 x (warm update + warm list --status)",
        scenario(10_000, "50 x (update + list --status) script"), 1.5, "x", "size 10000 not run")
    script = results.get(10_000, {}).get("scenarios", {}).get("50 x (update + list --status) script", {})
    if script.get("cpu_ratio") is not None:
        goals[-1]["cpu_ratio"] = script["cpu_ratio"]
    add("cold `list --format json` at 10,000 (native parse)", "<= 0.5x the one-core floor",
        ratio(10_000, "list --format json", "cold"), 0.5, "x floor", "size 10000 not run")
    table = results.get(100_000, {}).get("commands", {}).get("list", {}).get("warm", {}).get("median_s")
    add("warm `list` (table) at 100,000", "<= 1.5 s", table, 1.5, "s", "size 100000 not run")
    remind = results.get(100_000, {}).get("commands", {}).get("remind --dry-run", {}).get("warm", {}).get("median_s")
    add("warm `remind --dry-run` at 100,000", "<= 2 s", remind, 2.0, "s", "size 100000 not run")
    search = results.get(100_000, {}).get("commands", {}).get("list --search WORD", {}).get("warm", {}).get("median_s")
    add("warm `list --search WORD` (a few rows) at 100,000", "<= 0.5 s", search, 0.5, "s", "size 100000 not run")
    return goals


# --- extra measurements -------------------------------------------------------------------------
#
# Figures that are not "a command on a generated workspace". Each function
# gets the context of the run and returns {name: measurement dict} (use
# measure() / run_once() for the timing, so the figures are comparable), or {}
# to skip. They run once per run, after the sizes, and land under "extra" in
# the JSON and in a table of their own.
#
# The imports (UPR file, 1,000,000-row CSV) live in upr.py, the start-up comparison in scenarios.py.

EXTRA_MEASUREMENTS: list[Callable[[dict[str, Any]], dict[str, dict[str, Any]]]] = [upr_import, upr_update,
                                                                                  csv_import_memory, startup,
                                                                                  taskwarrior]



# --- the run ---------------------------------------------------------------------------------------


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(n: int, res: dict[str, Any]) -> None:
    floor, floor2 = res["floor"]["median_s"], res["floor_2core"]["median_s"]
    info = res["workspace"]
    print()
    print(f"== {n:,} recommendations ({info['files']} files, {info['yaml_bytes'] / 2**20:.1f} MiB of YAML, "
          f"{info['events']} journal events); floor {fmt(floor, '.3f')} s (two cores {fmt(floor2, '.3f')} s), "
          f"repeat {res['repeat']} ==")
    print("ratios: to the floor run right before each run (one core); cold also to the two-core floor")
    header = f"{'command':<26}{'cold s':>8}{'cpu':>7}{'warm s':>8}{'cpu':>7}{'cold/fl':>9}{'cold/fl2':>9}" \
             f"{'warm/fl':>9}{'MiB c/w':>10}{'load':>6}"
    print(header)
    print("-" * len(header))
    for name, cmd in res["commands"].items():
        cold, warm = cmd.get("cold", {}), cmd.get("warm", {})
        line = f"{name:<26}{fmt(cold.get('median_s'), '8.3f')}{fmt(cold.get('cpu_s'), '7.2f')}" \
               f"{fmt(warm.get('median_s'), '8.3f')}{fmt(warm.get('cpu_s'), '7.2f')}" \
               f"{fmt(cold.get('ratio'), '8.2f')}x{fmt(cold.get('ratio_2core'), '8.2f')}x" \
               f"{fmt(warm.get('ratio'), '8.2f')}x{fmt(cold.get('peak_mib'), '5.0f')}/{fmt(warm.get('peak_mib'), '.0f')}" \
               f"{fmt(warm.get('load'), '6.1f')}"
        notes = [m.get("note") or (f"error rc={m['error']['rc']}" if "error" in m else None) for m in (cold, warm)]
        notes = [x for x in notes if x]
        print(line + ("   (" + "; ".join(notes) + ")" if notes else ""))
    for name, m in res.get("scenarios", {}).items():
        print(f"{name}: {fmt(m.get('median_s'), '.3f')} s (cpu {fmt(m.get('cpu_s'), '.2f')}), "
              f"{fmt(m.get('ratio'), '.2f')}x {m['vs']} ({fmt(m.get('vs_median_s'), '.3f')} s)"
              + (f", {m['cpu_ratio']:.2f}x by cpu" if m.get("cpu_ratio") is not None else "")
              + (f"  ERROR: {m['error']['stderr'].strip()[-200:]}" if "error" in m else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is reported")
    parser.add_argument("--repeat-large", type=int, default=3,
                        help=f"cap on --repeat for sizes of {LARGE:,} and more (default: %(default)s)")
    parser.add_argument("--cold-limit", type=float, default=COLD_LIMIT_S,
                        help="a cold run slower than this (s) is not repeated (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--upr-rows", type=int, default=100_000,
                        help="rows of the generated UPR file to import (0: skip; default: %(default)s)")
    parser.add_argument("--csv-rows", type=int, default=1_000_000,
                        help="rows of the generated plain CSV whose import's peak memory is measured "
                             "(0: skip; default: %(default)s)")
    parser.add_argument("--update-rows", type=int, default=100_000,
                        help="rows of the UPR file re-imported with `import --update` into a workspace of as many, "
                             "against a fresh import (0: skip; default: %(default)s)")
    parser.add_argument("--commands", default=None,
                        help="only the commands whose name starts with one of these (comma-separated)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="10,000 recommendations, 3 runs, no imports: a few minutes")
    parser.add_argument("--tool", default=None,
                        help="the diasporatrack executable to measure (default: beside this Python, else on PATH)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.upr_rows, args.csv_rows, args.update_rows = "10000", 3, 0, 0, 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    started = time.perf_counter()
    tool = tool_command(args.tool)
    tmp = Path(tempfile.mkdtemp(prefix="diasporatrack-bench-"))
    cache_home = tmp / "xdg-cache"
    cache_home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIASPORATRACK_")}
    env.update(DIASPORATRACK_USER="bench", XDG_CACHE_HOME=str(cache_home))
    report: dict[str, Any] = {
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"sizes": sizes, "repeat": args.repeat, "repeat_large": args.repeat_large,
                     "cold_limit_s": args.cold_limit, "seed": args.seed, "quick": args.quick},
        "load_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "baselines": {},
        "sizes": {},
    }
    print(f"diasporatrack benchmark: sizes {sizes}, repeat {args.repeat}, tool {' '.join(tool)}")
    print(f"machine: {report['machine']['cpu_model']}, {report['machine']['cpu_count']} CPUs, "
          f"Python {report['machine']['python']}, PyYAML {report['machine']['pyyaml']} "
          f"(libyaml: {report['machine']['libyaml']}), commit {str(report['machine']['git_commit'])[:10]}"
          f"{' + uncommitted src changes' if report['machine']['git_src_dirty'] else ''}")

    try:
        for label, extra in BASELINES.items():
            report["baselines"][label] = measure(lambda i, e=extra: [sys.executable, *e], env, args.repeat)
            print(f"baseline {label!r}: {report['baselines'][label]['median_s']:.3f} s")

        results: dict[int, dict[str, Any]] = {}
        for n in sizes:
            repeat = min(args.repeat, args.repeat_large) if n >= LARGE else args.repeat
            print(f"\n-- {n:,} recommendations: preparing the workspace", flush=True)
            source, info = cached_workspace(n, args.seed)
            ws = tmp / f"ws-{n}"
            if ws.exists():
                shutil.rmtree(ws)
            shutil.copytree(source, ws)
            counter = [0]
            res: dict[str, Any] = {"workspace": info, "repeat": repeat, "commands": {}}
            floor_argv = [sys.executable, "-c", FLOOR_SCRIPT, str(ws)]
            res["floor"] = measure(lambda i: floor_argv, env, repeat)
            res["floor_2core"] = measure(lambda i: [sys.executable, "-c", FLOOR2_SCRIPT, str(ws)], env, repeat,
                                         floor=floor_argv)
            floor = res["floor"]["median_s"]
            floor2 = res["floor_2core"]["median_s"]
            print(f"   floor (CSafeLoader + json.dumps): {fmt(floor, '.3f')} s one core, {fmt(floor2, '.3f')} s "
                  f"on two; load {fmt(res['floor']['load'], '.2f')}", flush=True)
            selected = commands(info)
            if args.commands:
                wanted = [c.strip() for c in args.commands.split(",")]
                selected = [c for c in selected if any(c[0].startswith(w) for w in wanted)]
            for name, argv_for in selected:
                def full(i: int, f: Callable[[int], list[str]] = argv_for) -> list[str]:
                    return [*tool, "--root", str(ws), *f(i)]

                cold = measure(full, env, repeat, before=lambda: invalidate(ws, cache_home, counter),
                               cold_limit=args.cold_limit, counter=counter, floor=floor_argv)
                counter[0] += 1
                run_once(full(counter[0]), env)  # warm up
                wait_for_background(str(ws))
                warm = measure(full, env, repeat, counter=counter, floor=floor_argv)
                if cold["median_s"] is not None and floor2:
                    cold["ratio_2core"] = cold["median_s"] / floor2
                res["commands"][name] = {"cold": cold, "warm": warm}
                print(f"   {name:<26} cold {fmt(cold['median_s'], '.3f')} s, warm {fmt(warm['median_s'], '.3f')} s"
                      + (f"  ERROR: {(cold.get('error') or warm.get('error'))['stderr'].strip()[-300:]}"
                         if "error" in cold or "error" in warm else ""), flush=True)
            print("   scenarios (one-file edit, right after a cold command, 50-pair script)...", flush=True)
            res["scenarios"] = per_size({
                "tool": tool, "env": env, "ws": ws, "info": info, "repeat": repeat, "run_once": run_once,
                "wait": wait_for_background, "invalidate": lambda: invalidate(ws, cache_home, counter),
                "script_runs": 1 if args.quick else min(repeat, 2)})
            results[n] = res
            report["sizes"][str(n)] = res
            print_table(n, res)
            shutil.rmtree(ws, ignore_errors=True)

        report["extra"] = {}
        ctx = {"tool": tool, "env": env, "tmp": tmp, "repeat": args.repeat, "sizes": sizes, "results": results,
               "upr_rows": args.upr_rows, "csv_rows": args.csv_rows, "update_rows": args.update_rows, "repo": REPO,
               "measure": measure, "run_once": run_once,
               "wait": wait_for_background, "fmt": fmt, "workspace": lambda n: cached_workspace(n, args.seed),
               "floor_argv": lambda root: [sys.executable, "-c", FLOOR_SCRIPT, str(root)]}
        for extra_fn in EXTRA_MEASUREMENTS:
            report["extra"].update(extra_fn(ctx))
        for name, m in report["extra"].items():
            print(f"   {name}: {fmt(m.get('median_s'), '.3f')} s"
                  + (f", {fmt(m.get('ratio'), '.2f')}x {m['vs']}" if m.get("vs") else "")
                  + (f" (cpu {fmt(m.get('cpu_s'), '.3f')} s, {fmt(m.get('cpu_ratio'), '.2f')}x by cpu)"
                     if m.get("cpu_ratio") is not None else ""))
        report["load_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None

        report["goals"] = evaluate_goals(results)
        if upr_goal(report["extra"]) is not None:
            report["goals"].append(upr_goal(report["extra"]))
        shipped = report["extra"].get("list on the shipped workspace (warm)", {})
        if shipped.get("ratio") is not None:
            report["goals"].append({"goal": "warm `list` on the shipped workspace", "limit": "<= 4x `python -c pass`",
                                    "value": round(shipped["ratio"], 3), "unit": "x python -c pass",
                                    "cpu_ratio": shipped.get("cpu_ratio"),
                                    "status": "pass" if shipped["ratio"] <= 4 else "fail"})
        for name, m in report["extra"].items():
            if name.endswith("vs Taskwarrior") and m.get("ratio") is not None:
                report["goals"].append({"goal": name, "limit": "<= 2x Taskwarrior", "value": round(m["ratio"], 3),
                                        "unit": "x task", "cpu_ratio": m.get("cpu_ratio"),
                                        "status": "pass" if m["ratio"] <= 2 else "fail"})
            if name.startswith("import --update") and m.get("ratio") is not None:
                report["goals"].append({"goal": name, "limit": "<= 2x a fresh import of the same file",
                                        "value": round(m["ratio"], 3), "unit": "x fresh import",
                                        "cpu_ratio": m.get("cpu_ratio"),
                                        "status": "pass" if m["ratio"] <= 2 and "error" not in m else "fail"})
        print("\n== goals (medians, 10,000 recommendations unless said) ==")
        for g in report["goals"]:
            figure = f"{g['value']} {g['unit']}" if "value" in g else g["reason"]
            if g.get("cpu_ratio") is not None:
                figure += f" ({g['cpu_ratio']:.2f}x by cpu)"
            print(f"  [{g['status']:^12}] {g['goal']}: {figure} (goal {g['limit']})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        report["total_s"] = round(time.perf_counter() - started, 1)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\ntotal {report['total_s']} s; results written to {args.out}")
    return 0


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
