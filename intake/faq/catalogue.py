"""FAQ topics and the "did you mean" choice.

The answers are Rasa responses (`utter_faq/<key>` in data/faq/responses.yml); this module only
knows each topic's title and canonical question. When the response selector is unsure, the
assistant does not guess: it offers the closest topics as buttons whose payload is the canonical
question, so a tap is answered as reliably as a training example.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Tuple

import yaml

TOPICS_FILE = Path(__file__).with_name("topics.yml")
RETRIEVAL_INTENT = "faq"


@dataclass(frozen=True)
class FaqTopic:
    """One FAQ topic: its key in `faq/<key>`, a button title and its canonical question, in
    English and in each other language the catalogue has (`translations`: language -> (title,
    question)). In a Spanish conversation the button is Spanish, and so is the question it sends,
    which keeps the conversation in Spanish and is answered from the Spanish training phrasings."""

    key: str
    title: str
    question: str
    translations: Tuple[Tuple[str, str, str], ...] = ()

    def button(self, language: str = "en") -> Dict[str, str]:
        """The topic as a button in `language` (English when the catalogue lacks it)."""
        for code, title, question in self.translations:
            if code == language:
                return {"title": title, "payload": question}
        return {"title": self.title, "payload": self.question}


@lru_cache(maxsize=None)
def load_topics(path: Path = TOPICS_FILE) -> Dict[str, FaqTopic]:
    """The topics of the catalogue file, by key, in file order."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["topics"]
    return {key: FaqTopic(key, item["title"], item["question"],
                          tuple((code, wording["title"], wording["question"])
                                for code, wording in item.items() if isinstance(wording, dict)))
            for key, item in raw.items()}


def closest_topics(
    ranking: Iterable[Mapping[str, Any]], limit: int = 3, topics: Mapping[str, FaqTopic] | None = None
) -> List[FaqTopic]:
    """The best-ranked known topics of a response-selector ranking, at most `limit`.

    Ranking entries carry `intent_response_key` ("faq/side_effects") and `confidence`; entries
    of unknown topics are skipped so a stale model never produces a button without an answer.
    """
    topics = load_topics() if topics is None else topics
    ordered = sorted(ranking, key=lambda entry: entry.get("confidence") or 0.0, reverse=True)
    chosen: List[FaqTopic] = []
    for entry in ordered:
        key = str(entry.get("intent_response_key") or "").partition("/")[2]
        topic = topics.get(key)
        if topic is not None and topic not in chosen:
            chosen.append(topic)
        if len(chosen) == limit:
            break
    return chosen
