"""Which kind of past trauma a disclosure tells of (sexual assault, domestic violence, military,
other), so the acknowledgement offers the hotline that fits. The words are in trauma_kinds.yml."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, Pattern

import yaml

KINDS_PATH = Path(__file__).with_name("trauma_kinds.yml")
OTHER = "other"


ALTERNATIVES = re.compile(r"\{([^{}]+)\}")


def _phrase_pattern(phrase: str) -> str:
    """A listed phrase as a regular expression; "{a|b}" in it matches either word."""
    parts = ALTERNATIVES.split(phrase)  # text, alternatives, text, ...
    return "".join("(?:" + "|".join(re.escape(w) for w in part.split("|")) + ")" if i % 2 else re.escape(part)
                   for i, part in enumerate(parts))


@lru_cache(maxsize=1)
def _kind_patterns() -> Dict[str, Pattern]:
    kinds = yaml.safe_load(KINDS_PATH.read_text(encoding="utf-8"))["kinds"]
    return {kind: re.compile(r"(?<![\w'])(" + "|".join(_phrase_pattern(w) for w in sorted(words, key=len, reverse=True))
                             + r")(?![\w'])") for kind, words in kinds.items()}


def trauma_kind(normalized_text: str) -> str:
    """The first kind whose words occur in the (normalised, lower-case) text, else "other"."""
    for kind, pattern in _kind_patterns().items():
        if pattern.search(normalized_text):
            return kind
    return OTHER
