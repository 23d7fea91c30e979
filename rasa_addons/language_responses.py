"""Responses in the conversation's language: Rasa's templated responses, with each response's
Spanish variants (responses/es.yml) used when the slot `language` is "es".

Configured in the endpoints files (`nlg: type: rasa_addons.language_responses.LanguageResponses`).
Runs inside the Rasa server like Rasa's own templated generator, so a reply never waits on
another service. The Spanish file has the same shape as the domain's `responses:` (channel and
slot conditions work the same way); a response it does not have is given in English, so a
missing translation can never silence a reply (tests/unit/test_spanish_responses.py checks that
every crisis response has its Spanish variants for every channel).
"""
from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from intake.paths import PROJECT_ROOT
from rasa_addons.language_policy import conversation_language

RESPONSE_FILES = {"es": PROJECT_ROOT / "responses" / "es.yml"}
# The language each conversation was last answered in, in this process (the web chat's own words
# follow it: rasa_addons/channels/socketio.py). Bounded: the oldest conversations are forgotten.
ANSWERED_IN: "OrderedDict[Text, Text]" = OrderedDict()
ANSWERED_IN_LIMIT = 10_000


def answered_in(conversation_id: Text) -> Optional[Text]:
    """The language this process last answered the conversation in, if it has."""
    return ANSWERED_IN.get(conversation_id)


def _remember(conversation_id: Text, language: Text) -> None:
    ANSWERED_IN[conversation_id] = language
    ANSWERED_IN.move_to_end(conversation_id)
    while len(ANSWERED_IN) > ANSWERED_IN_LIMIT:
        ANSWERED_IN.popitem(last=False)


@lru_cache(maxsize=None)
def responses_in(language: Text) -> Dict[Text, List[Dict[Text, Any]]]:
    """The responses written in `language` ({} for English, which is the domain's own)."""
    path: Optional[Path] = RESPONSE_FILES.get(language)
    if path is None or not path.is_file():
        return {}
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}


class LanguageResponses(TemplatedNaturalLanguageGenerator):
    """The domain's responses, or their variants in the conversation's language."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        super().__init__(domain.responses if domain else {})
        self.translated = {language: TemplatedNaturalLanguageGenerator(responses_in(language))
                           for language in RESPONSE_FILES}

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text,
                       **kwargs: Any) -> Optional[Dict[Text, Any]]:
        language = conversation_language(tracker)
        _remember(tracker.sender_id, language)
        translated = self.translated.get(language)
        if translated is not None and utter_action in translated.responses:
            return await translated.generate(utter_action, tracker, output_channel, **kwargs)
        return await super().generate(utter_action, tracker, output_channel, **kwargs)
