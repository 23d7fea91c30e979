"""The language of a reply a channel gives outside a turn: a message over a rate limit, one too
long to read, an empty one, a failed turn. Such a reply never reaches Rasa's response generator,
so it is chosen here: the language this message switches to, else the one the conversation was
last answered in (rasa_addons.language_responses), else English."""
from __future__ import annotations

from typing import Optional, Text

from intake.language import reply_language
from rasa_addons.language_responses import answered_in

TEXT_READ_FOR_LANGUAGE = 500  # an overlong message's language is plain from its start


def language_to_tell(conversation_id: Optional[Text], text: Optional[Text]) -> Text:
    """"en" or "es" for a reply to `text` in the conversation `conversation_id` (see the module)."""
    return reply_language((text or "")[:TEXT_READ_FOR_LANGUAGE], answered_in(conversation_id or ""))
