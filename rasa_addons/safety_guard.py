"""The safety guard: a Rasa NLU component that applies the safety decision to every user message.

It runs last in the NLU pipeline, so it sees every parsed message whatever the conversation state
(first message, inside a form, after a fallback, during a handoff), and its decision is final.
The decision itself lives in the domain package (intake.safety.decision): the patterns, then the
learned risk model, which reads the MiniLM sentence vector the pipeline has already made.
- crisis: the intent becomes the crisis intent of the finding (confidence 1.0), and the finding
  travels with the message (`risk` in the parse data) for the actions that record alerts;
- check-in: `feeling_low`, whose rule asks the person directly whether they are thinking of
  harming themselves or are in danger;
- trauma told as history, ordinary distress: their own intents, when the classifier had nothing
  more specific to say (a booking request stays a booking request); a history also gets the
  `trauma_kind` entity, so the acknowledgement offers the hotline that fits;
- nothing: a crisis intent that only the intent classifier guessed is a third net: kept when the
  classifier is confident, the check-in when it is not; a bare answer word stays an answer.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from intake.paths import PROJECT_ROOT
from intake.safety import default_detector
from intake.safety.decision import CHECK_IN, CRISIS, DISTRESS, HISTORY, SafetyDecision, SafetyJudge, reply_category
from intake.safety.risk_model import RiskModel
from intake.safety.sentence_vectors import SentenceVectors
from intake.safety.trauma_kinds import trauma_kind
from intake.screening.answers import Answer, is_bare_answer, parse_yes_no

logger = logging.getLogger(__name__)

CRISIS_PREFIX = "crisis_"
RISK_KEY = "risk"
FALLBACK_INTENT = "nlu_fallback"
ANSWER_INTENTS = {Answer.YES: "affirm", Answer.NO: "deny", Answer.SKIP: "skip_question"}


@lru_cache(maxsize=2)
def shared_judge(risk_model: str = "build/risk_model", minilm: str = "build/minilm") -> SafetyJudge:
    """One safety decision per Rasa process for the guard and the SMS channel, sharing the MiniLM
    weights the featurizer loaded (the channel encodes texts it decides on outside the pipeline)."""
    from rasa_addons.minilm_featurizer import shared_encoder

    vectors = SentenceVectors(encoder_factory=lambda: shared_encoder(minilm))
    return SafetyJudge(default_detector(), RiskModel.load(PROJECT_ROOT / risk_model), vectors)


def crisis_category(text: str) -> Optional[str]:
    """The crisis a message calls for where the pipeline does not run (the turn queue's priority,
    the reply to a failed turn): the same decision as the guard's, the patterns alone when the
    model cannot be used (a failed turn must still be answered). None: no risk."""
    try:
        decision = shared_judge().decide(text)
    except Exception:  # noqa: BLE001 - whatever failed, the patterns still read the message
        logger.exception("the risk model could not read a message; the patterns alone decide")
        finding = default_detector().detect(text)
        return finding.category if finding else None
    return reply_category(decision)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyGuard(GraphComponent):
    """Sets the intent from the safety decision."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "risk_model": "build/risk_model",
            "sentence_features": "minilm",
            "check_in_intent": "feeling_low",
            # A crisis intent the classifier predicts with no finding of the decision is kept (the
            # protocol) at or above this confidence, and becomes the check-in below it.
            "classifier_crisis_confidence": 0.9,
            "history_intent": "share_trauma_history",
            "distress_intent": "share_distress",
            # Intents a history or distress reading may replace: the classifier's guesses that
            # say nothing more specific than "something personal" or "not understood".
            "replaceable_intents": ["nlu_fallback", "out_of_scope", "feeling_low", "describe_symptoms",
                                    "share_distress", "share_trauma_history", "faq", "ask_other_health",
                                    "ask_clinic_logistics"],
            # Intents the distress reading leaves alone. The risk model learns "distress" from the
            # symptom examples as well, so on a message the classifier reads as symptoms it says
            # nothing more specific; the symptom reply (a symptom check, a clinician) fits better.
            "kept_from_distress": ["describe_symptoms"],
        }

    def __init__(self, config: Dict[Text, Any], judge: Optional[SafetyJudge] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self.judge = judge or shared_judge(str(self.config["risk_model"]))

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyGuard":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._guard(message)
        return messages

    def _sentence_vector(self, message: Message) -> Optional[np.ndarray]:
        """The MiniLM sentence vector the pipeline made for this message, if any."""
        _, sentence = message.get_dense_features(TEXT, [self.config["sentence_features"]])
        return None if sentence is None else np.asarray(sentence.features).reshape(-1)

    def _guard(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        decision = self.judge.decide(text, self._sentence_vector(message))
        name = (message.get(INTENT) or {}).get("name") or ""
        if decision.outcome == CRISIS:
            self._override(message, decision)
        elif decision.outcome == CHECK_IN:
            self._set(message, self.config["check_in_intent"])
        elif decision.outcome in (HISTORY, DISTRESS) and self._replaceable(name, decision.outcome):
            key = "history_intent" if decision.outcome == HISTORY else "distress_intent"
            self._set(message, self.config[key])
            if decision.outcome == HISTORY:
                self._add_trauma_kind(message, text)
        elif name.startswith(CRISIS_PREFIX):
            self._classifier_crisis(message, text)

    def _classifier_crisis(self, message: Message, text: str) -> None:
        """A crisis only the intent classifier saw: a third net beside the patterns and the risk
        model. An answer word stays an answer; an unsure guess gets the direct check-in; a
        confident one keeps its crisis intent (the protocol), as before the risk model existed."""
        # Only a whole answer ("yes", "no", "sí") is an answer: "yes I already have the pills" or
        # "ya tengo las pastillas" starts like one and is not.
        answer = parse_yes_no(text) if is_bare_answer(text) else None
        confidence = (message.get(INTENT) or {}).get("confidence") or 0.0
        if answer in ANSWER_INTENTS:
            self._set(message, ANSWER_INTENTS[answer])
        elif confidence < self.config["classifier_crisis_confidence"]:
            self._set(message, self.config["check_in_intent"])

    def _replaceable(self, name: str, outcome: str) -> bool:
        if outcome == DISTRESS and name in self.config["kept_from_distress"]:
            return False
        return name.startswith(CRISIS_PREFIX) or name in self.config["replaceable_intents"]

    def _add_trauma_kind(self, message: Message, text: str) -> None:
        """The kind of trauma told (an entity for the trauma_kind slot), for the hotline that fits."""
        kind = trauma_kind(self.judge.detector.normalize(text))
        entity = {"entity": "trauma_kind", "value": kind, "start": 0, "end": len(text),
                  "extractor": type(self).__name__}
        others = [e for e in message.get(ENTITIES) or [] if e.get("entity") != "trauma_kind"]
        message.set(ENTITIES, others + [entity], add_to_output=True)

    @staticmethod
    def _set(message: Message, intent: str) -> None:
        message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)

    @staticmethod
    def _override(message: Message, decision: SafetyDecision) -> None:
        finding = decision.finding
        crisis = {"name": finding.intent, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != finding.intent]
        message.set(INTENT, crisis, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [crisis] + ranking, add_to_output=True)
        message.set(
            RISK_KEY,
            {"category": finding.category, "handling": finding.handling, "rule": finding.rule_id,
             "source": decision.source},
            add_to_output=True,
        )
