"""Reads the reports of `rasa test nlu` and fails when a figure is under its floor.

Used by scripts/test.sh for the held-out file (accuracy) and by `make nlu-crossval` for the
5-fold cross-validation (macro F1). Usage:
    python -m tests.support.nlu_report RESULTS_DIR --metric accuracy --floor 0.88
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict

REPORTS = {"intent": "intent_report.json", "response selector": "response_selection_report.json"}


def figures(results: Path, metric: str) -> Dict[str, float]:
    """The chosen metric ("accuracy" or "macro avg f1") for intents and for the response selector."""
    out = {}
    for name, file in REPORTS.items():
        report = json.loads((results / file).read_text(encoding="utf-8"))
        out[name] = float(report["accuracy"] if metric == "accuracy" else report["macro avg"]["f1-score"])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--metric", choices=["accuracy", "macro-f1"], default="accuracy")
    parser.add_argument("--floor", type=float, nargs=2, metavar=("INTENT", "SELECTOR"), required=True)
    args = parser.parse_args()
    ok = True
    for (name, value), floor in zip(figures(args.results, args.metric).items(), args.floor):
        passed = value >= floor
        ok &= passed
        print(f"{name:18} {args.metric} {value:.3f} (floor {floor:.2f}) {'PASS' if passed else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
