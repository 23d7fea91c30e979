"""Adapters for booking a consultation (the booking form, its questions, the confirmation and
storing the request). The schedule, the parsers, the validators and the store live in
intake.booking; this module reads slots, calls them and says the result. Changing or
cancelling a booking later is in actions/booking_changes.py."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import trigger_handoff
from actions.language import conversation_language, translated
from intake.booking import contact, store
from intake.booking.calendar import calendar_link
from intake.booking.matching import SlotMatch, choose_slot, parse_slot_value
from intake.booking.messages import (booked_message, confirmation_question, slot_label,
                                     unavailable_sentence)
from intake.booking.replies import confirmation_answer, declines_email
from intake.screening.records import is_priority
from intake.settings import settings, zone_name

DETAIL_SLOTS = ["booking_slot", "booking_visit_type", "booking_name", "booking_phone", "booking_email",
                "booking_contact_method", "booking_confirmed"]
CONTACT_SLOTS = ["booking_name", "booking_phone", "booking_email", "booking_contact_method"]
LOOKUP_SLOTS = ["booking_lookup_reference", "booking_lookup_phone", "booking_manage_confirmed"]
HELPER_SLOTS = ["booking_offered", "booking_lookup_failures"]
NO_EMAIL = "none"
WEB_CHANNELS = {"rest", "socketio", "intake_rest"}
CONFIRM_BUTTONS = [  # titles: responses/phrases.yml
    {"title": "confirm_send", "payload": "/affirm"},
    {"title": "change_the_time", "payload": "/change_time"},
    {"title": "cancel", "payload": "/stop"},
]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def zone_label(language: str = "en") -> str:
    return zone_name(settings().clinic.time_zone, language)


def _priority(tracker: Tracker) -> bool:
    """Flagged by the screening: PC-PTSD-5 >= 3 or a positive safety screen."""
    return bool(tracker.get_slot("screening_priority")) or is_priority(
        {"PC-PTSD-5": tracker.get_slot("pcptsd_result"), "ASQ": tracker.get_slot("asq_result")})


def found_booking(tracker: Tracker) -> Optional[store.BookingView]:
    """The active booking matching the code and phone given to change or cancel it, if any."""
    reference, phone = tracker.get_slot("booking_lookup_reference"), tracker.get_slot("booking_lookup_phone")
    if not reference or not phone:
        return None
    return store.find_booking(reference, phone, settings().schedule)


def slot_priority(tracker: Tracker) -> bool:
    """Priority for the times offered: the screening's, or the moved booking's own."""
    if tracker.active_loop_name == "manage_booking_form":
        booking = found_booking(tracker)
        return _priority(tracker) or bool(booking and booking.priority)
    return _priority(tracker)


def _offered(tracker: Tracker) -> List[datetime]:
    schedule = settings().schedule
    return [slot for slot in (parse_slot_value(v, schedule) for v in tracker.get_slot("booking_offered") or []) if slot]


def _slot_buttons(slots: List[datetime], language: Text = "en") -> List[Dict[Text, Text]]:
    return [{"title": slot_label(slot, language), "payload": f'/inform{{"booking_slot":"{slot.isoformat()}"}}'}
            for slot in slots]


def clear_slots(slots: List[Text], tracker: Tracker) -> List[EventType]:
    return [SlotSet(slot, None) for slot in slots if tracker.get_slot(slot) is not None]


def current_booking_slot(tracker: Tracker) -> Optional[datetime]:
    value = tracker.get_slot("booking_slot")
    return parse_slot_value(value, settings().schedule) if value else None


class ActionStartBooking(Action):
    """Starts a booking afresh (earlier booking answers are cleared) and says how it works."""

    def name(self) -> Text:
        return "action_start_booking"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_booking_intro")
        return clear_slots(DETAIL_SLOTS + HELPER_SLOTS, tracker)


class ActionAskBookingSlot(Action):
    """Offers free times as buttons: the ones just matched to what was asked, else the next free ones."""

    def name(self) -> Text:
        return "action_ask_booking_slot"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        offered = _offered(tracker)
        language = conversation_language(tracker)
        if offered:
            dispatcher.utter_message(response="utter_booking_pick_offered", zone=zone_label(language),
                                     buttons=_slot_buttons(offered, language))
            return []
        schedule = settings().schedule
        free = schedule.free_slots(_now(), store.taken_slots(schedule), slot_priority(tracker))
        if not free:
            dispatcher.utter_message(response="utter_booking_no_slots")
            return [SlotSet("booking_offered", [])]
        dispatcher.utter_message(response="utter_booking_pick_next_free", zone=zone_label(language),
                                 buttons=_slot_buttons(free, language))
        return [SlotSet("booking_offered", [slot.isoformat() for slot in free])]


class ActionAskBookingConfirmed(Action):
    """Shows everything once before anything is stored."""

    def name(self) -> Text:
        return "action_ask_booking_confirmed"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        email = tracker.get_slot("booking_email")
        language = conversation_language(tracker)
        text = confirmation_question(
            tracker.get_slot("booking_name"), tracker.get_slot("booking_phone"),
            None if email == NO_EMAIL else email, tracker.get_slot("booking_contact_method"),
            tracker.get_slot("booking_visit_type"), current_booking_slot(tracker), zone_label(language), language)
        dispatcher.utter_message(text=text, buttons=translated(CONFIRM_BUTTONS, language))
        return []


class ActionAskBookingContactMethod(Action):
    """Call, text, or email (email only when an address was given)."""

    def name(self) -> Text:
        return "action_ask_booking_contact_method"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        buttons = [{"title": "call_me", "payload": '/inform{"booking_contact_method":"call"}'},
                   {"title": "text_me", "payload": '/inform{"booking_contact_method":"text"}'}]
        if tracker.get_slot("booking_email") not in (None, NO_EMAIL):
            buttons.append({"title": "email_me", "payload": '/inform{"booking_contact_method":"email"}'})
        dispatcher.utter_message(response="utter_booking_contact_question",
                                 buttons=translated(buttons, conversation_language(tracker)))
        return []


def slot_answer(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                 priority: bool) -> Dict[Text, Any]:
    """The person's answer to 'when?': a slot, or options to choose from with the reason."""
    schedule = settings().schedule
    now = _now()
    match: Optional[SlotMatch] = choose_slot(str(value or ""), _offered(tracker), schedule, now,
                                             store.taken_slots(schedule), priority)
    if match is None:
        dispatcher.utter_message(response="utter_booking_time_not_understood")
        return {"booking_slot": None}
    if match.slot is not None:
        return {"booking_slot": match.slot.isoformat(), "booking_offered": None}
    if not match.options:
        dispatcher.utter_message(response="utter_booking_no_slots")
        return {"booking_slot": None, "booking_offered": None}
    if match.reason:
        dispatcher.utter_message(response="utter_booking_closest_times",
                                 unavailable=unavailable_sentence(match.reason, conversation_language(tracker)))
    return {"booking_slot": None, "booking_offered": [slot.isoformat() for slot in match.options]}


def confirmation_value(value: Any, dispatcher: CollectingDispatcher, slot: Text, prompt: Text) -> Dict[Text, Any]:
    """"yes" for a yes; otherwise the question is asked again after `prompt` (a response)."""
    if confirmation_answer(str(value or "")) is True:
        return {slot: "yes"}
    dispatcher.utter_message(response=prompt)
    return {slot: None}


def typed_answer(value: Any, tracker: Tracker) -> Text:
    """What the person typed, or the value of the button pressed. A slot filled from the intent
    "affirm" would hide "yes but..." and would read a hesitant "hmm" as a yes."""
    text = (tracker.latest_message or {}).get("text") or ""
    return str(value or "") if not text or text.startswith("/") else text


class ValidateBookingForm(FormValidationAction):
    """Each answer is checked by intake.booking before it is kept; a refused answer is asked again."""

    def name(self) -> Text:
        return "validate_booking_form"

    async def validate_booking_slot(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return slot_answer(value, dispatcher, tracker, slot_priority(tracker))

    async def validate_booking_visit_type(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: DomainDict) -> Dict[Text, Any]:
        visit = contact.parse_visit_type(str(value or "")) or (value if value in contact.VISIT_TYPES else None)
        if visit is None:
            dispatcher.utter_message(response="utter_booking_visit_type_again")
        return {"booking_visit_type": visit}

    async def validate_booking_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        checked = contact.clean_name(str(value or ""))
        if not checked.ok:
            dispatcher.utter_message(response=f"utter_booking_name_{checked.reason}")
        return {"booking_name": checked.value}

    async def validate_booking_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        checked = contact.normalize_phone(str(value or ""))
        if not checked.ok:
            dispatcher.utter_message(response="utter_booking_phone_invalid",
                                     front_desk_phone=settings().clinic.front_desk_phone)
        return {"booking_phone": checked.value}

    async def validate_booking_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "")
        if text == NO_EMAIL or declines_email(text):  # NO_EMAIL: re-checked when the form resumes
            return {"booking_email": NO_EMAIL}
        checked = contact.normalize_email(text)
        if not checked.ok:
            dispatcher.utter_message(response="utter_booking_email_invalid")
        return {"booking_email": checked.value}

    async def extract_booking_contact_method(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                             domain: DomainDict) -> Dict[Text, Any]:
        """"Call me" answers the contact question, though the classifier may read it as asking
        for a person (request_human, which the slot's mapping leaves out so the rule can answer)."""
        message = tracker.latest_message or {}
        if (tracker.get_slot("requested_slot") != "booking_contact_method"
                or (message.get("intent") or {}).get("name") != "request_human"):
            return {}
        method = contact.parse_contact_method(message.get("text") or "")
        return {"booking_contact_method": method} if method else {}

    async def validate_booking_contact_method(self, value: Any, dispatcher: CollectingDispatcher,
                                              tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        method = value if value in contact.CONTACT_METHODS else contact.parse_contact_method(str(value or ""))
        if method == "email" and tracker.get_slot("booking_email") in (None, NO_EMAIL):
            dispatcher.utter_message(response="utter_booking_no_email_for_contact")
            method = None
        elif method is None:
            dispatcher.utter_message(response="utter_booking_contact_again")
        return {"booking_contact_method": method}

    async def validate_booking_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> Dict[Text, Any]:
        """A yes stores the request; a no or a correction goes over the contact details again."""
        said = typed_answer(value, tracker)
        if confirmation_answer(said) is False:
            dispatcher.utter_message(response="utter_booking_details_again")
            return {slot: None for slot in CONTACT_SLOTS + ["booking_confirmed"]}
        return confirmation_value(said, dispatcher, "booking_confirmed",
                                  "utter_booking_confirm_again")


class ActionChangeBookingTime(Action):
    """"Change the time" at any step: the time is asked again next, the other answers are kept."""

    def name(self) -> Text:
        return "action_change_booking_time"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_booking_another_time")
        events = [SlotSet("booking_slot", None), SlotSet("booking_confirmed", None),
                  SlotSet("booking_manage_confirmed", None), SlotSet("booking_offered", None)]
        if tracker.active_loop_name == "manage_booking_form":  # "actually, move it instead"
            events.append(SlotSet("booking_manage", "reschedule"))
        return events


class ActionSubmitBooking(Action):
    """Stores the confirmed request. If the slot was taken meanwhile, the time is asked again."""

    def name(self) -> Text:
        return "action_submit_booking"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        config = settings()
        language = conversation_language(tracker)
        email = tracker.get_slot("booking_email")
        request = store.BookingRequest(
            conversation_id=tracker.sender_id, full_name=tracker.get_slot("booking_name"),
            phone=tracker.get_slot("booking_phone"), contact_method=tracker.get_slot("booking_contact_method"),
            visit_type=tracker.get_slot("booking_visit_type"), email=None if email == NO_EMAIL else email,
            channel=tracker.get_latest_input_channel(), priority=_priority(tracker))
        outcome = store.book_slot(request, current_booking_slot(tracker), config.schedule,
                                  max_open_per_phone=config.max_open_bookings_per_phone)
        if outcome.reason == "phone_limit":
            dispatcher.utter_message(response="utter_booking_phone_limit", limit=config.max_open_bookings_per_phone,
                                     front_desk_phone=config.clinic.front_desk_phone)
            return clear_slots(DETAIL_SLOTS + HELPER_SLOTS, tracker)
        if outcome.booking is None:
            dispatcher.utter_message(response="utter_booking_slot_gone",
                                     unavailable=unavailable_sentence(outcome.reason, language))
            return [SlotSet("booking_slot", None), SlotSet("booking_confirmed", None),
                    SlotSet("booking_offered", [s.isoformat() for s in outcome.alternatives]),
                    FollowupAction("booking_form")]
        booking = outcome.booking
        trigger_handoff(tracker, "booking")  # the desk confirms it; never raises
        dispatcher.utter_message(text=booked_message(booking, config.clinic, config.telehealth_note_in(language),
                                                     zone_label(language), language=language))
        if tracker.get_latest_input_channel() in WEB_CHANNELS:
            link = calendar_link(config.public_web_url, booking.reference)
            dispatcher.utter_message(response="utter_booking_calendar", link=link,
                                     attachment={"type": "file", "url": link, "name": f"{booking.reference}.ics"})
        # The details now live in the app database; the conversation keeps only the code.
        return [*clear_slots(DETAIL_SLOTS + HELPER_SLOTS, tracker), SlotSet("booking_reference", booking.reference)]


class ActionBookingStopped(Action):
    """Cancel at any step of booking or changing a booking: nothing is stored, answers are dropped."""

    def name(self) -> Text:
        return "action_booking_stopped"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return [*clear_slots(DETAIL_SLOTS + LOOKUP_SLOTS + HELPER_SLOTS + ["booking_manage"], tracker),
                SlotSet("requested_slot", None), ActiveLoop(None)]
