"""The conversation's language, kept in the slot `language` (intake.language decides).

A policy, because the rule needs the conversation: "hola" sets Spanish on a first message, but
"ok" or "sí" must not flip a conversation already in English. It predicts nothing (it always
abstains); Rasa applies the events of every policy's prediction to the tracker the predicted
action runs on, so the crisis reply to a first message in Spanish is already in Spanish. The
responses (rasa_addons.language_responses) ask `conversation_language`, the same question, so
they agree with the slot on any tracker they are given.

The language also outlives a session: with no language in the current session yet, the last one
the conversation had is set again (session starts do not carry slots over in this assistant).
Button payloads ("/choose_language{...}") set the slot through its entity mapping instead.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from intake.language import DEFAULT_LANGUAGE, LANGUAGES, LanguageSettings, configured, language_after, warm_up

LANGUAGE_SLOT = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class ConversationLanguagePolicy(Policy):
    """Sets `language` from the person's messages; never chooses an action."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 1, "slot": LANGUAGE_SLOT}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, featurizer: Optional[Any] = None) -> None:
        config = {**self.get_default_config(), **config}
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.slot: Text = config["slot"]
        self.settings = configured()

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        """Nothing to learn."""
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ConversationLanguagePolicy":
        warm_up()
        return cls(config, model_storage, resource, execution_context)

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        language = self.language_now(tracker)
        events = [SlotSet(self.slot, language)] if language else []
        return self._prediction(self._default_predictions(domain), events=events)

    def language_now(self, tracker: DialogueStateTracker) -> Optional[Text]:
        """The language to set now, or None when the slot already holds the right one."""
        return language_to_set(tracker, self.slot, self.settings)


def language_to_set(tracker: DialogueStateTracker, slot: Text = LANGUAGE_SLOT,
                    settings: Optional[LanguageSettings] = None) -> Optional[Text]:
    """The language this turn's latest message sets (intake.language), or an earlier session's
    when the slot is empty; None when the slot already holds the right one."""
    current = tracker.get_slot(slot)
    if current not in LANGUAGES:
        earlier = _last_language_set(tracker, slot)
        if earlier:
            return earlier
    text = (tracker.latest_message.text if tracker.latest_message else "") or ""
    if not text.strip() or text.startswith("/"):
        return None
    return language_after(text, current, settings or configured())


def conversation_language(tracker: DialogueStateTracker, slot: Text = LANGUAGE_SLOT) -> Text:
    """The language to answer in now: the one this turn sets, else the slot's, else English."""
    current = tracker.get_slot(slot)
    return language_to_set(tracker, slot) or (current if current in LANGUAGES else DEFAULT_LANGUAGE)


def _last_language_set(tracker: DialogueStateTracker, slot: Text) -> Optional[Text]:
    """The language of an earlier session of this conversation."""
    for event in reversed(tracker.events):
        if isinstance(event, SlotSet) and event.key == slot and event.value in LANGUAGES:
            return event.value
    return None
