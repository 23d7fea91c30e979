"""Adapters for the intake screening: the PC-PTSD-5 form, the ketamine pre-screen form, their
results, and leaving a screening part-way. The instruments themselves live in intake.screening."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.language import conversation_language, translated
from intake.safety import asq
from intake.safety.alerts import record_asq_result
from intake.screening import pcptsd5, prescreen
from intake.screening.answers import Answer, parse_yes_no
from intake.screening.records import is_priority, record_screening

PRESCREEN = prescreen.load_prescreen()
ASQ_SLOTS = [*asq.ITEMS, asq.ACUITY_ITEM]
# Set at the first yes or refusal to an ASQ item 1-4: from then on, every way out of the ASQ
# (stop, STOP by SMS, a crisis) ends it as a positive screen (rules in data/rules.yml). Cleared
# only by a finished ASQ or a new symptom check: the stop rule's later steps are matched with it.
ASQ_POSITIVE_SLOT = "asq_positive"
# The pre-screen's age question, asked first in the symptom check (age_form), and its result.
AGE_SLOT, AGE_RESULT_SLOT = "ps_adult", "age_result"
# Titles are keys of responses/phrases.yml (translated per conversation).
YES_NO_SKIP_BUTTONS = [
    {"title": "yes", "payload": "yes"},
    {"title": "no", "payload": "no"},
    {"title": "rather_not_say", "payload": "skip"},
]
YES_NO_VALUES = {Answer.YES: "yes", Answer.NO: "no", Answer.SKIP: "skipped"}
CLARIFYING_SLOT = "clarifying"
RESULT_SLOTS = {"pcptsd_result": None, "prescreen_result": None}
FORM_OF_INSTRUMENT = {pcptsd5.INSTRUMENT: "pcptsd_form", asq.INSTRUMENT: "asq_form", PRESCREEN.instrument: "prescreen_form"}


def _channel(tracker: Tracker) -> Optional[str]:
    return tracker.get_latest_input_channel()


def _answers(tracker: Tracker, slots: List[Text]) -> Dict[Text, Optional[str]]:
    return {slot: tracker.get_slot(slot) for slot in slots}


def _yes_no_with_one_clarification(
    slot: Text, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> Dict[Text, Any]:
    """"sometimes"/"maybe" gets one clarifying question; unsure a second time is noted as yes.

    An empty value is a slot being cleared (a new symptom check), not an answer: no re-ask."""
    if value is None:
        return {slot: None}
    answer = parse_yes_no(str(value))
    if answer is Answer.UNSURE and tracker.get_slot(CLARIFYING_SLOT) != slot:
        return {slot: None, CLARIFYING_SLOT: slot}
    if answer is Answer.UNSURE:
        dispatcher.utter_message(response="utter_screening_unsure_noted")
        return {slot: "yes", CLARIFYING_SLOT: None}
    if answer is Answer.UNCLEAR:
        dispatcher.utter_message(response="utter_screening_not_understood")
        return {slot: None}
    return {slot: YES_NO_VALUES[answer], CLARIFYING_SLOT: None}


class ValidatePcptsdForm(FormValidationAction):
    """Lead-in first; the five items only after a "yes" (or a skip) to the lead-in. In Spanish,
    first whether to answer the English questions (no Spanish version could be confirmed)."""

    def name(self) -> Text:
        return "validate_pcptsd_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return pcptsd5.slots_to_ask(_answers(tracker, pcptsd5.FORM_SLOTS), conversation_language(tracker))

    async def validate_pc_in_english(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        """Yes answers the English questions; no, a skip or "not sure" leaves them out."""
        if value is None:
            return {pcptsd5.IN_ENGLISH_CHOICE: None}
        answer = parse_yes_no(str(value))
        if answer is Answer.UNCLEAR:
            dispatcher.utter_message(response="utter_screening_not_understood")
            return {pcptsd5.IN_ENGLISH_CHOICE: None}
        return {pcptsd5.IN_ENGLISH_CHOICE: "yes" if answer is Answer.YES else "no"}


class ValidatePrescreenForm(FormValidationAction):
    """Age first; under 18 ends the form (the result action explains); the rest in order."""

    def name(self) -> Text:
        return "validate_prescreen_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return prescreen.slots_to_ask(_answers(tracker, PRESCREEN.slots), PRESCREEN)


def _pcptsd_validator(slot: Text) -> Callable:
    async def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[Text, Any]:
        return _yes_no_with_one_clarification(slot, value, dispatcher, tracker)

    return validate


def _prescreen_validator(question: prescreen.PrescreenQuestion) -> Callable:
    async def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {question.slot: None}
        if question.kind == "yes_no":
            return _yes_no_with_one_clarification(question.slot, value, dispatcher, tracker)
        if question.kind == "adult":
            parsed = prescreen.parse_age_answer(str(value or ""))
            if parsed is None:
                dispatcher.utter_message(response="utter_age_not_understood")
            return {question.slot: parsed}
        return {question.slot: prescreen.parse_free_text_answer(str(value or ""))}

    return validate


for _slot in pcptsd5.SLOTS:
    setattr(ValidatePcptsdForm, f"validate_{_slot}", _pcptsd_validator(_slot))
for _question in PRESCREEN.questions.values():
    setattr(ValidatePrescreenForm, f"validate_{_question.slot}", _prescreen_validator(_question))


class AskScreeningItem(Action):
    """Asks one question with its exact wording, or the clarifying question after an unsure answer."""

    slot: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    def question(self, language: Text) -> tuple:
        """The PC-PTSD-5 in its published English; the pre-screen (the clinic's own) in `language`."""
        if self.slot in pcptsd5.SLOTS:
            return pcptsd5.question(self.slot), YES_NO_SKIP_BUTTONS
        item = PRESCREEN.questions[self.slot]
        return item.text_in(language), (YES_NO_SKIP_BUTTONS if item.kind in ("yes_no", "adult") else [])

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = conversation_language(tracker)
        text, buttons = self.question(language)
        # English questions get English buttons, so the answer words match the question's.
        buttons = translated(buttons, "en" if self.slot in pcptsd5.SLOTS else language)
        if tracker.get_slot(CLARIFYING_SLOT) == self.slot:
            clarification = "symptom" if self.slot in pcptsd5.SLOTS else "health"
            dispatcher.utter_message(response=f"utter_screening_clarify_{clarification}", buttons=buttons)
            return []
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


for _slot in [*pcptsd5.SLOTS, *PRESCREEN.slots]:
    type(f"Ask_{_slot}", (AskScreeningItem,), {"slot": _slot, "__doc__": f"Asks {_slot}."})


def _clear(slots: List[Text]) -> List[EventType]:
    return [SlotSet(slot, None) for slot in slots]


class ActionStartSymptomCheck(Action):
    """Starts the intake afresh (earlier answers in this conversation are cleared first), with the
    age: a minor should hear that the clinic sees adults before any trauma or suicide question."""

    def name(self) -> Text:
        return "action_start_symptom_check"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_age_first")
        slots = [*pcptsd5.FORM_SLOTS, *ASQ_SLOTS, *PRESCREEN.slots, CLARIFYING_SLOT, *RESULT_SLOTS, "asq_result",
                 ASQ_POSITIVE_SLOT, AGE_RESULT_SLOT]
        return _clear([slot for slot in slots if tracker.get_slot(slot) is not None])


class ValidateAgeForm(FormValidationAction):
    """The age question of the pre-screen, asked first in the symptom check."""

    def name(self) -> Text:
        return "validate_age_form"


ValidateAgeForm.validate_ps_adult = _prescreen_validator(PRESCREEN.questions[AGE_SLOT])


class ActionAgeResult(Action):
    """Adult, or an age left unsaid (a clinician confirms it), goes on to the symptom questions;
    under 18 is stored with the pre-screen's flag and ends the intake (rules, domain.yml)."""

    def name(self) -> Text:
        return "action_age_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = {AGE_SLOT: tracker.get_slot(AGE_SLOT)}
        if not prescreen.is_minor(answers):
            return [SlotSet(AGE_RESULT_SLOT, "adult")]
        record_screening(tracker.sender_id, PRESCREEN.instrument, PRESCREEN.version, answers,
                         flags=prescreen.prescreen_flags(answers, PRESCREEN), completed=False, channel=_channel(tracker))
        return [SlotSet(AGE_RESULT_SLOT, "minor"), SlotSet("prescreen_result", "under_18")]


class ActionPcptsdResult(Action):
    """Scores the PC-PTSD-5, stores it, and tells the person the result without diagnosing."""

    def name(self) -> Text:
        return "action_pcptsd_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = _answers(tracker, pcptsd5.FORM_SLOTS)
        triage = pcptsd5.pcptsd5_triage(answers)
        asked = triage is not pcptsd5.PcPtsd5Triage.NOT_ASKED
        record_screening(tracker.sender_id, pcptsd5.INSTRUMENT, pcptsd5.VERSION, answers,
                         score=pcptsd5.pcptsd5_score(answers) if asked else None, triage=triage.value,
                         completed=asked, channel=_channel(tracker))
        dispatcher.utter_message(text=pcptsd5.result_message(triage, conversation_language(tracker)))
        return [SlotSet("pcptsd_result", triage.value)]


class ActionPrescreenResult(Action):
    """Stores the pre-screen with its flags; under 18 gets a kind answer, everyone else a summary."""

    def name(self) -> Text:
        return "action_prescreen_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = _answers(tracker, PRESCREEN.slots)
        flags = prescreen.prescreen_flags(answers, PRESCREEN)
        record_screening(tracker.sender_id, PRESCREEN.instrument, PRESCREEN.version, answers,
                         flags=flags, channel=_channel(tracker))
        if prescreen.is_minor(answers):
            dispatcher.utter_message(response="utter_under_18")
            return [SlotSet("prescreen_result", "under_18")]
        priority = is_priority({pcptsd5.INSTRUMENT: tracker.get_slot("pcptsd_result"),
                                asq.INSTRUMENT: tracker.get_slot("asq_result")})
        dispatcher.utter_message(response="utter_screening_summary_priority" if priority
                                 else "utter_screening_summary")
        return [SlotSet("prescreen_result", "done"), SlotSet("screening_priority", priority)]


def store_unfinished_screenings(tracker: Tracker) -> List[EventType]:
    """Stores every instrument that was started and not finished as a partial screening, then
    clears its answers so it is never stored twice. Used when the person stops or is in crisis.
    An ASQ with a yes or a refusal is stored as a positive screen, acute while its acuity question
    is unanswered (its urgent alert was raised at that first positive answer)."""
    unfinished = [
        (pcptsd5.INSTRUMENT, pcptsd5.VERSION, pcptsd5.FORM_SLOTS, "pcptsd_result"),
        (asq.INSTRUMENT, asq.VERSION, ASQ_SLOTS, "asq_result"),
        (PRESCREEN.instrument, PRESCREEN.version, PRESCREEN.slots, "prescreen_result"),
    ]
    active = tracker.active_loop_name
    events: List[EventType] = []
    for instrument, version, slots, result_slot in unfinished:
        answers = {k: v for k, v in _answers(tracker, slots).items() if v}
        # the age alone (asked first in the symptom check) does not start the pre-screen
        started = set(answers) - {AGE_SLOT} or active == FORM_OF_INSTRUMENT[instrument]
        if not started or tracker.get_slot(result_slot):
            continue
        if instrument == asq.INSTRUMENT and asq.screen_is_positive(answers):
            record_asq_result(tracker.sender_id, answers, asq.triage_when_unfinished(answers), completed=False,
                              channel=_channel(tracker), alert=False)
        else:
            record_screening(tracker.sender_id, instrument, version, answers, completed=False,
                             channel=_channel(tracker))
        events += _clear(slots)
    return events


class ActionScreeningStopped(Action):
    """The person asked to stop: keep what was answered (marked unfinished) and leave the form."""

    def name(self) -> Text:
        return "action_screening_stopped"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = store_unfinished_screenings(tracker)
        return [*events, SlotSet(CLARIFYING_SLOT, None), SlotSet("requested_slot", None), ActiveLoop(None)]
