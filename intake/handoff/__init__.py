"""The front-desk handoff: which conversations the desk must see, how urgently, and the way the
console reaches a conversation (Rasa's HTTP API only).

- queue: one open item per conversation, raised by triggers, claimed, acknowledged and closed by staff;
- follow_ups: the desk's task after every crisis conversation, listed until someone marks it done;
- summary: the card next to a conversation (screenings, flags, booking, contact, alerts);
- transcript: what was said, read from Rasa's tracker;
- hours: whether the desk is open, and when it answers if not;
- rasa_api: take a conversation over, write to the person, hand it back.
"""
from intake.handoff.items import PRIORITY_RANK, HandoffItem
from intake.handoff.queue import (HandoffConflict, HandoffNotFound, acknowledge, active_claim, claim, close,
                                  get_item, note_user_message, open_handoff, open_item_for, open_items, release)
from intake.handoff.transcript import TranscriptLine

__all__ = ["PRIORITY_RANK", "HandoffConflict", "HandoffItem", "HandoffNotFound", "TranscriptLine", "acknowledge",
           "active_claim", "claim", "close", "get_item", "note_user_message", "open_handoff", "open_item_for", "open_items",
           "release"]
