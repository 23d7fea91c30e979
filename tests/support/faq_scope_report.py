"""What the trained assistant does with realistic questions: answered from the right FAQ topic,
answered from a wrong one, or given another reply (a scope answer, a fallback, the safety layer).

Reads every TSV of a folder (header `text	scope	topic	lang`; scope `faq` with a topic key, or
`mental_health`, `clinic`, `other`, `personal`), parses each message with the trained model (the
whole NLU pipeline: classifier, response selector, FAQ gate, safety guard) and prints:
- in scope: share answered with the right topic, per language;
- out of scope: share answered with any FAQ topic (a wrong answer), per scope;
- what each scope got instead, and every wrong answer.
With --floors it fails when a figure is worse. Usage:
    python -m tests.support.faq_scope_report tests/faq_scope/frozen --model models/intake.tar.gz \
        [--floors IN_SCOPE_EN WRONG_OUT_OF_SCOPE] [--json OUT]
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional

OUT_OF_SCOPE = ("mental_health", "clinic", "other", "personal")
# Topics the product answers through another intent: the clinic's name and phone come from
# config/clinic.yml (the FAQ gate hands faq/clinic_contact to ask_clinic_logistics), and asking for
# a person at the desk is the handoff.
ANSWERED_BY_INTENT = {"clinic_contact": {"ask_clinic_logistics", "request_human"}}


@dataclass(frozen=True)
class Case:
    text: str
    scope: str
    topic: str
    lang: str
    source: str


@dataclass(frozen=True)
class Reading:
    intent: str
    topic: Optional[str]  # the FAQ topic answered, when the intent is faq


def load_cases(folder: Path) -> List[Case]:
    cases = []
    for path in sorted(folder.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if not (row.get("text") or "").strip():
                    continue
                cases.append(Case(row["text"].strip(), row["scope"].strip(), (row.get("topic") or "").strip(),
                                  (row.get("lang") or "en").strip() or "en", path.name))
    return cases


def quiet_rasa() -> None:
    """Rasa's message processor logs every parse at debug level on stdout; keep the report readable."""
    import logging

    import structlog

    logging.getLogger().setLevel(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


async def read_all(model: Path, texts: List[str]) -> List[Reading]:
    from rasa.core.agent import Agent

    quiet_rasa()
    agent = Agent.load(str(model))
    readings = []
    for text in texts:
        parsed = await agent.parse_message(text)
        intent = (parsed.get("intent") or {}).get("name") or ""
        topic = None
        if intent == "faq":
            key = (((parsed.get("response_selector") or {}).get("faq") or {}).get("response") or {}) \
                .get("intent_response_key") or ""
            topic = key.split("/", 1)[1] if "/" in key else None
        readings.append(Reading(intent, topic))
    return readings


def summary(cases: List[Case], readings: List[Reading]) -> Dict[str, object]:
    in_scope: Dict[str, List[bool]] = defaultdict(list)
    wrong: Dict[str, List[bool]] = defaultdict(list)
    outcomes: Dict[str, Counter] = defaultdict(Counter)
    errors = []
    for case, reading in zip(cases, readings):
        got = f"faq/{reading.topic}" if reading.topic else reading.intent
        right_topic = case.scope == "faq" and (reading.topic == case.topic or
                                               reading.intent in ANSWERED_BY_INTENT.get(case.topic, ()))
        outcomes[case.scope]["right topic" if right_topic else got] += 1
        if case.scope == "faq":
            right = right_topic
            in_scope[case.lang if case.lang == "en" else "other languages"].append(right)
            if not right:
                errors.append({"kind": "in scope, not answered right", **asdict(case), "got": got})
        elif case.scope in OUT_OF_SCOPE:
            answered = reading.topic is not None
            wrong[case.scope].append(answered)
            if answered:
                errors.append({"kind": "out of scope, answered from the FAQ", **asdict(case), "got": got})
    all_wrong = [flag for flags in wrong.values() for flag in flags]
    return {
        "in_scope_right": {lang: (sum(flags), len(flags)) for lang, flags in in_scope.items()},
        "out_of_scope_wrong": {scope: (sum(flags), len(flags)) for scope, flags in wrong.items()},
        "out_of_scope_wrong_all": (sum(all_wrong), len(all_wrong)),
        "outcomes": {scope: dict(counter.most_common()) for scope, counter in outcomes.items()},
        "errors": errors,
    }


def share(pair) -> float:
    done, total = pair
    return done / total if total else 0.0


def print_report(result: Dict[str, object]) -> None:
    print("in scope, answered with the right topic:")
    for lang, pair in sorted(result["in_scope_right"].items()):
        print(f"  {lang:16} {pair[0]:4} of {pair[1]:4} = {share(pair):.1%}")
    print("out of scope, answered with an FAQ topic (wrong answers):")
    for scope, pair in sorted(result["out_of_scope_wrong"].items()):
        print(f"  {scope:16} {pair[0]:4} of {pair[1]:4} = {share(pair):.1%}")
    pair = result["out_of_scope_wrong_all"]
    print(f"  {'all':16} {pair[0]:4} of {pair[1]:4} = {share(pair):.1%}")
    print("what each scope got:")
    for scope, counts in sorted(result["outcomes"].items()):
        top = ", ".join(f"{name} {count}" for name, count in list(counts.items())[:8])
        print(f"  {scope:16} {top}")
    print("wrong answers and in-scope misses:")
    for error in result["errors"]:
        print(f"  [{error['kind']}] {error['scope']}/{error['topic']} ({error['lang']}): {error['text'][:110]!r} "
              f"-> {error['got']}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--model", type=Path, default=Path("models/intake.tar.gz"))
    parser.add_argument("--floors", type=float, nargs=2, metavar=("IN_SCOPE_EN", "WRONG_OUT_OF_SCOPE"))
    parser.add_argument("--json", type=Path, help="write the whole result here")
    args = parser.parse_args(argv)
    cases = load_cases(args.folder)
    readings = asyncio.run(read_all(args.model, [case.text for case in cases]))
    result = summary(cases, readings)
    print_report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.floors:
        in_scope, wrong = share(result["in_scope_right"].get("en", (0, 0))), share(result["out_of_scope_wrong_all"])
        ok = in_scope >= args.floors[0] and wrong <= args.floors[1]
        print(f"floors: in scope (English) {in_scope:.1%} >= {args.floors[0]:.1%}, wrong answers {wrong:.1%} <= "
              f"{args.floors[1]:.1%}: {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
