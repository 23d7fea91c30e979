"""Short phrases in the conversation's language, for replies that code assembles around facts
(button titles beside FAQ topics, the clinic's hours). Written in responses/phrases.yml so the
Spanish sits next to the English; a phrase missing in a language is given in English."""
from __future__ import annotations

from functools import lru_cache
from typing import Dict

import yaml

from intake.paths import PROJECT_ROOT

PHRASES_FILE = PROJECT_ROOT / "responses" / "phrases.yml"


@lru_cache(maxsize=1)
def _phrases() -> Dict[str, Dict[str, str]]:
    return yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8")) or {}


def phrase(key: str, language: str = "en") -> str:
    """The phrase `key` in `language`, or in English (KeyError for an unknown key: a typo in code)."""
    wording = _phrases()[key]
    return wording.get(language) or wording["en"]
