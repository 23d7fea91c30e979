"""The conversation's language (intake.language): a Spanish first message sets Spanish, a word
like "ok" or "sí" or a mixed message never flips a language already set, a name always does."""
from __future__ import annotations

import pytest

from intake.language import ENGLISH, SPANISH, configured, explicit_choice, language_after, language_of_message

SETTINGS = configured()


@pytest.mark.parametrize("text", ["hola", "ya no quiero vivir", "quiero hacer una cita",
                                  "¿La ketamina sirve para el trastorno de estrés postraumático?",
                                  "me kiero morir", "no aguanto mas, ayudenme", "buenas tardes"])
def test_a_spanish_first_message_sets_spanish(text):
    assert language_after(text, None, SETTINGS) == SPANISH


@pytest.mark.parametrize("text", ["I want to book a consultation", "i want to kill myself",
                                  "what are the side effects of ketamine"])
def test_an_english_first_message_sets_english(text):
    assert language_after(text, None, SETTINGS) == ENGLISH


@pytest.mark.parametrize("text", ["hello", "Hello!", "hello?", "menu", "hey", "help", "thanks", "hi there",
                                  "good morning", "ketamine", "appointment", "insurance"])
def test_an_english_first_word_is_never_taken_for_spanish(text):
    assert language_after(text, None, SETTINGS) in (None, ENGLISH)


@pytest.mark.parametrize("text", ["ok", "no", "hi", "1", "👍", ""])
def test_a_very_short_first_message_sets_nothing(text):
    assert language_after(text, None, SETTINGS) is None


@pytest.mark.parametrize("current, text", [
    (ENGLISH, "sí"), (ENGLISH, "ok"), (ENGLISH, "gracias"), (SPANISH, "ok"), (SPANISH, "yes"),
    (SPANISH, "no"), (ENGLISH, "tengo un anxiety horrible today, no sé qué me pasa"),
    (SPANISH, "ketamine PTSD"),
])
def test_a_short_or_mixed_message_never_flips_the_language(current, text):
    assert language_after(text, current, SETTINGS) is None


@pytest.mark.parametrize("current, text, after", [
    (ENGLISH, "me quiero morir ya no puedo más", SPANISH),
    (SPANISH, "I want to book a consultation please", ENGLISH),
])
def test_a_whole_message_in_the_other_language_switches(current, text, after):
    assert language_after(text, current, SETTINGS) == after


@pytest.mark.parametrize("text, language", [("Español", SPANISH), ("espanol", SPANISH), ("en español por favor", SPANISH),
                                            ("ENGLISH", ENGLISH), ("English please", ENGLISH), ("inglés", ENGLISH)])
def test_a_language_asked_for_by_name_is_chosen(text, language):
    assert explicit_choice(text) == language
    other = ENGLISH if language == SPANISH else SPANISH
    assert language_after(text, other, SETTINGS) == language
    assert language_after(text, language, SETTINGS) is None  # already so: nothing to set


def test_a_message_alone_is_answered_in_its_own_language():
    assert language_of_message("ya no quiero vivir") == SPANISH
    assert language_of_message("I want to die") == ENGLISH
    assert language_of_message("ok") == ENGLISH


def test_every_training_example_of_the_language_choice_names_its_language():
    """A message the classifier reads as choose_language is confirmed in the language it asks for."""
    import yaml
    from pathlib import Path

    blocks = yaml.safe_load((Path(__file__).parents[2] / "data" / "spanish" / "nlu.yml").read_text(encoding="utf-8"))["nlu"]
    examples = [line[2:].strip() for block in blocks if block.get("intent") == "choose_language"
                for line in block["examples"].splitlines() if line.strip().startswith("- ")]
    assert examples and all(explicit_choice(text) in (ENGLISH, SPANISH) for text in examples), \
        [text for text in examples if explicit_choice(text) is None]
