"""The project's own spaCy pipeline, built in code because no English model can be downloaded.

A blank English tokenizer (real handling of "don't", "I'm", punctuation and emoji) plus a
lookup lemmatizer whose tables ship in the `spacy-lookups-data` package. Rasa loads the saved
pipeline by path (SpacyNLP), and the safety detector uses the same pipeline so both see the
same tokens and lemmas.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from intake.paths import PROJECT_ROOT

PIPELINE_PATH = PROJECT_ROOT / "build" / "spacy" / "en_intake"


def build_pipeline() -> Language:
    """Build the blank English pipeline with a lookup lemmatizer, ready to use."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "intake"
    nlp.meta["description"] = "Blank English tokenizer plus lookup lemmatizer, built offline."
    return nlp


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """Load the saved pipeline, or build it in memory when setup has not saved it yet."""
    if (PIPELINE_PATH / "config.cfg").exists():
        return spacy.load(PIPELINE_PATH)
    return build_pipeline()


def main(argv: list[str]) -> int:
    """Save the pipeline to the path given on the command line (default: build/spacy/en_intake)."""
    target = Path(argv[0]) if argv else PIPELINE_PATH
    nlp = build_pipeline()
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    print(f"spaCy pipeline saved to {target} ({', '.join(nlp.pipe_names)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
