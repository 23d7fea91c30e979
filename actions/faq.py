"""When the assistant is unsure what was asked: offer the closest FAQ topics, or the menu; after
two unsure replies in a row (handoff.fallbacks_in_a_row) the front desk is asked to look too.
Questions about the clinic itself are answered from config/clinic.yml."""
from datetime import datetime, timezone
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import note_repeated_fallback
from actions.language import conversation_language
from intake.faq import closest_topics
from intake.faq.catalogue import RETRIEVAL_INTENT
from intake.faq.clinic_reply import clinic_reply
from intake.faq.message_kind import is_personal_statement, is_question
from intake.faq.unanswered import record_unanswered
from intake.phrases import phrase
from intake.handoff.hours import DeskHours
from intake.settings import settings


class ActionOfferClosestTopics(Action):
    """Buttons for the closest FAQ topics when the message looked like a question, plus the front
    desk; thanks and an offer when it was something the person told about themselves."""

    def name(self) -> Text:
        return "action_offer_closest_topics"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        top_intents = [i.get("name") for i in (message.get("intent_ranking") or [])[:3]]
        ranking = ((message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("ranking") or []
        topics = closest_topics(ranking) if RETRIEVAL_INTENT in top_intents else []
        text = message.get("text") or ""
        if is_personal_statement(text):
            dispatcher.utter_message(response="utter_personal_statement_heard")
        elif not topics:
            dispatcher.utter_message(response="utter_default")
            keep_unanswered(tracker, "unsure", ["the menu", "the front desk"], only_questions=True)
        else:
            language = conversation_language(tracker)
            buttons = [t.button(language) for t in topics]
            buttons.append({"title": phrase("talk_to_front_desk", language), "payload": "/request_human"})
            dispatcher.utter_message(response="utter_faq_unsure", buttons=buttons)
            keep_unanswered(tracker, "unsure", [t.title for t in topics] + ["the front desk"], only_questions=True)
        note_repeated_fallback(dispatcher, tracker)
        return []


def keep_unanswered(tracker: Tracker, kind: str, offered: List[str], only_questions: bool = False) -> None:
    """Keep the person's message for the clinic's list of unanswered questions (never raises)."""
    text = (tracker.latest_message or {}).get("text") or ""
    if not text or text.startswith("/") or (only_questions and not is_question(text)):
        return
    record_unanswered(tracker.sender_id, tracker.get_latest_input_channel(), text, kind, offered)


class ActionAnswerOtherHealth(Action):
    """A health question outside PTSD and ketamine treatment: said plainly, and kept for the clinic."""

    def name(self) -> Text:
        return "action_answer_other_health"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_other_health")
        keep_unanswered(tracker, "other_health", ["a consultation", "the front desk", "NIMH",
                                                  "National Center for PTSD"])
        return []


class ActionAnswerClinicQuestion(Action):
    """The clinic's name, phone, email and desk hours, and the front desk for the rest."""

    def name(self) -> Text:
        return "action_answer_clinic_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = conversation_language(tracker)
        text = clinic_reply(settings().clinic, DeskHours.configured(), datetime.now(timezone.utc), language)
        dispatcher.utter_message(text=text, buttons=[
            {"title": phrase("talk_to_front_desk", language), "payload": "/request_human"},
            {"title": phrase("book_consultation", language), "payload": "/book_consultation"}])
        keep_unanswered(tracker, "clinic", ["the clinic's phone, email and hours", "the front desk"])
        return []
