"""The benchmark's table and targets, printed and written as JSON from the same figures.

Ratios are always intake / rasa init (or 2 workers / 1 worker), so above 1 means "ours is
bigger": worse for latency, memory and time, better for throughput.
"""
from __future__ import annotations

import datetime
import json
import math
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

# The targets' limits.
P95_AT_1_MAX_MS = 100.0
THROUGHPUT_AT_20_MIN_RATIO = 0.8
P95_AT_20_MAX_RATIO = 1.5
WORKERS_MIN_SPEEDUP = 1.5
STARTUP_MAX_S = 40.0
RSS_MAX_MB_PER_PROCESS = 1800.0


def machine() -> Dict[str, Any]:
    """What the figures were measured on: CPUs usable by this process, CPU model, memory, load."""
    cpu_model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "unknown")
    memory_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:")), 0)
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_model": cpu_model, "memory_mb": memory_kb // 1024,
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load_average_at_start": list(os.getloadavg())}


def ratio(ours: Optional[float], theirs: Optional[float]) -> Optional[float]:
    """ours / theirs, or None when either is missing or theirs is zero."""
    if ours is None or theirs is None or not theirs or math.isnan(ours) or math.isnan(theirs):
        return None
    return ours / theirs


LOADS = ("one_at_a_time", "concurrent")


def figure_rows(results: Dict[str, Any]) -> List[Tuple[str, Optional[float], Optional[float]]]:
    """(label, intake, rasa init) for every compared figure."""
    ours, theirs = results["intake"], results["rasa_init"]
    rows: List[Tuple[str, Optional[float], Optional[float]]] = []
    for load in LOADS:
        clients = ours[load]["clients"]
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            rows.append((f"latency {key[:3]} ms, {clients} conv.", ours[load][key], theirs[load][key]))
    for load in LOADS:
        rows.append((f"throughput msg/s, {ours[load]['clients']} conv.", ours[load]["throughput_msg_s"],
                     theirs[load]["throughput_msg_s"]))
    rows.append(("start-up s", ours["startup_s"], theirs["startup_s"]))
    rows.append(("peak RSS MB (Rasa server)", ours["rss"]["sum_mb"], theirs["rss"]["sum_mb"]))
    rows.append(("training s", ours["training_s"], theirs["training_s"]))
    return rows


def evaluate_targets(results: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Each target with the measured value, its limit and whether it is met."""
    ours, theirs, workers = results["intake"], results["rasa_init"], results["workers"]
    largest_process_mb = max([ours["rss"]["max_process_mb"]]
                             + [run["rss"]["max_process_mb"] for run in workers["runs"].values()])
    one, many = ours["one_at_a_time"], ours["concurrent"]
    clients = many["clients"]
    checks = [
        ("p95 latency at 1 conversation (ms)", one["p95_ms"], "<=", P95_AT_1_MAX_MS),
        (f"throughput at {clients} conv., intake / rasa init",
         ratio(many["throughput_msg_s"], theirs["concurrent"]["throughput_msg_s"]), ">=", THROUGHPUT_AT_20_MIN_RATIO),
        (f"p95 latency at {clients} conv., intake / rasa init",
         ratio(many["p95_ms"], theirs["concurrent"]["p95_ms"]), "<=", P95_AT_20_MAX_RATIO),
        ("throughput 2 workers / 1 worker (Postgres + Redis)", workers["throughput_ratio"], ">=", WORKERS_MIN_SPEEDUP),
        ("start-up of the intake Rasa server (s)", ours["startup_s"], "<=", STARTUP_MAX_S),
        ("peak RSS of any intake Rasa process (MB)", largest_process_mb, "<=", RSS_MAX_MB_PER_PROCESS),
    ]
    return [{"target": name, "value": value, "limit": f"{op} {limit:g}",
             "met": value is not None and (value <= limit if op == "<=" else value >= limit)}
            for name, value, op, limit in checks]


def _cell(value: Optional[float], missing: str = "n/a") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}" if abs(value) >= 1000 else f"{value:.1f}"


def format_report(results: Dict[str, Any]) -> str:
    """The human-readable report: machine, comparison table, workers table, targets, warnings."""
    m = results["machine"]
    lines = [f"machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_mb']} MB RAM, "
             f"load average at start {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}",
             f"date: {m['date']}    total wall time: {results['wall_s']:.0f} s", ""]
    width = 34
    lines.append(f"{'figure':<{width}}{'intake':>14}{'rasa init':>14}{'ratio':>9}")
    lines.append("-" * (width + 37))
    for label, ours, theirs in figure_rows(results):
        missing = "not measured" if label.startswith("training") else "n/a"
        lines.append(f"{label:<{width}}{_cell(ours, missing):>14}{_cell(theirs, missing):>14}"
                     f"{_cell(ratio(ours, theirs), '-'):>9}")
    workers = results["workers"]
    lines += ["", f"intake, Postgres tracker store + Redis lock store, {workers['clients']} conversations at once:",
              f"{'Sanic workers':<{width}}{'msg/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'start-up s':>12}{'max RSS MB':>12}"]
    for count, run in workers["runs"].items():
        load = run["load"]
        lines.append(f"{count:<{width}}{_cell(load['throughput_msg_s']):>10}{_cell(load['p50_ms']):>10}"
                     f"{_cell(load['p95_ms']):>10}{_cell(run['startup_s']):>12}{_cell(run['rss']['max_process_mb']):>12}")
    lines.append(f"{'ratio 2 / 1':<{width}}{_cell(workers['throughput_ratio'], '-'):>10}{'':>10}"
                 f"{_cell(workers['p95_ratio'], '-'):>10}")
    lines += ["", "targets:"]
    for target in results["targets"]:
        verdict = "MET" if target["met"] else "NOT MET"
        lines.append(f"  {verdict:<8} {target['target']}: {_cell(target['value'])} (target {target['limit']})")
    turns = [turn for turn in results["intake"]["median_ms_by_turn_one_at_a_time"] if turn[2] is not None]
    slowest = sorted(turns, key=lambda turn: -turn[2])[:4]
    lines += ["", "intake, slowest turns of the script at 1 conversation (turn, message, median ms): "
              + ", ".join(f"{number} {message!r} {ms:.0f}" for number, message, ms in slowest)]
    if results["warnings"]:
        lines += ["", "warnings:"] + [f"  {warning}" for warning in results["warnings"]]
    return "\n".join(lines)


def write_json(results: Dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
