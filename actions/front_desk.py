"""Tell the person how to reach the clinic's front desk, from the clinic configuration."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from intake.settings import settings


class ActionFrontDeskContact(Action):
    """Gives the front desk's phone, email and hours (the live handoff replaces this later)."""

    def name(self) -> Text:
        return "action_front_desk_contact"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        clinic = settings().clinic
        dispatcher.utter_message(
            text=(
                f"You can reach the {clinic.name} front desk at {clinic.front_desk_phone} "
                f"or {clinic.front_desk_email}, {clinic.hours_summary()}."
            )
        )
        return []
