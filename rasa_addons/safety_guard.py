"""The safety guard: a Rasa NLU component that runs the risk detector on every user message.

It runs after the intent classifier and the FallbackClassifier, so it sees every parsed
message, whatever the conversation state (first message, inside a form, after a fallback,
during a handoff), and its decision is final: when the detector fires, the intent becomes the
crisis intent for the finding with confidence 1.0, and the finding travels with the message
(`risk` in the parse data) for the actions that record alerts.

The learned classifier may also predict a crisis intent for wording the detector does not
know. That prediction is kept when it is very confident (the crisis reply is sent); otherwise
the message becomes `feeling_low`, whose rule asks the person directly whether they are
thinking of harming themselves: asking costs little, staying silent could cost a life.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from intake.safety import RiskDetector, RiskFinding, default_detector
from intake.screening.answers import Answer, parse_yes_no

CRISIS_PREFIX = "crisis_"
RISK_KEY = "risk"
# A bare answer word ("never", "yes", "skip") carries no risk by itself: a learned crisis
# prediction on it is noise, and it must stay an answer to the question that was asked.
ANSWER_INTENTS = {Answer.YES: "affirm", Answer.NO: "deny", Answer.SKIP: "skip_question"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyGuard(GraphComponent):
    """Overrides the predicted intent with the crisis intent when a risk is detected."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # A learned crisis prediction without a detector finding is kept at or above this.
            "learned_crisis_threshold": 0.9,
            "check_in_intent": "feeling_low",
        }

    def __init__(self, config: Dict[Text, Any], detector: Optional[RiskDetector] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self.detector = detector or default_detector()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyGuard":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._guard(message)
        return messages

    def _guard(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        finding = self.detector.detect(text)
        if finding is not None:
            self._override(message, finding)
            return
        predicted = message.get(INTENT) or {}
        name = predicted.get("name") or ""
        if not name.startswith(CRISIS_PREFIX):
            return
        answer = parse_yes_no(text)
        if answer in ANSWER_INTENTS:
            message.set(INTENT, {"name": ANSWER_INTENTS[answer], "confidence": 1.0}, add_to_output=True)
        elif (predicted.get("confidence") or 0) < self.config["learned_crisis_threshold"]:
            message.set(INTENT, {"name": self.config["check_in_intent"], "confidence": 1.0}, add_to_output=True)

    @staticmethod
    def _override(message: Message, finding: RiskFinding) -> None:
        crisis = {"name": finding.intent, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != finding.intent]
        message.set(INTENT, crisis, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [crisis] + ranking, add_to_output=True)
        message.set(
            RISK_KEY,
            {"category": finding.category, "handling": finding.handling, "rule": finding.rule_id},
            add_to_output=True,
        )
