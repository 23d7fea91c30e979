"""Shared steps of the handoff integration tests: what the console does, through the same
client it uses (intake.handoff.rasa_api.RasaConversations) and the same queue functions."""
from __future__ import annotations

import asyncio
from typing import List, Optional

from intake.handoff import HandoffItem, claim, close, open_item_for, release
from intake.handoff.rasa_api import RasaConversations
from tests.support.stack import RasaStack

STAFF = ("dana", "Dana")  # username, display name
STAFF_JOINED = "Dana from the front desk has joined"
HANDED_BACK = "handed this"


class Desk:
    """A front-desk staff member working on one stack's conversations."""

    def __init__(self, stack: RasaStack) -> None:
        self.stack = stack
        self.rasa = RasaConversations(stack.rasa_url, stack.token)
        self.db = stack.app_database_url

    def item(self, conversation_id: str) -> Optional[HandoffItem]:
        return open_item_for(conversation_id, self.db)

    def take_over(self, conversation_id: str) -> HandoffItem:
        item = claim(self.item(conversation_id).id, STAFF[0], self.db)
        asyncio.run(self.rasa.start_takeover(conversation_id, STAFF[1]))
        return item

    def write(self, conversation_id: str, text: str) -> None:
        asyncio.run(self.rasa.send_staff_message(conversation_id, text))

    def hand_back(self, conversation_id: str) -> HandoffItem:
        item = release(self.item(conversation_id).id, STAFF[0], self.db)
        asyncio.run(self.rasa.end_takeover(conversation_id))
        return item

    def close(self, conversation_id: str) -> HandoffItem:
        item = close(self.item(conversation_id).id, STAFF[0], self.db)
        asyncio.run(self.rasa.end_takeover(conversation_id))
        return item

    def rasa_slots(self, conversation_id: str) -> dict:
        return asyncio.run(self.rasa.tracker(conversation_id))["slots"]

    def transcript(self, conversation_id: str) -> List[tuple]:
        return [(line.speaker, line.text) for line in asyncio.run(self.rasa.transcript(conversation_id))]


def bot_events(tracker: dict) -> List[dict]:
    return [e for e in tracker["events"] if e["event"] == "bot"]


def actions_after_last_user_message(tracker: dict) -> List[str]:
    events = tracker["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    return [e["name"] for e in events[last_user + 1:] if e["event"] == "action"]
