"""Adapters for the front-desk handoff: the triggers open or raise an item in the queue
(intake.handoff.queue), and while a staff member holds the conversation the person's messages
are noted for the console. Which trigger has which priority, and when the desk is open, is
decided in intake.handoff; this module reads the tracker and says the result.

A failure of the handoff store is logged and never raised: the conversation, and above all a
crisis reply (a response in domain.yml uttered by the rules), must go on whatever the queue does.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.language import conversation_language
from intake.booking import contact
from intake.handoff import HandoffItem, active_claim, note_user_message, open_handoff
from intake.handoff.config import handoff_settings
from intake.handoff.hours import DeskHours
from intake.settings import settings

logger = logging.getLogger(__name__)

# Replies that mean "I'm not sure what you meant" (the NLU fallback's topics, Rasa's core fallback).
UNSURE_ACTIONS = {"action_offer_closest_topics", "action_default_fallback"}


def trigger_handoff(tracker: Tracker, reason: Text) -> Optional[HandoffItem]:
    """Open or raise the conversation's item; None (logged) when the store failed."""
    try:
        return open_handoff(tracker.sender_id, tracker.get_latest_input_channel(), reason,
                            language=conversation_language(tracker))
    except Exception:
        logger.exception("the handoff trigger %r could not be stored", reason)
        return None


def unsure_turns_in_a_row(tracker: Tracker) -> int:
    """How many turns in a row, this one included, got an unsure reply (this turn's reply is the
    one being given now, so it is not in the tracker yet)."""
    turns: List[List[Text]] = []
    for event in tracker.events:
        if event.get("event") == "user":
            turns.append([])
        elif event.get("event") == "action" and turns:
            turns[-1].append(event.get("name") or "")
    count = 1
    for actions in reversed(turns[:-1]):
        if not UNSURE_ACTIONS.intersection(actions):
            break
        count += 1
    return count


def _answers_the_contact_question(tracker: Tracker) -> bool:
    """"Call me" at the booking's contact question reads like asking for a person, but it is the
    answer (actions/booking.py picks it up): no handoff then."""
    if tracker.active_loop_name != "booking_form" or tracker.get_slot("requested_slot") != "booking_contact_method":
        return False
    return contact.parse_contact_method((tracker.latest_message or {}).get("text") or "") is not None


class ActionRequestHandoff(Action):
    """The person asked for a human: the desk is told, and the person is told when it answers."""

    def name(self) -> Text:
        return "action_request_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if _answers_the_contact_question(tracker):
            return []
        clinic = settings().clinic
        language = conversation_language(tracker)
        if trigger_handoff(tracker, "asked_for_human") is None:
            dispatcher.utter_message(response="utter_handoff_failed", front_desk_phone=clinic.front_desk_phone,
                                     desk_hours=clinic.hours_summary(language))
            return []
        hours, now = DeskHours.configured(), datetime.now(timezone.utc)
        if hours.is_open(now):
            dispatcher.utter_message(response="utter_handoff_requested", front_desk_phone=clinic.front_desk_phone)
        else:
            dispatcher.utter_message(response="utter_handoff_requested_closed", desk_hours=hours.reply(now, language),
                                     front_desk_phone=clinic.front_desk_phone)
        return []


class ActionRelayToStaff(Action):
    """A staff member holds the conversation: the message is for them (the console reads it from
    the tracker); it is only noted as new. The assistant says nothing.

    If nobody holds it any more (the item was closed or handed back while relaying was being
    switched on, e.g. a close racing a claim or a reply), the message would go to nobody: relaying
    is switched off and the assistant says it is answering again."""

    def name(self) -> Text:
        return "action_relay_to_staff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            held = active_claim(tracker.sender_id) is not None
            if held:
                note_user_message(tracker.sender_id)
        except Exception:
            logger.exception("the handoff queue could not be read; the message stays relayed")
            return []
        if held:
            return []
        logger.warning("relaying was on with nobody holding the conversation; the assistant answers again")
        dispatcher.utter_message(response="utter_handoff_returned")
        return [SlotSet("handoff_active", False), SlotSet("handoff_staff_reply", None), FollowupAction("action_listen")]


def note_repeated_fallback(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Called by the unsure reply: at the configured number in a row, a person takes a look."""
    try:
        threshold = handoff_settings().fallbacks_in_a_row
    except Exception:
        logger.exception("the handoff settings could not be read")
        return
    if unsure_turns_in_a_row(tracker) == threshold and trigger_handoff(tracker, "repeated_fallback") is not None:
        dispatcher.utter_message(response="utter_handoff_fallback_noted")
