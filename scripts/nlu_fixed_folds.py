"""Cross-validation on fixed folds, for comparing NLU variants on the same split.

`rasa test nlu --cross-validation` draws new random folds on every run, so two pipelines or two
versions of the data cannot be told apart by less than about a point. This script splits the
NLU data once (scikit-learn StratifiedKFold, shuffled with a fixed seed, stratified on the
intent or, for FAQ questions, on the topic), trains the whole pipeline on four fifths with
`rasa train nlu`, parses the fifth with the trained model as `rasa test nlu` does (a fallback
prediction is undone) and pools the predictions of all folds.

    PYTHONPATH=. .venv/bin/python scripts/nlu_fixed_folds.py --config config.yml --out results/folds

It prints intent and FAQ macro-F1 and writes every wrong prediction to OUT/errors.json.
Not part of `make test`: five trainings take about a quarter of an hour on two cores.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

RETRIEVAL_INTENT = "faq"


def label(example) -> str:
    """The topic for an FAQ question (faq/cost_insurance), else the intent."""
    return example.get("intent_response_key") or example.get("intent")


def write_fold(data: TrainingData, indices, path: Path) -> None:
    """Writes the chosen examples, with the responses and synonyms, as Rasa YAML."""
    examples = [data.nlu_examples[i] for i in indices]
    part = TrainingData(
        training_examples=examples,
        entity_synonyms=data.entity_synonyms,
        regex_features=data.regex_features,
        lookup_tables=data.lookup_tables,
        responses=data.responses,
    )
    path.write_text(part.nlu_as_yaml(), encoding="utf-8")


def train(fold_dir: Path, config: Path) -> Path:
    """Trains the whole NLU pipeline on the fold's training part."""
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "nlu", "--nlu", str(fold_dir / "train.yml"),
         "--config", str(config), "--out", str(fold_dir), "--fixed-model-name", "model"],
        check=True, stdout=subprocess.DEVNULL,
    )
    return fold_dir / "model.tar.gz"


async def parse_all(model: Path, texts: List[str]) -> List[Dict]:
    """Parses each text as `rasa test nlu` does, undoing a fallback prediction."""
    from rasa.core.agent import Agent
    from rasa.core.channels import UserMessage
    from rasa.nlu.classifiers import fallback_classifier

    agent = Agent.load(str(model))
    results = []
    for text in texts:
        result = await agent.processor.parse_message(UserMessage(text=text), only_output_properties=False)
        if fallback_classifier.is_fallback_classifier_prediction(result):
            result = fallback_classifier.undo_fallback_prediction(result)
        selected = (result.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
        results.append({
            "intent": (result.get("intent") or {}).get("name"),
            "topic": (selected.get("response") or {}).get("intent_response_key"),
            "topic_confidence": (selected.get("response") or {}).get("confidence"),
        })
    return results


def f1_by_class(truth: List[str], predicted: List[str]) -> Dict[str, float]:
    """F1 of every true class; their mean is the macro-F1 that `rasa test nlu` reports."""
    classes = sorted(set(truth))
    return dict(zip(classes, f1_score(truth, predicted, average=None, labels=classes).tolist()))


def is_error(example, prediction: Dict) -> bool:
    """A wrong intent, or for an FAQ question a wrong topic."""
    topic = example.get("intent_response_key")
    return prediction["intent"] != example.get("intent") or bool(topic and prediction["topic"] != topic)


def report(data: TrainingData, predictions: Dict[int, Dict], out: Path) -> None:
    """Pooled macro-F1 for intents and FAQ topics, the F1 of each, and the list of errors."""
    examples = data.nlu_examples
    order = sorted(predictions)
    faq = [i for i in order if examples[i].get("intent_response_key")]
    by_class = {
        "intents": f1_by_class([examples[i].get("intent") for i in order], [predictions[i]["intent"] for i in order]),
        "topics": f1_by_class([examples[i].get("intent_response_key") for i in faq],
                              [predictions[i]["topic"] or "" for i in faq]),
    }
    errors = [
        {"text": examples[i].get("text"), "truth": label(examples[i]),
         "intent": predictions[i]["intent"], "topic": predictions[i]["topic"]}
        for i in order
        if is_error(examples[i], predictions[i])
    ]
    (out / "errors.json").write_text(json.dumps(errors, indent=1), encoding="utf-8")
    rounded = {kind: {name: round(f1, 3) for name, f1 in scores.items()} for kind, scores in by_class.items()}
    (out / "per_class.json").write_text(json.dumps(rounded, indent=1), encoding="utf-8")
    macro = {kind: sum(scores.values()) / len(scores) for kind, scores in by_class.items()}
    print(f"examples {len(order)}  intent macro-F1 {macro['intents']:.3f}  FAQ macro-F1 {macro['topics']:.3f}  "
          f"errors {len(errors)}")


def run_fold(data: TrainingData, fold: int, train_idx, test_idx, config: Path, out: Path) -> Dict[int, Dict]:
    """Trains and tests one fold; returns predictions keyed by example index."""
    fold_dir = out / f"fold{fold}"
    fold_dir.mkdir(parents=True, exist_ok=True)
    write_fold(data, train_idx, fold_dir / "train.yml")
    model = train(fold_dir, config)
    texts = [data.nlu_examples[i].get("text") for i in test_idx]
    parsed = asyncio.run(parse_all(model, texts))
    predictions = dict(zip((int(i) for i in test_idx), parsed))
    (fold_dir / "predictions.json").write_text(json.dumps(predictions), encoding="utf-8")
    return predictions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, default=Path("results/folds"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--parallel", type=int, default=2, help="folds trained at once")
    args = parser.parse_args()
    data = TrainingDataImporter.load_from_dict(training_data_paths=[str(args.data)]).get_nlu_data()
    labels = [label(e) for e in data.nlu_examples]
    splits = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(labels, labels)
    args.out.mkdir(parents=True, exist_ok=True)
    predictions: Dict[int, Dict] = {}
    with ThreadPoolExecutor(args.parallel) as pool:
        jobs = [pool.submit(run_fold, data, k, tr, te, args.config, args.out) for k, (tr, te) in enumerate(splits)]
        for job in jobs:
            predictions.update(job.result())
    report(data, predictions, args.out)


if __name__ == "__main__":
    main()
