"""Adapters for the safety layer: record crisis alerts, run the ASQ form, act on its triage."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from intake.handoff.hours import urgent_flag_reply
from intake.safety.alerts import (POSITIVE_ANSWER, record_asq_result, record_crisis_alert,
                                  record_positive_answer_alert)
from intake.safety.asq import (ACUITY_ITEM, ITEMS, REFUSED, AsqTriage, asq_triage, is_positive_answer,
                               needs_acuity_question, question as asq_question)
from actions.handoff import trigger_handoff
from actions.language import conversation_language, translated
from actions.screening import ASQ_POSITIVE_SLOT, ASQ_SLOTS, store_unfinished_screenings
from intake.screening.answers import Answer, parse_yes_no

ANSWER_VALUES = {Answer.YES: "yes", Answer.NO: "no", Answer.SKIP: REFUSED, Answer.UNSURE: "yes"}
logger = logging.getLogger(__name__)
# The ASQ's answer buttons (titles: responses/phrases.yml), the same payloads as the screening's.
ASQ_ANSWER_BUTTONS = [{"title": "yes", "payload": "yes"}, {"title": "no", "payload": "no"},
                      {"title": "rather_not_say", "payload": "skip"}]
# The kind of crisis the conversation is in (domain.yml): which "not safe" reply fits.
CRISIS_KIND_SLOT = "crisis_kind"
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
        events = store_unfinished_screenings(tracker)
        if not intent.startswith("crisis_"):  # a "yes" to the check-in: thoughts of suicide or self-harm
            events.append(SlotSet(CRISIS_KIND_SLOT, "suicide"))
        return events


class ActionRecordNotSafe(Action):
    """The person said they are not safe: an urgent alert, and they are told about it (out of
    desk hours, that nobody may see it until the desk opens, and to call 988 or 911 now)."""

    category = "not_safe"

    def name(self) -> Text:
        return "action_record_not_safe"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        record_crisis_alert(tracker.sender_id, self.category, source="crisis_not_safe", channel=_channel(tracker))
        trigger_handoff(tracker, "crisis")  # never raises: a queue failure is logged
        dispatcher.utter_message(text=urgent_flag_reply(datetime.now(timezone.utc),
                                                        language=conversation_language(tracker)))
        return []


class ActionRecordSafetyUnconfirmed(ActionRecordNotSafe):
    """Asked twice whether they are safe, the person gave no answer we could read: treated as not
    confirmed safe (an urgent alert), never dropped back to the menu."""

    category = "safety_unconfirmed"

    def name(self) -> Text:
        return "action_record_safety_unconfirmed"


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
            dispatcher.utter_message(response="utter_asq_answer_unclear")
            return None
        if answer is Answer.UNSURE:
            dispatcher.utter_message(response="utter_asq_unsure_noted")
        return ANSWER_VALUES[answer]


def _answer_validator(slot: Text):
    """A `validate_<slot>` method for one ASQ item (rasa_sdk looks them up by name)."""

    async def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[Text, Any]:
        answer = self._validate_answer(value, dispatcher)
        if slot in ITEMS and is_positive_answer(answer) and not _screen_already_positive(tracker, slot):
            raise_positive_screen(tracker)
            return {slot: answer, ASQ_POSITIVE_SLOT: True, CRISIS_KIND_SLOT: "suicide"}
        return {slot: answer}

    return validate


def _screen_already_positive(tracker: Tracker, answering: Text) -> bool:
    """Whether another item of this screen was already answered yes or refused (its alert was
    raised then). Read from the answers, not from `asq_positive`, which an earlier screen that
    ended early leaves set: every screen raises its own alert."""
    return any(is_positive_answer(tracker.get_slot(item)) for item in ITEMS if item != answering)


def raise_positive_screen(tracker: Tracker) -> None:
    """The first yes or refusal to items 1-4 makes the screen positive (NIMH ASQ): the urgent
    alert and the front-desk item are raised now, not when the last question is answered, so
    they stand however the conversation ends. Never raises: a store failure is logged."""
    try:
        record_positive_answer_alert(tracker.sender_id, channel=_channel(tracker))
    except Exception:
        logger.exception("the alert for a positive ASQ answer could not be stored")
    trigger_handoff(tracker, POSITIVE_ANSWER)


for _slot in ASQ_SLOTS:
    setattr(ValidateAsqForm, f"validate_{_slot}", _answer_validator(_slot))


class AskAsqItem(Action):
    """Asks one ASQ item with its exact wording (from intake.safety.asq) and answer buttons.

    The SMS channel turns the buttons into numbered options."""

    slot: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = conversation_language(tracker)
        dispatcher.utter_message(text=asq_question(self.slot, language),
                                 buttons=translated(ASQ_ANSWER_BUTTONS, language))
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
        events = [SlotSet("asq_result", triage.value), SlotSet(ASQ_POSITIVE_SLOT, None)]
        if triage is AsqTriage.ACUTE_POSITIVE:
            events.append(SlotSet(CRISIS_KIND_SLOT, "suicide"))
        return events
