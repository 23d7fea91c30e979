"""Benchmark of the risk detector alone: time per message, p50 / p99 / max, over the labelled sets.

Run: `make bench-detector` (or `.venv/bin/python -m bench.detector`). Each message of the
evaluation sets is timed over several rounds after a warm-up; the table shows milliseconds.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import List

from intake.safety.detector import RiskDetector
from intake.safety.evaluation import load_set

SETS = sorted((Path(__file__).resolve().parents[1] / "tests" / "safety").glob("*_set.tsv"))
ROUNDS = 20
TARGET_P99_MS = 1.0


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    started = time.perf_counter()
    detector = RiskDetector()
    build_ms = (time.perf_counter() - started) * 1000
    texts = [m.text for path in SETS for m in load_set(path)]
    for text in texts:  # warm-up
        detector.detect(text)
    timings: List[float] = []
    for _ in range(ROUNDS):
        for text in texts:
            start = time.perf_counter()
            detector.detect(text)
            timings.append((time.perf_counter() - start) * 1000)
    p50, p99 = percentile(timings, 0.50), percentile(timings, 0.99)
    print(f"risk detector: {len(texts)} messages x {ROUNDS} rounds, build {build_ms:.0f} ms")
    print(f"{'mean ms':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    print(f"{statistics.mean(timings):>10.3f}{p50:>10.3f}{p99:>10.3f}{max(timings):>10.3f}")
    verdict = "meets" if p99 < TARGET_P99_MS else "MISSES"
    print(f"p99 {verdict} the target of {TARGET_P99_MS} ms per message")
    return 0 if p99 < TARGET_P99_MS else 1


if __name__ == "__main__":
    sys.exit(main())
