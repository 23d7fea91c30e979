"""Evaluate the risk detector on a labelled set: recall per category and false-positive rate.

Run `python -m intake.safety.evaluation [path]`; exits non-zero when recall on the risk rows
is below 100% or the false-positive rate on benign rows is above 5%.
"""
from __future__ import annotations

import csv
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from intake.paths import PROJECT_ROOT
from intake.safety.detector import RiskDetector, default_detector

DEFAULT_SET = PROJECT_ROOT / "tests" / "safety" / "risk_eval_set.tsv"
REQUIRED_RECALL = 1.0
MAX_FALSE_POSITIVE_RATE = 0.05


@dataclass(frozen=True)
class LabelledMessage:
    label: str  # a risk category or "benign"
    handling: str
    text: str

    @property
    def is_risk(self) -> bool:
        return self.label != "benign"


@dataclass
class EvaluationReport:
    """Counts per category; `missed` and `false_alarms` keep the texts for the report."""

    found: Dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: Dict[str, int] = field(default_factory=lambda: defaultdict(int))
    missed: List[LabelledMessage] = field(default_factory=list)
    false_alarms: List[Tuple[LabelledMessage, str]] = field(default_factory=list)
    benign_total: int = 0

    @property
    def risk_recall(self) -> float:
        total = sum(self.total.values())
        return sum(self.found.values()) / total if total else 1.0

    @property
    def false_positive_rate(self) -> float:
        return len(self.false_alarms) / self.benign_total if self.benign_total else 0.0

    @property
    def passed(self) -> bool:
        return self.risk_recall >= REQUIRED_RECALL and self.false_positive_rate <= MAX_FALSE_POSITIVE_RATE


def load_set(path: Path = DEFAULT_SET) -> List[LabelledMessage]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [LabelledMessage(r["label"], r["handling"], r["text"]) for r in rows]


def evaluate(messages: List[LabelledMessage], detector: Optional[RiskDetector] = None) -> EvaluationReport:
    detector = detector or default_detector()
    report = EvaluationReport()
    for message in messages:
        finding = detector.detect(message.text)
        if message.is_risk:
            report.total[message.label] += 1
            if finding is not None:
                report.found[message.label] += 1
            else:
                report.missed.append(message)
        else:
            report.benign_total += 1
            if finding is not None:
                report.false_alarms.append((message, finding.intent))
    return report


def format_report(report: EvaluationReport) -> str:
    lines = [f"{'category':<20}{'found':>8}{'total':>8}{'recall':>9}"]
    for category in sorted(report.total):
        found, total = report.found[category], report.total[category]
        lines.append(f"{category:<20}{found:>8}{total:>8}{found / total:>9.1%}")
    lines.append(f"{'all risk':<20}{sum(report.found.values()):>8}{sum(report.total.values()):>8}{report.risk_recall:>9.1%}")
    lines.append(f"false positives: {len(report.false_alarms)} of {report.benign_total} benign "
                 f"({report.false_positive_rate:.1%}, limit {MAX_FALSE_POSITIVE_RATE:.0%})")
    lines += [f"  MISSED [{m.label}/{m.handling}] {m.text}" for m in report.missed]
    lines += [f"  FALSE ALARM [{m.handling} -> {intent}] {m.text}" for m, intent in report.false_alarms]
    lines.append("PASS" if report.passed else "FAIL")
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_SET
    report = evaluate(load_set(path))
    print(format_report(report))
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
