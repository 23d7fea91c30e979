"""The safety decision for one message: the patterns, then the learned model.

One place decides what a message is, for every channel and every state of the conversation:
- crisis: the patterns found a risk, or the model is confident of one; the crisis protocol of the
  category answers at once. The patterns are the floor: a finding is set aside only when the
  model confidently reads the message as trauma told as history and its risk score is below the
  veto (a quarter of the lowest score it gives any development risk message the patterns catch
  and it reads that way), which is how a rape told as history years ago stops getting "I'm so
  sorry this is happening"; suicide attempts and lethal-means questions are never set aside;
- check_in: the model is unsure; the person is asked directly whether they are thinking of
  harming themselves or are in danger (asking costs little, silence could cost a life). Even when
  the model's category head reads the message as about someone else: it also read a veteran's
  own plan, told in Spanish after his wife and children left, as someone else's;
- history: trauma told as past; a warm acknowledgement, no present-tense assumption;
- distress: ordinary emotional pain without risk; empathy and an offer, not the suicide question;
- none: anything else; the rest of the assistant answers.
A bare answer word ("no", "skip", "sometimes") carries nothing by itself and is never scored.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import numpy as np

from intake.safety.detector import RiskDetector, RiskFinding, default_detector, words_around
from intake.safety.risk_model import RiskModel, RiskScores
from intake.safety.sentence_vectors import SentenceVectors
from intake.screening.answers import is_bare_answer

CRISIS, CHECK_IN, HISTORY, DISTRESS, NONE = "crisis", "check_in", "history", "distress", "none"
# The category an alert records for a check-in (the model was unsure, so there is no category).
POSSIBLE_RISK = "possible_risk"
ENGAGED = (CRISIS, CHECK_IN)
MODEL_RULE = "learned_model"
# The pattern veto that holds whatever the model reads the message as (risk_model.yml).
ANY_READING = "any"
# Findings the model may never set aside: the person's own suicide attempt, told as past or not
# (it has a reply of its own, the ASQ counts it, and the model reads a past attempt as history,
# which says nothing of the risk): a rule that names an attempt or an overdose taken, or words of
# an attempt or of a suicidal act in or next to what the patterns found ("i tried to end my life",
# "i overdosed on purpose", "i hanged myself when i was 15"; an overdose alone is not one: "od'd on
# fentanyl in 2020, 3 years clean"); and questions about lethal means (the
# model reads them as ordinary questions; answering one is wrong whoever asks). A finding told in
# the past tense without an attempt ("i used to be tired of living", "i've been burned out") may
# be set aside like any other.
NEVER_VETOED_RULES = {"suicide_history"}
NEVER_VETOED_OWN_RULES = {"overdose_taken"}
NEVER_VETOED_CATEGORIES = {"risk_question"}
ATTEMPT_CATEGORIES = ("suicide", "self_harm", "medical_emergency")
# A long message's sentence vector is mostly its other words ("blah " * 400 + "i want to kill
# myself" scores as "blah"): before the model sets a finding aside there, it also reads the words
# around the finding on their own, and the finding stands if either reading is above the veto.
LONG_MESSAGE_WORDS = 40
FINDING_WINDOW_BEFORE, FINDING_WINDOW_AFTER = 12, 6


@dataclass(frozen=True)
class SafetyDecision:
    """What to do with one message, and why."""

    outcome: str
    finding: Optional[RiskFinding] = None
    source: str = ""  # "patterns", "model" or "" (nothing found)
    risk: Optional[float] = None  # the model's probability, when it was asked

    @property
    def engaged(self) -> bool:
        """The safety layer answers this message itself (crisis protocol or check-in)."""
        return self.outcome in ENGAGED


# The crisis reply given for a check-in where the question cannot be asked and its answer waited
# for (a failed or late turn): the resources the question would have led to.
CHECK_IN_CATEGORY = "suicide"


def reply_category(decision: SafetyDecision) -> Optional[str]:
    """The crisis reply (utter_crisis_<category>) a message calls for where the conversation cannot
    answer it itself; None: no risk."""
    if decision.outcome == CRISIS and decision.finding is not None:
        return decision.finding.category
    return CHECK_IN_CATEGORY if decision.engaged else None


def veto_limit(scores: RiskScores, thresholds: dict) -> float:
    """Below this risk score the model sets a pattern finding aside: one limit for any reading
    ("any": far below every development risk message the patterns catch), and a higher one for
    trauma told as history when the model holds that reading confidently."""
    vetoes = thresholds["pattern_veto"]
    limit = float(vetoes.get(ANY_READING, 0.0))
    if scores.disclosure_probability >= thresholds["veto_confidence"]:
        limit = max(limit, float(vetoes.get(scores.disclosure, 0.0)))
    return limit


def finding_window(finding: RiskFinding, normalized_text: str) -> Optional[str]:
    """The words around a finding in a long message (None in a short one, or when the found
    words cannot be located)."""
    if len(normalized_text.split()) <= LONG_MESSAGE_WORDS:
        return None
    return words_around(finding, normalized_text, FINDING_WINDOW_BEFORE, FINDING_WINDOW_AFTER)


def model_finding(scores: RiskScores) -> RiskFinding:
    """A crisis the model found: the category it names, for the reply that fits."""
    if scores.category == "third_party":
        return RiskFinding("suicide", "third_party", MODEL_RULE, "")
    return RiskFinding(scores.category, "self", MODEL_RULE, "")


class SafetyJudge:
    """Patterns and model together. Build once per process; `decide` is cheap when the caller
    already has the message's MiniLM sentence vector (the Rasa pipeline has)."""

    def __init__(self, detector: RiskDetector, model: RiskModel,
                 vectors: Optional[SentenceVectors] = None) -> None:
        self.detector = detector
        self.model = model
        self._vectors = vectors
        self.thresholds = model.thresholds

    def warm_up(self) -> None:
        """Build the matchers and run the model once, without the sentence encoder: a channel warms
        up in the server's first process, and TensorFlow started there before Sanic forks its
        workers hangs them (seen with two workers; see SentenceVectors)."""
        self.detector.detect("hello there")
        self.model.scores(self.detector.normalize("hello there"), np.zeros(self.model.vector_size()))

    @property
    def vectors(self) -> SentenceVectors:
        if self._vectors is None:
            self._vectors = SentenceVectors()
        return self._vectors

    def decide(self, text: str, vector: Optional[np.ndarray] = None) -> SafetyDecision:
        if not text or not text.strip():
            return SafetyDecision(NONE)
        finding = self.detector.detect(text)
        if finding is None and is_bare_answer(text):
            return SafetyDecision(NONE)
        scores = self.model_scores(text, vector)
        if finding is not None and not self.set_aside(finding, self.detector.normalize(text), scores):
            return SafetyDecision(CRISIS, finding, "patterns", scores.risk)
        return self.judge_scores(scores)

    def set_aside(self, finding: RiskFinding, normalized_text: str, scores: RiskScores) -> bool:
        """Whether the model sets this pattern finding aside: it may, and its score of the whole
        message (and, in a long message, of the words around the finding) is below the veto."""
        if not self.vetoable(finding, normalized_text) or scores.risk >= veto_limit(scores, self.thresholds):
            return False
        around = finding_window(finding, normalized_text)
        if around is None:
            return True
        near = self.model.scores(around, self.vectors.sentence_vector(around))
        return near.risk < veto_limit(near, self.thresholds)

    def vetoable(self, finding: RiskFinding, normalized_text: str = "") -> bool:
        """Whether the model may set this pattern finding aside: never the person's own suicide
        attempt or a question about lethal means. Someone else's attempt told as history ("my mom
        attempted suicide when I was 10") may be; told as happening now, the model scores it high."""
        if finding.rule_id in NEVER_VETOED_RULES or finding.category in NEVER_VETOED_CATEGORIES:
            return False
        if finding.handling == "third_party":
            return True
        if finding.rule_id in NEVER_VETOED_OWN_RULES:
            return False
        return not (finding.category in ATTEMPT_CATEGORIES
                    and self.detector.names_attempt(finding, normalized_text))

    def model_scores(self, text: str, vector: Optional[np.ndarray] = None) -> RiskScores:
        """The model's scores for the whole message (its MiniLM vector is made here when the caller
        has none)."""
        if vector is None:
            vector = self.vectors.sentence_vector(text)
        return self.model.scores(self.detector.normalize(text), vector)

    def judge_scores(self, scores: RiskScores) -> SafetyDecision:
        """The outcome of the model's scores alone (no pattern found anything)."""
        limits = self.thresholds
        if scores.risk >= limits["crisis"]:
            return SafetyDecision(CRISIS, model_finding(scores), "model", scores.risk)
        if scores.risk >= limits["check_in"]:
            return SafetyDecision(CHECK_IN, None, "model", scores.risk)
        if scores.disclosure == HISTORY and scores.disclosure_probability >= limits["history"]:
            return SafetyDecision(HISTORY, None, "model", scores.risk)
        if scores.disclosure == DISTRESS and scores.disclosure_probability >= limits["distress"]:
            return SafetyDecision(DISTRESS, None, "model", scores.risk)
        return SafetyDecision(NONE, None, "", scores.risk)


@lru_cache(maxsize=1)
def default_judge() -> SafetyJudge:
    """The process-wide judge: the shared detector and the model setup built (build/risk_model)."""
    return SafetyJudge(default_detector(), RiskModel.load())
