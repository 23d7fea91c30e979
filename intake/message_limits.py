"""How much of one message the assistant reads, and what it does with a longer one.

A message over `limits.max_message_chars` (config/clinic.yml, 2,000 characters) is not read in
full: reading 200,000 characters took the server seconds, during which other conversations
waited. Such a message is searched, part by part, for a risk, because a long message may carry one
clause that matters more than all the rest. The first part that reads as a risk is what the
assistant answers (the crisis protocol or the check-in); a long message with no risk in it gets
a clear reply asking for shorter messages, with 988 and 911. The full safety decision reads the
first parts (`model_parts`); the risk patterns, much cheaper, read the rest.
"""
from __future__ import annotations

from typing import Callable, Iterator, Optional

from intake.outage_replies import reply
from intake.settings import settings

DEFAULT_MAX_CHARS = 2000
# Consecutive parts overlap so that a phrase cut at a boundary is whole in one of them.
OVERLAP_CHARS = 200
ReadsAsRisk = Callable[[str], bool]


def max_message_chars() -> int:
    """The longest message read in full (`limits.max_message_chars`)."""
    return int(settings().section("limits").get("max_message_chars", DEFAULT_MAX_CHARS))


def model_parts() -> int:
    """How many parts of an overlong message the full safety decision reads (`limits.model_parts`)."""
    return int(settings().section("limits").get("model_parts", 10))


def parts(text: str, size: int) -> Iterator[str]:
    """`text` in pieces of at most `size` characters, each overlapping the one before and cut
    between words where there are any (a piece starting mid-word reads as garbled text)."""
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            space = text.rfind(" ", start + size // 2, end)
            end = space if space > 0 else end
        yield text[start:end]
        if end >= len(text):
            return
        following = max(end - OVERLAP_CHARS, start + 1)
        space = text.find(" ", following, end)
        start = space + 1 if space >= 0 else following


def part_to_answer(text: str, size: int, decision_reads_risk: ReadsAsRisk, patterns_read_risk: ReadsAsRisk,
                   decided_parts: int) -> Optional[str]:
    """The first part of an overlong `text` that reads as a risk, or None when no part does."""
    for index, part in enumerate(parts(text, size)):
        reads = decision_reads_risk if index < decided_parts else patterns_read_risk
        if reads(part):
            return part
    return None


def too_long_reply(max_chars: int, language: str = "en") -> str:
    return reply("too_long", language, max_chars=max_chars)
