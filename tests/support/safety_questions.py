"""The questions that end the crisis protocol, and the check-in's question, in every language the
assistant speaks (domain.yml and responses/es.yml), as the REST channel gives them: a risk message
in Spanish is answered in Spanish, and is still the protocol."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from rasa_addons.language_responses import responses_in

DOMAIN = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text(encoding="utf-8"))["responses"]
QUESTIONS = ("utter_ask_safe_now", "utter_ask_third_party_safe", "utter_ask_anyone_in_danger")


def _rest_texts(responses: Dict[str, List[dict]], name: str) -> List[str]:
    return [v["text"] for v in responses.get(name, []) if not v.get("channel")]


SAFETY_QUESTIONS: Tuple[str, ...] = tuple(
    text for responses in (DOMAIN, responses_in("es")) for name in QUESTIONS for text in _rest_texts(responses, name))
CHECK_IN_QUESTIONS = ("are you having thoughts of ending your life", "está pensando en quitarse la vida")


def asks_the_check_in(said: str) -> bool:
    return any(question in said for question in CHECK_IN_QUESTIONS)
