"""An overlong message: searched part by part for a risk (intake.message_limits)."""
from __future__ import annotations

from intake.message_limits import max_message_chars, part_to_answer, parts, too_long_reply


def test_parts_cover_the_text_and_overlap_so_no_phrase_is_cut_in_every_part():
    text = "".join(chr(ord("a") + i % 26) for i in range(5_000))
    pieces = list(parts(text, 1_000))
    assert all(len(piece) <= 1_000 for piece in pieces)
    assert pieces[0] == text[:1_000] and text.endswith(pieces[-1])
    assert pieces[1].startswith(text[800:900])  # 200 characters shared with the part before
    phrase_at_boundary = text[990:1_010]
    assert any(phrase_at_boundary in piece for piece in pieces)


def test_the_first_part_that_reads_as_a_risk_is_answered():
    text = "calm words. " * 1_000 + "RISK here. " + "calm words. " * 1_000
    found = part_to_answer(text, 2_000, lambda part: "RISK" in part, lambda part: False, decided_parts=100)
    assert found is not None and "RISK" in found and len(found) <= 2_000


def test_after_the_decided_parts_the_patterns_read_the_rest():
    text = "calm words. " * 5_000 + "RISK here."
    decided, patterns = [], []
    found = part_to_answer(text, 2_000, lambda part: decided.append(part) or False,
                           lambda part: patterns.append(part) or "RISK" in part, decided_parts=3)
    assert len(decided) == 3 and len(patterns) > 3 and "RISK" in found


def test_no_risk_anywhere_means_nothing_is_answered_from_it():
    assert part_to_answer("calm words. " * 1_000, 2_000, lambda part: False, lambda part: False, 10) is None


def test_the_shipped_limit_and_its_reply():
    assert max_message_chars() == 2_000
    reply = too_long_reply(2_000)
    assert "2,000" in reply and "988" in reply and "911" in reply


def test_parts_of_words_are_cut_between_words():
    text = "tell me about your clinic " * 400
    pieces = list(parts(text, 1_000))
    assert len(pieces) > 3
    assert all(piece.split()[0] in ("tell", "me", "about", "your", "clinic") for piece in pieces)
    assert all(piece.split()[-1] in ("tell", "me", "about", "your", "clinic") for piece in pieces)
