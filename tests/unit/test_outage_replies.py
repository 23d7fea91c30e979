"""What a person is told when a message is not read or a part is down: the same facts in English
and in Spanish, each with where help is (988 in Spanish: call and press 2, or text AYUDA)."""
from __future__ import annotations

import pytest

from intake.message_limits import too_long_reply
from intake.outage_replies import WORDS, reply, step_failed_reply
from intake.rate_limits import slow_down_reply
from intake.settings import settings


@pytest.mark.parametrize("kind", sorted(WORDS))
def test_every_reply_is_written_in_both_languages_with_help_now(kind):
    english = reply(kind, "en", phone="+1 310-555-0142", max_chars=2000)
    spanish = reply(kind, "es", phone="+1 310-555-0142", max_chars=2000)
    assert english != spanish
    assert "988" in english and "911" in english
    assert "988 y marque 2" in spanish and "AYUDA al 988" in spanish and "911" in spanish


def test_a_language_without_words_gets_english():
    assert reply("slow_down", "fr") == reply("slow_down", "en")


def test_the_replies_the_channels_give_follow_the_language():
    assert "más rápido de lo que puedo leerlos" in slow_down_reply("es")
    assert "faster than I can read them" in slow_down_reply()
    assert "más de 2,000 caracteres" in too_long_reply(2000, "es")
    clinic = settings().clinic
    assert clinic.front_desk_phone in step_failed_reply(clinic, "es") and "recepción" in step_failed_reply(clinic, "es")
