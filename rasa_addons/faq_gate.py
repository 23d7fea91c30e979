"""FAQ gate: an NLU component that turns an unsure FAQ answer into a fallback.

The intent classifier may be sure a message is a question (`faq`) while the response selector
is unsure which answer fits. Answering anyway could give a wrong medical answer, so below the
selector's own confidence threshold the intent becomes `nlu_fallback`; its action offers the
closest topics (intake.faq.closest_topics) and the front desk. It runs after the
FallbackClassifier and before the safety guard, whose decision stays final.

Markup, code ("<script>alert(1)</script>"), overlong junk ("AAAA…"), a personal statement with
no question in it ("I'm nervous about needles") and a question with no subject of its own ("wait
does it do that"; both intake.faq.message_kind) are never answered from the FAQ either: whatever
the selector guesses for them answers a question nobody asked. The statement gets thanks and the
closest topics as buttons instead.

A question, answered or unsure, that names a health subject outside the topics and nothing of
the clinic's own ("what does seroquel do", intake.faq.scope) becomes `outside_intent`: it is a
question about something else, however much it looks like one of ours. One worded as a practical
question about the clinic ("what are your hours", "is there parking") becomes `clinic_intent`.

An unsure answer is given after all when the message names the clinic's own subject (ketamine,
PTSD, its treatment) and three readings agree (`second_reading`): the intent classifier's first
choice is a question for the FAQ, the selector's first topic is well ahead of its second, and the
topic's own training phrasings are the nearest in meaning to the message
(rasa_addons.topic_neighbours). A look-alike question about something else ("is grief the same
as depression?") is never read this way, nor are markup and personal statements (docs/faq.md).

A topic whose answer needs the clinic's own facts (`topic_intents`, e.g. the clinic's name and
phone: `clinic_contact`) becomes the intent that answers from config/clinic.yml, since a
response in domain.yml is written for any clinic.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from intake.faq.message_kind import is_empty_question, is_personal_statement, is_plain_statement
from intake.faq.scope import outside_subjects
from intake.screening.answers import says_yes_somewhere
from rasa_addons.sentence_features import stored_arrays
from rasa_addons.topic_neighbours import TopicNeighbours

FALLBACK_INTENT = "nlu_fallback"
NEIGHBOURS_FILE = "topic_neighbours.npz"
# Markup, code, or a "word" longer than any real word ("AAAA...", a pasted token): not a question.
NOT_A_QUESTION = re.compile(r"<\s*/?\s*[a-z!][^>]*>|javascript:|\{\{|\}\}|;\s*(drop|select|insert|delete)\b|"
                            r"[^\s/]{40,}", re.IGNORECASE)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqGate(GraphComponent):
    """Sets `nlu_fallback` when the response selector's confidence is below the threshold."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"retrieval_intent": "faq", "threshold": 0.6, "topic_intents": {}, "outside_intent": None,
                "clinic_intent": None, "sentence_features": "minilm",
                # None: an unsure answer is never given (the gate as before).
                "second_reading": None}

    def __init__(self, config: Dict[Text, Any], neighbours: Optional[TopicNeighbours] = None,
                 model_storage: Optional[ModelStorage] = None, resource: Optional[Resource] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self.neighbours = neighbours
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FaqGate":
        return cls(config, model_storage=model_storage, resource=resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FaqGate":
        stored = stored_arrays(model_storage, resource, NEIGHBOURS_FILE)
        return cls(config, TopicNeighbours.from_arrays(stored) if stored else None, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Keeps the sentence vector of every FAQ training phrasing, for the second reading."""
        examples = []
        for example in training_data.intent_examples:
            key = example.get(INTENT_RESPONSE_KEY) or ""
            vector = self.sentence_vector(example)
            if example.get(INTENT) == self.config["retrieval_intent"] and "/" in key and vector is not None:
                examples.append((key.split("/", 1)[1], vector))
        reading = self.config["second_reading"] or {}
        self.neighbours = TopicNeighbours.fitted(examples, k=int(reading.get("neighbours", 3)))
        if self._model_storage is not None and self._resource is not None:
            with self._model_storage.write_to(self._resource) as directory:
                np.savez(directory / NEIGHBOURS_FILE, **(self.neighbours.to_arrays() if self.neighbours else {}))
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            confidence = self.selector_confidence(message)
            text = message.get("text") or ""
            if confidence is not None and (confidence < self.config["threshold"] or NOT_A_QUESTION.search(text)
                                           or is_plain_statement(text) or is_empty_question(text)):
                self.replace_intent(message, FALLBACK_INTENT, confidence)
            if self.readings_agree(message):
                self.replace_intent(message, self.config["retrieval_intent"], self.classifier_confidence(message))
            if self.selector_confidence(message) is not None:
                routed = self.config["topic_intents"].get(self.selected_topic(message))
                if routed:
                    self.replace_intent(message, routed, self.classifier_confidence(message))
            self.send_outside_subjects_away(message)
            self.vague_yes_is_not_an_answer(message)
        return messages

    def vague_yes_is_not_an_answer(self, message: Message) -> None:
        """A message of three words or more read as "affirm" with no word that says yes ("so about
        that") is not a yes: it gets the unsure reply. A yes answers questions that matter here
        (the check-in, a booking), so it is never guessed from a vague lead-in."""
        text = message.get("text") or ""
        if (message.get(INTENT) or {}).get("name") == "affirm" and len(text.split()) >= 3 \
                and not says_yes_somewhere(text):
            self.replace_intent(message, FALLBACK_INTENT, float((message.get(INTENT) or {}).get("confidence") or 0.0))

    def readings_agree(self, message: Message) -> bool:
        """For a message now `nlu_fallback` that names the clinic's own subject (ketamine, PTSD,
        its treatment: intake.faq.scope): the classifier's own first choice was the FAQ, the
        selector's first topic is at least `selector_ratio` times its second, and the nearest
        topic in meaning is the same one (see the module's docstring)."""
        reading = self.config["second_reading"]
        text = message.get("text") or ""
        if not reading or self.neighbours is None or (message.get(INTENT) or {}).get("name") != FALLBACK_INTENT:
            return False
        if NOT_A_QUESTION.search(text) or is_personal_statement(text) or not outside_subjects().names_own_subject(text):
            return False
        first = next((entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get("name") != FALLBACK_INTENT),
                     {})
        if first.get("name") != self.config["retrieval_intent"] or first.get("confidence", 0.0) < reading["classifier_min"]:
            return False
        ranking = self.selector_ranking(message)
        if not ranking or ranking[0][1] < reading["selector_min"]:
            return False
        if len(ranking) > 1 and ranking[0][1] < reading["selector_ratio"] * ranking[1][1]:
            return False
        vector = self.sentence_vector(message)
        nearest = self.neighbours.nearest(vector) if vector is not None else None
        return bool(nearest and nearest[0] == ranking[0][0] and nearest[1] >= reading["neighbour_min"])

    def sentence_vector(self, message: Message) -> Optional[np.ndarray]:
        _, sentence = message.get_dense_features(TEXT, [self.config["sentence_features"]])
        return None if sentence is None else np.asarray(sentence.features).reshape(-1)

    def selector_ranking(self, message: Message) -> List[tuple]:
        """[(topic, confidence), ...] of the response selector, best first."""
        selected = (message.get("response_selector") or {}).get(self.config["retrieval_intent"]) or {}
        return [(entry["intent_response_key"].split("/", 1)[-1], float(entry.get("confidence") or 0.0))
                for entry in selected.get("ranking") or [] if entry.get("intent_response_key")]

    def classifier_confidence(self, message: Message) -> float:
        """The classifier's own confidence in the retrieval intent (below any replacement)."""
        return max((float(entry.get("confidence") or 0.0) for entry in message.get(INTENT_RANKING_KEY) or []
                    if entry.get("name") == self.config["retrieval_intent"]), default=0.0)

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
