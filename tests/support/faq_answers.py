"""The FAQ answers the clinic configured (data/faq/responses.yml), by topic key, for assertions."""
from __future__ import annotations

from pathlib import Path
from typing import Dict

import yaml

RESPONSES = Path(__file__).resolve().parents[2] / "data" / "faq" / "responses.yml"


def faq_answers() -> Dict[str, str]:
    """Topic key -> the text of its answer."""
    responses = yaml.safe_load(RESPONSES.read_text(encoding="utf-8"))["responses"]
    return {name.split("/", 1)[1]: variants[0]["text"] for name, variants in responses.items()}
