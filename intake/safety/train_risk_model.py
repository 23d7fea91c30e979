"""Build the learned risk model from the project's labelled corpus and choose its thresholds.

    python -m intake.safety.train_risk_model [--out build/risk_model]

Reads:
- intake/safety/corpus/*.tsv: the risk corpus (label, kind, text), written for variety;
- tests/safety/*_set.tsv: the detector's older labelled sets (their benign rows say only
  "benign", so they train the risk head but not the disclosure head);
- the Rasa NLU examples (data/**/nlu.yml and data/spanish/*.yml): everyday messages, and the
  crisis intents' examples.
Never reads the frozen test split (tests/safety/frozen/), which measures the result; the few
older messages that are near-duplicates of it are listed in corpus/excluded_from_training.txt.

Thresholds come from the development split (intake/safety/development_split/: written
independently, like the frozen test split, and never trained on): each of its messages is read
as the assistant reads it (patterns, then the model), and the curve (threshold, recall, false
alarms) is written beside the model in report.json and printed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import yaml

from intake.paths import PROJECT_ROOT
from intake.safety.decision import ANY_READING, SafetyJudge, veto_limit
from intake.safety.detector import RiskDetector, default_detector
from intake.safety.evaluation import older_sets
from intake.safety.risk_model import (
    DISCLOSURES, MODEL_DIR, FeatureSettings, HeadSettings, LabelledText, RiskFeatures, RiskModel,
    RiskScores, fit_heads, read_corpus_file,
)
from intake.safety.sentence_vectors import batch_vectors

SETTINGS_PATH = Path(__file__).with_name("risk_model.yml")
CORPUS_DIR = Path(__file__).with_name("corpus")
# The Spanish files are read too: without Spanish everyday messages, Spanish itself looked like
# risk to the model ("¿Cuántas sesiones voy a necesitar?" got the check-in; measured on the
# Spanish held-out NLU set, tests/nlu_holdout_es.yml, before they were added).
NLU_FILES = sorted(set((PROJECT_ROOT / "data").rglob("nlu.yml")) | set((PROJECT_ROOT / "data" / "spanish").glob("*.yml")))
VECTOR_CACHE = "vectors.npz"
DEV_VECTOR_CACHE = "development_vectors.npz"
DEV_DIR = Path(__file__).with_name("development_split")
EXCLUDED_PATH = CORPUS_DIR / "excluded_from_training.txt"
# Rasa intents whose examples are not "none" for the model.
INTENT_LABELS = {
    "crisis_suicide": "suicide", "crisis_self_harm": "self_harm", "crisis_harm_to_others": "harm_to_others",
    "crisis_in_danger": "in_danger", "crisis_medical_emergency": "medical_emergency",
    "crisis_risk_question": "risk_question", "crisis_third_party": "third_party",
    "share_distress": "distress", "describe_symptoms": "distress", "share_trauma_history": "history",
}
SKIPPED_INTENTS = {"crisis_past_attempt", "feeling_low"}
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


# -- the corpus ---------------------------------------------------------------------------------

def older_set_rows(path: Path) -> List[LabelledText]:
    """The detector's labelled sets: past attempts are left out (their reply is their own)."""
    import csv

    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["handling"] == "past_attempt":
                continue
            label = "third_party" if row["handling"] == "third_party" else row["label"]
            rows.append(LabelledText(row["text"].strip(), label, "older_set", path.stem))
    return rows


def nlu_rows(path: Path) -> List[LabelledText]:
    rows = []
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
        intent = block.get("intent")
        if not intent or intent in SKIPPED_INTENTS:
            continue
        label = INTENT_LABELS.get(intent.split("/")[0], "none")
        for line in str(block.get("examples", "")).splitlines():
            text = line.strip()
            if text.startswith("- "):
                text = ENTITY_MARKUP.sub(lambda m: m.group(1) or m.group(2), text[2:]).strip()
                if text:
                    rows.append(LabelledText(text, label, "nlu_example", path.parent.name))
    return rows


def load_training_corpus() -> List[LabelledText]:
    """Every training message once; a text seen with a risk label and without keeps the risk."""
    rows: List[LabelledText] = []
    for path in sorted(CORPUS_DIR.glob("*.tsv")):
        rows += read_corpus_file(path)
    for path in older_sets():
        rows += older_set_rows(path)
    for path in NLU_FILES:
        rows += nlu_rows(path)
    excluded = {" ".join(line.lower().split()) for line in EXCLUDED_PATH.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")}
    kept: Dict[str, LabelledText] = {}
    for row in rows:
        key = " ".join(row.text.lower().split())
        if key and key not in excluded and (key not in kept or (row.is_risk and not kept[key].is_risk)):
            kept[key] = row
    return list(kept.values())


# -- vectors, cached by text ----------------------------------------------------------------------

def cached_vectors(texts: Sequence[str], cache_path: Path) -> np.ndarray:
    """Sentence vectors, reusing those of texts already encoded by an earlier run."""
    keys = [hashlib.sha256(text.encode("utf-8")).hexdigest()[:24] for text in texts]
    cache: Dict[str, np.ndarray] = {}
    if cache_path.is_file():
        with np.load(cache_path) as stored:
            cache = dict(zip(stored["keys"], stored["vectors"]))
    missing = [i for i, key in enumerate(keys) if key not in cache]
    if missing:
        encoder = batch_vectors()
        for start in range(0, len(missing), 1000):
            chosen = missing[start:start + 1000]
            for index, vector in zip(chosen, encoder.sentence_vectors([texts[i] for i in chosen])):
                cache[keys[index]] = vector
            print(f"  encoded {start + len(chosen)} of {len(missing)} new messages", flush=True)
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        wanted = set(keys)
        kept = [key for key in cache if key in wanted]
        np.savez(cache_path, keys=np.array(kept), vectors=np.vstack([cache[key] for key in kept]))
    return np.vstack([cache[key] for key in keys])


# -- thresholds ------------------------------------------------------------------------------------

def curve(is_risk: np.ndarray, pattern_hit: np.ndarray, vetoable: np.ndarray, probabilities: np.ndarray,
          veto: np.ndarray) -> List[Dict[str, float]]:
    """Recall and false alarms of patterns + model on the development split, for thresholds from
    0.02 to 0.98: a pattern finding counts unless the model sets it aside (a score below the
    message's `veto` limit)."""
    points = []
    kept_hits = pattern_hit & ((probabilities >= veto) | ~vetoable)
    for threshold in np.round(np.arange(0.02, 0.99, 0.02), 2):
        engaged = kept_hits | (probabilities >= threshold)
        points.append({
            "threshold": float(threshold),
            "recall": float(engaged[is_risk].mean()),
            "false_alarms": float(engaged[~is_risk].mean()),
            "model_added_false_alarms": float((engaged & ~kept_hits)[~is_risk].mean()),
            "model_false_alarms": float((probabilities[~is_risk] >= threshold).mean()),
        })
    return points


def choose_thresholds(points: List[Dict[str, float]], selection: dict, veto: Dict[str, float]) -> Dict[str, float]:
    """Check-in: the lowest threshold (the most recall) at which the model alone engages no more
    development messages without risk than its budget.
    Crisis from the model alone: the lowest threshold at which the model would give the crisis
    protocol to almost no message without risk."""
    within = [p for p in points if p["model_false_alarms"] <= selection["check_in_model_false_alarms"]]
    check_in = min(within, key=lambda p: p["threshold"])["threshold"] if within else points[-1]["threshold"]
    quiet = [p for p in points if p["threshold"] >= check_in
             and p["model_false_alarms"] <= selection["crisis_false_alarms"]]
    crisis = min(quiet, key=lambda p: p["threshold"])["threshold"] if quiet else points[-1]["threshold"]
    return {"check_in": check_in, "crisis": max(crisis, check_in), "pattern_veto": veto,
            "veto_confidence": float(selection["veto_confidence"]),
            "history": float(selection["history"]), "distress": float(selection["distress"])}


# -- the command -------------------------------------------------------------------------------------

def load_settings() -> Tuple[FeatureSettings, HeadSettings, dict]:
    settings = yaml.safe_load(SETTINGS_PATH.read_text(encoding="utf-8"))
    raw = settings["features"]
    features = FeatureSettings(tuple(raw["char_ngrams"]), tuple(raw["word_ngrams"]), int(raw["min_df"]),
                               float(raw["dense_weight"]))
    heads = HeadSettings(**{k: float(v) for k, v in settings["heads"].items()})
    return features, heads, settings["selection"]


def fit_model(corpus: Sequence[LabelledText], vectors: np.ndarray, detector: RiskDetector,
              features: FeatureSettings, heads: HeadSettings) -> RiskModel:
    normalized = [detector.normalize(item.text) for item in corpus]
    fitted = RiskFeatures(features).fit(normalized)
    rows = fitted.transform(normalized, vectors)
    risk_head, category_head, disclosure_head = fit_heads(fitted, rows, corpus, heads)
    return RiskModel(fitted, risk_head, category_head, disclosure_head, {}, {})


def development_readings(judge: SafetyJudge, dev: Sequence[LabelledText], vectors: np.ndarray
                         ) -> Tuple[np.ndarray, np.ndarray, List[RiskScores]]:
    """For each development message: a pattern finding, whether the model may set it aside, and the
    model's scores as the assistant computes them."""
    findings = [judge.detector.detect(item.text) for item in dev]
    hits = np.array([f is not None for f in findings])
    vetoable = np.array([f is not None and judge.vetoable(f, judge.detector.normalize(item.text))
                         for f, item in zip(findings, dev)])
    scores = [judge.model_scores(item.text, vector) for item, vector in zip(dev, vectors)]
    return hits, vetoable, scores


def choose_vetoes(is_risk: np.ndarray, vetoable: np.ndarray, scores: Sequence[RiskScores], selection: dict
                  ) -> Dict[str, float]:
    """Per disclosure reading named in `veto_readings`, held with at least `veto_confidence`: a
    fraction of the lowest risk score among the development risk messages the patterns catch and
    the model reads that way, so none of them is set aside. No such message: no veto for it."""
    confidence, fraction = float(selection["veto_confidence"]), float(selection["pattern_veto_fraction"])
    caught_any = [s.risk for s, risk, hit in zip(scores, is_risk, vetoable) if risk and hit]
    any_fraction = float(selection.get("any_reading_veto_fraction", 0.0))
    vetoes = {ANY_READING: round(min(caught_any) * any_fraction, 5) if caught_any else 0.0}
    for disclosure in selection["veto_readings"]:
        caught = [s.risk for s, risk, hit in zip(scores, is_risk, vetoable)
                  if risk and hit and s.disclosure == disclosure and s.disclosure_probability >= confidence]
        vetoes[disclosure] = round(min(caught) * fraction, 5) if caught else 0.0
    return vetoes


def veto_limits(scores: Sequence[RiskScores], vetoes: Dict[str, float], confidence: float) -> np.ndarray:
    """Each development message's veto limit, as the decision computes it."""
    thresholds = {"pattern_veto": vetoes, "veto_confidence": confidence}
    return np.array([veto_limit(s, thresholds) for s in scores])


def train(out_dir: Path = MODEL_DIR, detector: RiskDetector | None = None) -> Tuple[RiskModel, dict]:
    features, heads, selection = load_settings()
    detector = detector or default_detector()
    corpus = load_training_corpus()
    print(f"risk corpus: {sum(i.is_risk for i in corpus)} risk, {sum(not i.is_risk for i in corpus)} without risk")
    model = fit_model(corpus, cached_vectors([i.text for i in corpus], out_dir / VECTOR_CACHE), detector,
                      features, heads)
    dev = [row for path in sorted(DEV_DIR.glob("*.tsv")) for row in read_corpus_file(path)]
    if sum(item.is_risk for item in dev) < 100 or sum(not item.is_risk for item in dev) < 100:
        raise ValueError(f"the development split in {DEV_DIR} needs 100 messages with risk and 100 without")
    dev_vectors = cached_vectors([i.text for i in dev], out_dir / DEV_VECTOR_CACHE)
    judge = SafetyJudge(detector, model)
    hits, vetoable, scores = development_readings(judge, dev, dev_vectors)
    is_risk = np.array([item.is_risk for item in dev])
    vetoes = choose_vetoes(is_risk, vetoable, scores, selection)
    limits = veto_limits(scores, vetoes, float(selection["veto_confidence"]))
    points = curve(is_risk, hits, vetoable, np.array([s.risk for s in scores]), limits)
    model.thresholds = choose_thresholds(points, selection, vetoes)
    counts = {label: sum(1 for i in corpus if i.label == label) for label in sorted({i.label for i in corpus})}
    model.info = {"messages": len(corpus), "labels": counts, "thresholds": model.thresholds, "curve": points,
                  "development_messages": len(dev),
                  "sources": sorted({i.source for i in corpus}), "disclosures": list(DISCLOSURES)}
    model.save(out_dir)
    (out_dir / "report.json").write_text(json.dumps(model.info, indent=1), encoding="utf-8")
    return model, model.info


def format_curve(info: dict) -> str:
    chosen = info["thresholds"]
    lines = ["development split, patterns + model:", f"{'threshold':>10}{'recall':>9}{'false alarms':>14}{'model alone FA':>17}"]
    for point in info["curve"]:
        if point["threshold"] in (chosen["check_in"], chosen["crisis"]) or round(point["threshold"] * 50) % 5 == 0:
            mark = " <- check-in" if point["threshold"] == chosen["check_in"] else ""
            mark += " <- crisis" if point["threshold"] == chosen["crisis"] else ""
            lines.append(f"{point['threshold']:>10.2f}{point['recall']:>9.1%}{point['false_alarms']:>14.1%}"
                         f"{point['model_false_alarms']:>17.1%}{mark}")
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args(argv)
    _, info = train(args.out)
    print(format_curve(info))
    print(f"thresholds: {info['thresholds']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
