"""SMS pure logic: carrier keywords, the hashed conversation id, segments, numbered options."""
from __future__ import annotations

import pytest

from intake.sms.identity import conversation_id_for, normalize_phone
from intake.sms.keywords import Keyword, keyword_of
from intake.sms.options import NumberedOption, options_from_json, payload_for_reply, render_messages
from intake.sms.segments import is_gsm7, sms_length, split_into_segments, to_gsm_friendly


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop. ", "STOP!!", "s t o p", "StopAll", "UNSUBSCRIBE",
                                  "cancel", "End", "quit.", "Unsubscribe!"])
def test_opt_out_words_count_whole_ignoring_case_spaces_and_punctuation(text):
    assert keyword_of(text) is Keyword.OPT_OUT


@pytest.mark.parametrize("text", ["stop asking me", "please stop", "I want to end my life", "cancel my appointment",
                                  "don't quit on me", "", "1", "yes", "🛑"])
def test_other_messages_are_not_keywords(text):
    assert keyword_of(text) is None


@pytest.mark.parametrize("text,keyword", [("START", Keyword.OPT_IN), ("unstop", Keyword.OPT_IN),
                                          ("Help", Keyword.HELP), ("INFO?", Keyword.HELP)])
def test_opt_in_and_help_words(text, keyword):
    assert keyword_of(text) is keyword


def test_the_conversation_id_is_a_keyed_hash_not_the_number():
    phone = normalize_phone("(310) 555-0100")
    assert phone == "+13105550100"
    first = conversation_id_for(phone, b"key-one")
    assert first == conversation_id_for("+13105550100", b"key-one")  # stable: same conversation
    assert first != conversation_id_for(phone, b"key-two")  # keyed: not a plain hash
    assert "3105550100" not in first and first.startswith("sms-") and len(first) == 68


def test_a_sender_that_is_no_phone_number_is_kept_verbatim():
    assert normalize_phone("ClinicAlert") == "ClinicAlert"


def test_typographic_characters_become_gsm7():
    text = to_gsm_friendly("I\u2019m here \u2014 call \u201c988\u201d\u2026 espa\u00f1ol, s\u00ed")
    assert is_gsm7(text) and text == 'I\'m here - call "988"... español, si'
    assert sms_length("{x}") == 5  # GSM-7 extension characters count twice


def test_a_short_reply_is_one_segment():
    assert split_into_segments("Hello. How can I help?") == ["Hello. How can I help?"]


def test_a_long_reply_is_cut_at_sentence_ends_into_single_segments():
    sentences = [f"Sentence {i} says a few plain things about ketamine care here." for i in range(6)]
    segments = split_into_segments(" ".join(sentences))
    assert 1 < len(segments) <= 3
    assert all(sms_length(s) <= 160 and s.endswith(".") for s in segments)
    assert " ".join(segments) == " ".join(sentences)


def test_a_reply_longer_than_three_segments_keeps_every_sentence_in_three_texts():
    sentences = [f"Sentence {i} says a few plain things about ketamine care here." for i in range(14)]
    segments = split_into_segments(" ".join(sentences))
    assert len(segments) == 3
    assert all(s.endswith(".") for s in segments)
    assert " ".join(segments) == " ".join(sentences)
    assert max(map(len, segments)) - min(map(len, segments)) < 70  # balanced


def test_a_non_gsm_reply_uses_the_ucs2_segment_size():
    text = "Привет. " * 12
    segments = split_into_segments(text.strip())
    assert all(len(s) <= 70 for s in segments) and len(segments) <= 3


def test_buttons_become_numbered_options_across_the_turn():
    rendered = render_messages([
        {"text": "Hi, I'm the clinic's automated assistant."},
        {"text": "What would you like to do?", "buttons": [
            {"title": "Check my symptoms", "payload": "/check_symptoms"},
            {"title": "Call the lifeline", "payload": "tel:988"},
            {"title": "Book a consultation", "payload": "/book"}]},
        {"text": "Or is it this?", "buttons": [{"title": "Talk to a person", "payload": "/request_human"}]},
    ])
    assert [(o.number, o.payload) for o in rendered.options] == [(1, "/check_symptoms"), (2, "/book"),
                                                                    (3, "/request_human")]
    assert "Reply with a number:\n1: Check my symptoms\n2: Book a consultation" in rendered.text
    assert "3: Talk to a person" in rendered.text and "Call the lifeline: 988" in rendered.text


@pytest.mark.parametrize("reply,payload", [("1", "/affirm"), (" 2. ", "/deny"), ("#2", "/deny"), ("option 1", "/affirm"),
                                           ("3", None), ("12 angry men", None), ("yes", None)])
def test_a_numeric_reply_maps_back_to_the_payload(reply, payload):
    stored = [NumberedOption(1, "Yes", "/affirm").as_json(), NumberedOption(2, "No", "/deny").as_json()]
    assert payload_for_reply(reply, options_from_json(stored)) == payload


def test_the_options_heading_stays_with_its_first_option_when_split():
    rendered = render_messages([{"text": "A fairly long answer sentence that fills most of one text message. " * 2,
                                 "buttons": [{"title": "Book a consultation", "payload": "/book"}]}])
    segments = split_into_segments(rendered.text)
    assert any(s.startswith("Reply with a number:\n1: Book") or "\nReply with a number:\n1: Book" in s for s in segments)


def test_an_sms_variant_asking_reply_1_for_yes_2_for_no_maps_the_digits():
    rendered = render_messages([{"text": "Please call or text 988 now."},
                                {"text": "Are you safe right now? Reply 1 for yes, 2 for no."}])
    assert payload_for_reply("2", rendered.options) == "/deny"
    assert payload_for_reply("1", rendered.options) == "/affirm"
    assert "Reply with a number" not in rendered.text


def test_a_sentence_longer_than_one_segment_is_kept_whole_in_its_own_text():
    long_sentence = ("Common side effects are feeling detached or dreamlike, higher blood pressure and heart rate, "
                     "nausea, dizziness, sleepiness and changes in perception that usually fade within hours.")
    segments = split_into_segments(f"{long_sentence} Staff watch you. Would you like to book?")
    assert segments == [long_sentence, "Staff watch you. Would you like to book?"]


def test_numbered_options_stay_together_with_their_heading():
    rendered = render_messages([{"text": "In the past month, have you had nightmares about the event(s) or thought "
                                         "about the event(s) when you did not want to?",
                                 "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"},
                                             {"title": "I'd rather not say", "payload": "/skip"}]}])
    segments = split_into_segments(rendered.text)
    assert segments[-1] == "Reply with a number:\n1: Yes\n2: No\n3: I'd rather not say"
