"""The scripted conversations sent to each assistant, with what each reply must contain.

Ours walks the real intake: greeting, two FAQ questions, the whole PC-PTSD-5 (lead-in and five
items, 2 of 5 yes: below the cut-off, so no priority flag), the four ASQ safety questions all
"no" (a negative screen: no alert is written), then "stop" at the first pre-screen question and
"bye". The ASQ cannot be left early without counting as a refusal (a positive screen and an
alert), which is why the script is 16 messages rather than about 10. No crisis wording is sent.

Theirs (the `rasa init` moodbot) cycles its own intents to the same 16 messages, so both
assistants answer the same number of turns per conversation.

The expected fragments are checked on the warm-up conversation of every run, so a model or
wording change that sends the script down another path shows up in the report.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from intake.safety.asq import ITEMS as ASQ_ITEMS
from intake.screening import pcptsd5
from intake.screening.prescreen import load_prescreen


@dataclass(frozen=True)
class Conversation:
    """One scripted conversation: each message with a fragment its reply must contain."""

    name: str
    turns: Tuple[Tuple[str, str], ...]

    @property
    def messages(self) -> List[str]:
        return [message for message, _ in self.turns]


INTAKE = Conversation("intake", (
    ("hi", "automated intake assistant"),
    ("what is ketamine therapy", "anesthetic"),
    ("is it safe", "well tolerated"),
    ("can you check my symptoms", pcptsd5.LEAD_IN[-45:]),
    ("yes", pcptsd5.ITEMS["pc_nightmares"]),
    ("yes", pcptsd5.ITEMS["pc_avoidance"]),
    ("no", pcptsd5.ITEMS["pc_on_guard"]),
    ("yes", pcptsd5.ITEMS["pc_numb"]),
    ("no", pcptsd5.ITEMS["pc_guilt"]),
    ("no", ASQ_ITEMS["asq_wished_dead"]),
    ("no", ASQ_ITEMS["asq_family_better_off"]),
    ("no", ASQ_ITEMS["asq_thoughts_of_killing"]),
    ("no", ASQ_ITEMS["asq_ever_tried"]),
    ("no", load_prescreen().questions["ps_adult"].text),
    ("stop", "we can stop here"),
    ("bye", "Take care"),
))

_MOODBOT_CYCLE = (
    ("hi", "How are you?"),
    ("I am sad", "cheer you up"),
    ("yes", "carry on"),
    ("great", "carry on"),
    ("bye", "Bye"),
    ("hello", "How are you?"),
    ("I feel very sad", "cheer you up"),
    ("no", "Bye"),
)
MOODBOT = Conversation("moodbot", tuple(_MOODBOT_CYCLE[i % len(_MOODBOT_CYCLE)] for i in range(len(INTAKE.turns))))


def reply_mismatches(conversation: Conversation, replies: List[Optional[str]]) -> List[str]:
    """The turns whose reply text lacks the expected fragment (None: the message failed)."""
    return [f"{message!r}: expected {expected!r}, got {got!r}"
            for (message, expected), got in zip(conversation.turns, replies)
            if got is None or expected not in got]
