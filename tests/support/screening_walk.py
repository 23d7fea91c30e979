"""A scripted walk through the start of the symptom check, with what each reply must ask next.

Tests that move a conversation between servers, restart or kill a server, or cut off a database
use it: a reply that asks the expected next question proves the conversation's state survived.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

from intake.safety.asq import ITEMS as ASQ_ITEMS
from intake.screening import pcptsd5
from intake.screening.prescreen import load_prescreen
from tests.support.stack import RasaStack, texts

LEAD_IN_END = "Have you ever experienced this kind of event?"
AGE_QUESTION = load_prescreen().questions["ps_adult"].text

# (what the person sends, a piece of the reply that shows the assistant is at the right step)
SCREENING_WALK: List[Tuple[str, str]] = [
    ("check my symptoms", AGE_QUESTION),
    ("I'm 35", LEAD_IN_END),
    ("yes", pcptsd5.question("pc_nightmares")),
    ("yes", pcptsd5.question("pc_avoidance")),
    ("no", pcptsd5.question("pc_on_guard")),
    ("yes", pcptsd5.question("pc_numb")),
    ("no", pcptsd5.question("pc_guilt")),
    ("no", ASQ_ITEMS["asq_wished_dead"]),
]


def walk(servers_in_turn: Sequence[RasaStack], sender: str,
         steps: Sequence[Tuple[str, str]] = SCREENING_WALK) -> None:
    """Send each step to the next server in turn; each reply must ask the expected next question."""
    for number, (message, expected) in enumerate(steps):
        stack = servers_in_turn[number % len(servers_in_turn)]
        reply = texts(stack.send(sender, message))
        assert expected in reply, f"step {number} ({message!r}) on port {stack.rasa_port}: {reply!r}"
