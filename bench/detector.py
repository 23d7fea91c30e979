"""Benchmark of the safety decision: time per message, p50 / p99 / max, over the labelled sets.

Run: `make bench-detector` (or `.venv/bin/python -m bench.detector`). Two figures:
- the patterns alone (the risk detector);
- the combined decision (patterns, then the learned model), given the message's MiniLM sentence
  vector, as in the running assistant, where the NLU pipeline has made that vector already for
  the intent classifier. The encoder's own time is part of the pipeline, not of this decision;
  it is measured by `make bench` with everything else.
Each message is timed over several rounds after a warm-up; the table shows milliseconds.
"""
from __future__ import annotations

import statistics
import sys
import time
from typing import Callable, List

from intake.safety.decision import SafetyJudge
from intake.safety.detector import RiskDetector
from intake.safety.evaluation import frozen_split, load_set, older_sets
from intake.safety.risk_model import RiskModel
from intake.safety.sentence_vectors import SentenceVectors

SETS = older_sets() + frozen_split()
ROUNDS = 10
TARGET_P99_MS = 2.0


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timings(calls: List[Callable[[], object]], rounds: int = ROUNDS) -> List[float]:
    for call in calls:  # warm-up
        call()
    measured: List[float] = []
    for _ in range(rounds):
        for call in calls:
            start = time.perf_counter()
            call()
            measured.append((time.perf_counter() - start) * 1000)
    return measured


def row(name: str, measured: List[float]) -> str:
    return (f"{name:<22}{statistics.mean(measured):>10.3f}{percentile(measured, 0.5):>10.3f}"
            f"{percentile(measured, 0.99):>10.3f}{max(measured):>10.3f}")


def main() -> int:
    detector = RiskDetector()
    judge = SafetyJudge(detector, RiskModel.load())
    texts = [m.text for path in SETS for m in load_set(path)]
    vectors = SentenceVectors().sentence_vectors(texts)
    patterns = timings([lambda t=t: detector.detect(t) for t in texts])
    combined = timings([lambda t=t, v=v: judge.decide(t, v) for t, v in zip(texts, vectors)])
    print(f"safety decision: {len(texts)} messages x {ROUNDS} rounds (milliseconds)")
    print(f"{'':<22}{'mean':>10}{'p50':>10}{'p99':>10}{'max':>10}")
    print(row("patterns alone", patterns))
    print(row("patterns + model", combined))
    p99 = percentile(combined, 0.99)
    verdict = "meets" if p99 < TARGET_P99_MS else "MISSES"
    print(f"combined p99 {verdict} the target of {TARGET_P99_MS} ms per message")
    return 0 if p99 < TARGET_P99_MS else 1


if __name__ == "__main__":
    sys.exit(main())
