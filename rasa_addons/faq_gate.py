"""FAQ gate: an NLU component that turns an unsure FAQ answer into a fallback.

The intent classifier may be sure a message is a question (`faq`) while the response selector
is unsure which answer fits. Answering anyway could give a wrong medical answer, so below the
selector's own confidence threshold the intent becomes `nlu_fallback`; its action offers the
closest topics (intake.faq.closest_topics) and the front desk. It runs after the
FallbackClassifier and before the safety guard, whose decision stays final.

Markup, code ("<script>alert(1)</script>") and overlong junk ("AAAA…") are never answered from
the FAQ either: whatever the selector guesses for them answers a question nobody asked.

A question, answered or unsure, that names a health subject outside the topics and nothing of
the clinic's own ("what does seroquel do", intake.faq.scope) becomes `outside_intent`: it is a
question about something else, however much it looks like one of ours. One worded as a practical
question about the clinic ("what are your hours", "is there parking") becomes `clinic_intent`.

A topic whose answer needs the clinic's own facts (`topic_intents`, e.g. the clinic's name and
phone: `clinic_contact`) becomes the intent that answers from config/clinic.yml, since a
response in domain.yml is written for any clinic.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from intake.faq.message_kind import is_personal_statement
from intake.faq.scope import outside_subjects

FALLBACK_INTENT = "nlu_fallback"
# Markup, code, or a "word" longer than any real word ("AAAA...", a pasted token): not a question.
NOT_A_QUESTION = re.compile(r"<\s*/?\s*[a-z!][^>]*>|javascript:|\{\{|\}\}|;\s*(drop|select|insert|delete)\b|"
                            r"[^\s/]{40,}", re.IGNORECASE)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FaqGate(GraphComponent):
    """Sets `nlu_fallback` when the response selector's confidence is below the threshold."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"retrieval_intent": "faq", "threshold": 0.6, "topic_intents": {}, "outside_intent": None,
                "clinic_intent": None}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FaqGate":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            confidence = self.selector_confidence(message)
            if confidence is not None:
                routed = self.config["topic_intents"].get(self.selected_topic(message))
                if confidence < self.config["threshold"] or NOT_A_QUESTION.search(message.get("text") or ""):
                    self.replace_intent(message, FALLBACK_INTENT, confidence)
                elif routed:
                    self.replace_intent(message, routed, confidence)
            self.send_outside_subjects_away(message)
        return messages

    def send_outside_subjects_away(self, message: Message) -> None:
        """A question answered or "not sure" about the clinic's practical side becomes
        `clinic_intent`, and one about a subject outside the topics `outside_intent`. Never a
        personal statement: one that names a place or a drug ("got narcan'd in a parking lot, I'm
        three years clean") is the person's own story, for the safety guard's history reading."""
        current = (message.get(INTENT) or {}).get("name")
        if current not in (self.config["retrieval_intent"], FALLBACK_INTENT):
            return
        text = message.get("text") or ""
        if is_personal_statement(text):  # "got narcan'd in a parking lot, i'm 3 years clean": a story
            return
        confidence = float((message.get(INTENT) or {}).get("confidence") or 0.0)
        if self.config["clinic_intent"] and outside_subjects().is_clinic_question(text):
            self.replace_intent(message, self.config["clinic_intent"], confidence)
        elif self.config["outside_intent"] and outside_subjects().find(text):
            self.replace_intent(message, self.config["outside_intent"], confidence)

    @staticmethod
    def replace_intent(message: Message, name: str, confidence: float) -> None:
        """The new intent first; the classifier's own ranking stays below it."""
        replacement = {"name": name, "confidence": confidence}
        message.set(INTENT, replacement, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [replacement] + list(message.get(INTENT_RANKING_KEY) or []),
                    add_to_output=True)

    def selected_topic(self, message: Message) -> str | None:
        """'clinic_contact' when the selector chose faq/clinic_contact."""
        selected = (message.get("response_selector") or {}).get(self.config["retrieval_intent"]) or {}
        key = (selected.get("response") or {}).get("intent_response_key") or ""
        return key.split("/", 1)[1] if "/" in key else None

    def selector_confidence(self, message: Message) -> float | None:
        """The selector's confidence when the intent is the retrieval intent, else None."""
        intent = self.config["retrieval_intent"]
        if (message.get(INTENT) or {}).get("name") != intent:
            return None
        selected = (message.get("response_selector") or {}).get(intent) or {}
        return float((selected.get("response") or {}).get("confidence") or 0.0)
