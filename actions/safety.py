"""Adapters for the safety layer: record crisis alerts, run the ASQ form, act on its triage."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from intake.safety.alerts import record_asq_result, record_crisis_alert
from intake.safety.asq import (ACUITY_ITEM, ACUITY_QUESTION, ITEMS, REFUSED, AsqTriage, asq_triage,
                               needs_acuity_question)
from actions.handoff import trigger_handoff
from actions.screening import ASQ_SLOTS, YES_NO_SKIP_BUTTONS, store_unfinished_screenings
from intake.screening.answers import Answer, parse_yes_no

ASQ_QUESTIONS = {**ITEMS, ACUITY_ITEM: ACUITY_QUESTION}
ANSWER_VALUES = {Answer.YES: "yes", Answer.NO: "no", Answer.SKIP: REFUSED, Answer.UNSURE: "yes"}
# A positive safety screen goes to the front-desk queue (priorities in config/clinic.yml, handoff).
HANDOFF_REASONS = {AsqTriage.ACUTE_POSITIVE: "asq_acute", AsqTriage.NON_ACUTE_POSITIVE: "asq_non_acute"}


def _channel(tracker: Tracker) -> Optional[str]:
    return tracker.get_latest_input_channel()


class ActionRecordCrisis(Action):
    """Stores an urgent alert for the crisis message that was just answered, and puts the
    conversation at the top of the front-desk queue (also while a staff member holds it).

    The crisis reply itself was already sent by the rule (a response in domain.yml)."""

    def name(self) -> Text:
        return "action_record_crisis"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        risk = tracker.latest_message.get("risk") or {}
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        category = risk.get("category") or intent.replace("crisis_", "") or "unknown"
        record_crisis_alert(tracker.sender_id, category, risk.get("handling"), channel=_channel(tracker))
        trigger_handoff(tracker, "crisis")  # never raises: a queue failure is logged
        return store_unfinished_screenings(tracker)


class ActionRecordNotSafe(Action):
    """The person said they are not safe: an urgent alert, and they are told about it."""

    def name(self) -> Text:
        return "action_record_not_safe"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        record_crisis_alert(tracker.sender_id, "not_safe", source="crisis_not_safe", channel=_channel(tracker))
        trigger_handoff(tracker, "crisis")  # never raises: a queue failure is logged
        dispatcher.utter_message(text="I've also flagged this as urgent for our clinic team.")
        return []


class ValidateAsqForm(FormValidationAction):
    """Turns free-text answers into yes / no / refused; adds the acuity question when positive."""

    def name(self) -> Text:
        return "validate_asq_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        answers = {slot: tracker.get_slot(slot) for slot in ASQ_SLOTS}
        if needs_acuity_question(answers):
            return list(domain_slots)
        return [slot for slot in domain_slots if slot != ACUITY_ITEM]

    def _validate_answer(self, value: Any, dispatcher: CollectingDispatcher) -> Optional[str]:
        if value is None:  # a slot being cleared, not an answer
            return None
        answer = parse_yes_no(str(value))
        if answer is Answer.UNCLEAR:
            dispatcher.utter_message(text="Sorry, I didn't catch that. Please answer yes or no, or say skip.")
            return None
        if answer is Answer.UNSURE:
            dispatcher.utter_message(text="Thank you. I'll note that as a yes, so a clinician can follow up with you.")
        return ANSWER_VALUES[answer]


def _answer_validator(slot: Text):
    """A `validate_<slot>` method for one ASQ item (rasa_sdk looks them up by name)."""

    async def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[Text, Any]:
        return {slot: self._validate_answer(value, dispatcher)}

    return validate


for _slot in ASQ_SLOTS:
    setattr(ValidateAsqForm, f"validate_{_slot}", _answer_validator(_slot))


class AskAsqItem(Action):
    """Asks one ASQ item with its exact wording (from intake.safety.asq) and answer buttons.

    The SMS channel turns the buttons into numbered options."""

    slot: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(text=ASQ_QUESTIONS[self.slot], buttons=YES_NO_SKIP_BUTTONS)
        return []


# One ask action per ASQ item, registered with the action server like any Action subclass.
for _slot in ASQ_SLOTS:
    type(f"AskAsq_{_slot}", (AskAsqItem,), {"slot": _slot, "__doc__": f"Asks {_slot}."})


class ActionAsqResult(Action):
    """Scores the finished ASQ, stores it (and an alert when positive), sets `asq_result`."""

    def name(self) -> Text:
        return "action_asq_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = {slot: tracker.get_slot(slot) for slot in ASQ_SLOTS if tracker.get_slot(slot)}
        triage = asq_triage(answers)
        record_asq_result(tracker.sender_id, answers, triage, channel=_channel(tracker))
        if triage in HANDOFF_REASONS:
            trigger_handoff(tracker, HANDOFF_REASONS[triage])  # never raises: a queue failure is logged
        return [SlotSet("asq_result", triage.value)]
