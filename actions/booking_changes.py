"""Adapters for changing or cancelling a booking later: found by reference code and phone
number, then a yes to cancel it, or a new time and a yes to move it (intake.booking.store)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking import (DETAIL_SLOTS, HELPER_SLOTS, LOOKUP_SLOTS, clear_slots, confirmation_value,
                             current_booking_slot, found_booking, slot_answer, slot_priority, typed_answer,
                             zone_label)
from actions.language import conversation_language, translated
from intake.booking import contact, store
from intake.booking.messages import booked_message, slot_label, unavailable_sentence
from intake.booking.references import normalize_reference
from intake.booking.replies import confirmation_answer
from intake.settings import settings

MAX_LOOKUP_FAILURES = 2


class ActionStartManageBooking(Action):
    """Cancelling or moving a booking starts with the reference code and the phone number."""

    def name(self) -> Text:
        return "action_start_manage_booking"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        manage = "cancel" if intent == "cancel_booking" else "reschedule"  # also "change the time"
        dispatcher.utter_message(response=f"utter_booking_manage_intro_{manage}")
        return [*clear_slots(DETAIL_SLOTS + LOOKUP_SLOTS + HELPER_SLOTS, tracker), SlotSet("booking_manage", manage)]


class ValidateManageBookingForm(FormValidationAction):
    """Code and phone must match an active booking; then a yes to cancel, or a new time to move it."""

    def name(self) -> Text:
        return "validate_manage_booking_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        if tracker.get_slot("booking_manage") == "not_found":
            return []
        if tracker.get_slot("booking_manage") == "reschedule":
            return ["booking_lookup_reference", "booking_lookup_phone", "booking_slot", "booking_manage_confirmed"]
        return ["booking_lookup_reference", "booking_lookup_phone", "booking_manage_confirmed"]

    async def validate_booking_lookup_reference(self, value: Any, dispatcher: CollectingDispatcher,
                                                tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        code = normalize_reference(str(value or ""))
        if code is None:
            dispatcher.utter_message(response="utter_booking_reference_invalid")
        return {"booking_lookup_reference": code}

    async def validate_booking_lookup_phone(self, value: Any, dispatcher: CollectingDispatcher,
                                            tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        checked = contact.normalize_phone(str(value or ""))
        if not checked.ok:
            dispatcher.utter_message(response="utter_booking_lookup_phone_invalid")
            return {"booking_lookup_phone": None}
        reference = tracker.get_slot("booking_lookup_reference")
        if store.find_booking(reference, checked.value, settings().schedule) is not None:
            return {"booking_lookup_phone": checked.value}
        failures = int(tracker.get_slot("booking_lookup_failures") or 0) + 1
        if failures >= MAX_LOOKUP_FAILURES:
            clinic = settings().clinic
            dispatcher.utter_message(response="utter_booking_not_found_again", front_desk_phone=clinic.front_desk_phone)
            return {"booking_lookup_reference": None, "booking_lookup_phone": None, "booking_lookup_failures": 0,
                    "booking_manage": "not_found"}
        dispatcher.utter_message(response="utter_booking_not_found")
        return {"booking_lookup_reference": None, "booking_lookup_phone": None, "booking_lookup_failures": failures}

    async def validate_booking_slot(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return slot_answer(value, dispatcher, tracker, slot_priority(tracker))

    async def validate_booking_manage_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                                tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value == "cancel_it":  # "cancel it" while cancelling is a yes; while moving, keep it
            return {"booking_manage_confirmed": "yes" if tracker.get_slot("booking_manage") == "cancel" else "no"}
        # The typed words decide, not the intent: a "hmm" read as "yes" must not cancel a booking.
        said = typed_answer(value, tracker)
        if confirmation_answer(said) is False:
            return {"booking_manage_confirmed": "no"}
        return confirmation_value(said, dispatcher, "booking_manage_confirmed", "utter_booking_yes_or_no")


class ActionAskBookingManageConfirmed(Action):
    """"Cancel your consultation on ...?" or "Move it from ... to ...?"."""

    def name(self) -> Text:
        return "action_ask_booking_manage_confirmed"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        booking = found_booking(tracker)
        if booking is None:
            return []
        language = conversation_language(tracker)
        buttons = translated([{"title": "yes", "payload": "/affirm"}, {"title": "no_keep_it", "payload": "/deny"}],
                             language)
        if tracker.get_slot("booking_manage") == "reschedule":
            dispatcher.utter_message(response="utter_booking_move_question", reference=booking.reference,
                                     old=slot_label(booking.slot_start, language),
                                     new=slot_label(current_booking_slot(tracker), language), buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_booking_cancel_question", reference=booking.reference,
                                     old=slot_label(booking.slot_start, language), buttons=buttons)
        return []


class ActionManageBooking(Action):
    """Cancels or moves the booking found by code and phone, after the person said yes."""

    def name(self) -> Text:
        return "action_manage_booking"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        schedule = settings().schedule
        manage = tracker.get_slot("booking_manage")
        reference, phone = tracker.get_slot("booking_lookup_reference"), tracker.get_slot("booking_lookup_phone")
        cleanup = [*clear_slots(DETAIL_SLOTS + LOOKUP_SLOTS + HELPER_SLOTS, tracker), SlotSet("booking_manage", None)]
        if manage == "not_found":
            return cleanup
        if tracker.get_slot("booking_manage_confirmed") != "yes":
            dispatcher.utter_message(response="utter_booking_unchanged")
            return cleanup
        language = conversation_language(tracker)
        if manage == "cancel":
            cancelled = store.cancel_booking(reference, phone, schedule)
            if cancelled:
                dispatcher.utter_message(response="utter_booking_cancelled", reference=cancelled.reference,
                                         old=slot_label(cancelled.slot_start, language))
            else:
                dispatcher.utter_message(response="utter_booking_already_cancelled")
            return cleanup
        outcome = store.reschedule_booking(reference, phone, current_booking_slot(tracker), schedule)
        if outcome.booking is None:
            dispatcher.utter_message(response="utter_booking_choose_another",
                                     unavailable=unavailable_sentence(outcome.reason, language))
            return [SlotSet("booking_slot", None), SlotSet("booking_manage_confirmed", None),
                    SlotSet("booking_offered", [s.isoformat() for s in outcome.alternatives]),
                    FollowupAction("manage_booking_form")]
        config = settings()
        heading = "Su consulta se cambió." if language == "es" else "Your consultation has been moved."
        dispatcher.utter_message(text=booked_message(outcome.booking, config.clinic, config.telehealth_note_in(language),
                                                     zone_label(language), heading=heading, language=language))
        return cleanup
