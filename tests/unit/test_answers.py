"""The free-text answer parser for yes/no screening questions."""
from __future__ import annotations

import pytest

from intake.screening.answers import Answer, parse_yes_no

CASES = {
    Answer.YES: ["yes", "Yes.", "YES!", "yeah", "yep", "yup", "y", "Y", "sure", "I have", "i do", "1",
                 "yess", "yeah unfortunately", "yes, sometimes", "si", "all the time", "I think so",
                 "of course", "uh huh", "definitely", "ok yes", "  yes  ", "certainly", "that's right",
                 "Thats true"],
    Answer.NO: ["no", "No.", "nope", "n", "N", "never", "not really", "2", "nah", "I haven't",
                "no i haven't", "not at all", "nooo", "no, never", "I don't", "not lately", "negative",
                "absolutely not", "Of course not.", "certainly not", "definitely not", "that's not true"],
    Answer.SKIP: ["skip", "I'd rather not say", "rather not say", "prefer not to answer", "pass",
                  "I don't want to answer", "can we skip this"],
    Answer.UNSURE: ["sometimes", "maybe", "not sure", "I don't know", "idk", "kind of", "a little",
                    "occasionally", "hard to say"],
    Answer.UNCLEAR: ["", "   ", "what do you mean", "pizza", "how long is a session?", "hmm", "so"],
}


@pytest.mark.parametrize(
    "text, expected", [(text, answer) for answer, texts in CASES.items() for text in texts]
)
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) is expected


def test_there_are_at_least_forty_phrasings():
    assert sum(len(v) for v in CASES.values()) >= 40
