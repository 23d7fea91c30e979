"""The handoff policy: while a staff member holds a conversation, the assistant stays quiet.

When the front-desk console takes a conversation over it sets the slot `handoff_active`
(intake.handoff.rasa_api). From then on this policy predicts `action_relay_to_staff` after each
user message (the action notes the message for the console and says nothing) and
`action_listen` after that, with a priority above the RulePolicy, so no rule, story or form
answers in the staff member's place.

Safety comes first (DESIGN.md, principle 1), so the policy abstains, and the normal rules answer
at once, when:

- the message's intent is a safety intent: the safety guard's crisis intents and its check-in
  intent (`safety_intents`, shell-style patterns such as `crisis_*`, so a crisis intent added
  later is covered without touching this list), or
- a safety question was asked since the person's previous message (`safety_questions`: "are you
  safe right now?", the third-party question, the second ask, the guard's check-in). Looking at
  everything since the previous message, not only the last bot action, keeps "no" an answer to
  "are you safe right now?" even when a staff message came in between.

The relay is not a fallback: `nlu_fallback` is relayed like any other message, because the staff
member reads it. Both lists live in config.yml. The policy learns nothing from the training data.
"""
from __future__ import annotations

import fnmatch
import logging
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

# RulePolicy's priority is 4 (rasa.core.constants.RULE_POLICY_PRIORITY); this one must be higher.
DEFAULT_PRIORITY = 6


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class HandoffPolicy(Policy):
    """Relays the person's messages to the front desk while `handoff_active` is true."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "priority": DEFAULT_PRIORITY,
            "active_slot": "handoff_active",
            "relay_action": "action_relay_to_staff",
            "safety_intents": ["crisis_*", "feeling_low"],
            "safety_questions": ["utter_ask_safe_now", "utter_ask_third_party_safe",
                                 "utter_crisis_check_again", "utter_check_in"],
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Optional[Any] = None,
    ) -> None:
        config = {**self.get_default_config(), **config}
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.active_slot: Text = config["active_slot"]
        self.relay_action: Text = config["relay_action"]
        self.safety_intents: List[Text] = list(config["safety_intents"])
        self.safety_questions: List[Text] = list(config["safety_questions"])

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        """Nothing to learn: the behaviour is fixed by the configuration."""
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "HandoffPolicy":
        """Built from the configuration alone (train() stores nothing)."""
        return cls(config, model_storage, resource, execution_context)

    # -- prediction ---------------------------------------------------------------------------
    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action = self.next_action(tracker)
        probabilities = self._default_predictions(domain)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)

    def next_action(self, tracker: DialogueStateTracker) -> Optional[Text]:
        """The action to run next, or None to leave the decision to the other policies."""
        if tracker.get_slot(self.active_slot) is not True:
            return None
        latest = tracker.latest_action_name
        if latest == self.relay_action:
            return ACTION_LISTEN_NAME
        if not self._has_user_message(tracker):
            return None
        intent = (tracker.latest_message.intent or {}).get("name") or ""
        if self.is_safety_intent(intent):
            logger.debug("handoff: safety intent, the crisis rules answer")
            return None
        if self._safety_question_pending(tracker):
            logger.debug("handoff: answer to a safety question, the crisis rules answer")
            return None
        return self.relay_action

    def is_safety_intent(self, intent: Text) -> bool:
        return any(fnmatch.fnmatchcase(intent, pattern) for pattern in self.safety_intents)

    @staticmethod
    def _has_user_message(tracker: DialogueStateTracker) -> bool:
        """True when the latest event that is a user message or an action is a user message."""
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                return True
            if isinstance(event, ActionExecuted):
                return False
        return False

    def _safety_question_pending(self, tracker: DialogueStateTracker) -> bool:
        """Was a safety question asked between the previous user message and this one?"""
        return any(name in self.safety_questions for name in self._bot_actions_before_latest_message(tracker))

    @staticmethod
    def _bot_actions_before_latest_message(tracker: DialogueStateTracker) -> Sequence[Text]:
        names: List[Text] = []
        seen_latest = False
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                if seen_latest:
                    break
                seen_latest = True
            elif seen_latest and isinstance(event, ActionExecuted) and event.action_name:
                names.append(event.action_name)
        return names
