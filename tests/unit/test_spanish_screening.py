"""The symptom check for a Spanish speaker: the PC-PTSD-5 (no Spanish version could be confirmed)
is offered in English or left out, never translated by us; the age question and the pre-screen
(the clinic's own questions) are asked and understood in Spanish."""
from __future__ import annotations

import pytest

from intake.screening import pcptsd5, prescreen

CHOICE = pcptsd5.IN_ENGLISH_CHOICE


def test_a_spanish_conversation_is_first_asked_whether_to_answer_in_english():
    assert pcptsd5.slots_to_ask({}, "es") == [CHOICE, *pcptsd5.SLOTS]
    assert pcptsd5.slots_to_ask({}, "en") == pcptsd5.SLOTS


def test_declining_the_english_questions_asks_nothing_more_and_scores_nothing():
    answers = {CHOICE: "no"}
    assert pcptsd5.slots_to_ask(answers, "es") == [CHOICE]
    assert pcptsd5.is_complete(answers, "es")
    assert pcptsd5.pcptsd5_triage(answers) is pcptsd5.PcPtsd5Triage.NOT_ASKED


def test_answering_in_english_asks_the_published_questions_and_scores_them():
    answers = {CHOICE: "yes", pcptsd5.TRAUMA_ITEM: "yes", **{item: "yes" for item in pcptsd5.ITEMS}}
    assert pcptsd5.slots_to_ask(answers, "es") == [CHOICE, *pcptsd5.SLOTS]
    assert pcptsd5.pcptsd5_triage(answers) is pcptsd5.PcPtsd5Triage.POSITIVE
    # switching to English after the choice keeps the choice answered, so it is not asked again
    assert pcptsd5.slots_to_ask(answers, "en")[0] == CHOICE and pcptsd5.is_complete(answers, "en")
    no_trauma = {CHOICE: "yes", pcptsd5.TRAUMA_ITEM: "no"}
    assert pcptsd5.slots_to_ask(no_trauma, "es") == [CHOICE, pcptsd5.TRAUMA_ITEM]


@pytest.mark.parametrize("triage", list(pcptsd5.PcPtsd5Triage))
def test_spanish_results_never_diagnose(triage):
    message = pcptsd5.result_message(triage, "es").lower()
    assert message != pcptsd5.result_message(triage, "en").lower()
    assert "usted tiene" not in message and "tept" not in message
    if triage is pcptsd5.PcPtsd5Triage.POSITIVE:
        assert "no es un diagnóstico" in message


def test_every_pre_screen_question_is_written_in_spanish():
    for question in prescreen.load_prescreen().questions.values():
        assert question.text_in("es") != question.text, question.slot
        assert question.text_in("es").startswith("¿") and question.text_in("en") == question.text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sí", "yes"), ("si", "yes"), ("tengo 34 años", "yes"), ("Tengo treinta y cuatro", "yes"),
        ("veintidós", "yes"), ("soy mayor de edad", "yes"), ("más de 18", "yes"), ("no", "no"),
        ("tengo 17", "no"), ("diecisiete años", "no"), ("soy menor de edad", "no"), ("once años", "no"),
        ("todavía no", "no"), ("prefiero no decirlo", "skipped"),
    ],
)
def test_ages_in_spanish(text, expected):
    assert prescreen.parse_age_answer(text) == expected


@pytest.mark.parametrize("text, expected", [("no soy mayor de edad", "no"), ("aún no soy mayor de edad", "no"),
                                            ("no soy menor de edad", "yes")])
def test_a_negated_age_word_is_read_as_meant(text, expected):
    assert prescreen.parse_age_answer(text) == expected


def test_a_medicine_named_beside_nothing_is_kept_for_the_clinician():
    assert prescreen.parse_free_text_answer("no tomo nada, solo xanax") == "no tomo nada, solo xanax"


def test_a_conversation_that_turns_spanish_mid_questions_keeps_its_answers():
    started = {pcptsd5.TRAUMA_ITEM: "yes", "pc_nightmares": "yes"}
    assert pcptsd5.slots_to_ask(started, "es") == pcptsd5.SLOTS  # the choice is not asked now
    assert not pcptsd5.declined_in_english({**started, CHOICE: "no"})


def test_once_in_english_is_not_an_age():
    assert prescreen.parse_age_answer("yes once") == "yes"


@pytest.mark.parametrize("text", ["ninguno", "Ninguna", "nada", "no tomo nada", "ningún medicamento"])
def test_no_medication_in_spanish(text):
    assert prescreen.parse_free_text_answer(text) == prescreen.NONE


@pytest.mark.parametrize(
    "text, group",
    [("tomo pastillas para dormir", "sedative"), ("una benzodiacepina", "benzodiazepine"),
     ("somníferos a veces", "sedative"), ("Xanax y sertralina", "benzodiazepine")],
)
def test_spanish_medication_words_raise_the_flag(text, group):
    assert group in prescreen.medication_groups(text)
