"""Reads the reports of `rasa test nlu` and fails when a figure is under its floor.

Used by scripts/test.sh for the held-out files (accuracy) and by `make nlu-crossval` for the
5-fold cross-validation (macro F1). Usage:
    python -m tests.support.nlu_report RESULTS_DIR --metric accuracy --floor 0.88 0.88 [--routed NLU_FILE]

--routed NLU_FILE (the file tested) also counts as right a FAQ question whose topic the FAQ gate sends on to another intent by
design (config.yml, FaqGate `topic_intents`: `clinic_contact` is answered from the clinic file by
`ask_clinic_logistics`): the person gets the answer meant for that topic. The plain figure is
printed beside it, and the floor applies to the routed one.
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


def topic_intents(config_path: Path = Path("config.yml")) -> Dict[str, str]:
    """{"faq/clinic_contact": "ask_clinic_logistics"}: the FAQ gate's routed topics."""
    import yaml

    for component in yaml.safe_load(config_path.read_text(encoding="utf-8")).get("pipeline") or []:
        if str(component.get("name", "")).endswith("FaqGate"):
            retrieval = component.get("retrieval_intent", "faq")
            return {f"{retrieval}/{topic}": intent for topic, intent in (component.get("topic_intents") or {}).items()}
    return {}


def labels_of(nlu_file: Path) -> Dict[str, str]:
    """Each example's text and its full label ("faq/clinic_contact") in a Rasa NLU file."""
    import yaml

    labels = {}
    for block in yaml.safe_load(nlu_file.read_text(encoding="utf-8")).get("nlu") or []:
        for line in str(block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                labels[line.strip()[2:].strip()] = block["intent"]
    return labels


def routed_intent_accuracy(results: Path, nlu_file: Path) -> float:
    """Intent accuracy when a routed topic's question predicted as its routed intent counts as right."""
    report = json.loads((results / REPORTS["intent"]).read_text(encoding="utf-8"))
    total = int(report["weighted avg"]["support"])
    errors = json.loads((results / "intent_errors.json").read_text(encoding="utf-8"))
    routes, labels = topic_intents(), labels_of(nlu_file)
    routed = sum(1 for error in errors
                 if routes.get(labels.get(error["text"].strip(), "")) == error["intent_prediction"]["name"])
    return float(report["accuracy"]) + routed / total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--metric", choices=["accuracy", "macro-f1"], default="accuracy")
    parser.add_argument("--floor", type=float, nargs=2, metavar=("INTENT", "SELECTOR"), required=True)
    parser.add_argument("--routed", type=Path, metavar="NLU_FILE",
                        help="count the FAQ gate's routed topics of this tested file as right")
    args = parser.parse_args()
    ok = True
    values = figures(args.results, args.metric)
    if args.routed:
        print(f"{'intent (plain)':18} {args.metric} {values['intent']:.3f}")
        values["intent"] = routed_intent_accuracy(args.results, args.routed)
    for (name, value), floor in zip(values.items(), args.floor):
        passed = value >= floor
        ok &= passed
        print(f"{name:18} {args.metric} {value:.3f} (floor {floor:.2f}) {'PASS' if passed else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
