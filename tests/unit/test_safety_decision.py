"""The safety decision (patterns, then the learned model) with the model setup built, and the
pure parts of how its thresholds are chosen."""
from __future__ import annotations

import numpy as np
import pytest

from intake.safety.decision import (
    CHECK_IN, CRISIS, DISTRESS, HISTORY, NONE, SafetyJudge, default_judge, veto_limit,
)
from intake.safety.detector import RiskFinding
from intake.safety.risk_model import RiskScores
from intake.safety.train_risk_model import choose_thresholds, choose_vetoes, curve


@pytest.fixture(scope="module")
def judge() -> SafetyJudge:
    return default_judge()


def test_a_pattern_finding_is_a_crisis(judge):
    decision = judge.decide("i want to kill myself tonight")
    assert decision.outcome == CRISIS and decision.source == "patterns"
    assert decision.finding.intent == "crisis_suicide"


def test_wording_no_pattern_knows_is_still_engaged_by_the_model(judge):
    for text in ("honestly the world would be lighter without me in it, everyone would finally get a break",
                 "i want to f***ing die", "never been more suicidal"):
        assert judge.detector.detect(text) is None, text
        assert judge.decide(text).outcome in (CRISIS, CHECK_IN), text


def test_denials_and_history_told_as_a_question_are_not_a_crisis(judge):
    for text in ("I have never thought about killing myself", "I don't want to die, I want to get better",
                 "How do I move on from almost being raped?"):
        assert not judge.decide(text).engaged, text


def test_bare_answers_are_never_scored(judge):
    for text in ("no", "never", "skip", "sometimes", "yes"):
        decision = judge.decide(text)
        assert decision.outcome == NONE and decision.risk is None, text


def test_history_and_distress_have_their_own_outcomes(judge):
    assert judge.decide("I was abused by my uncle when I was little, I'm 40 now").outcome == HISTORY
    assert judge.decide("work has been so stressful lately and I can't sleep").outcome == DISTRESS


def test_suicide_attempts_found_by_the_patterns_are_never_set_aside(judge):
    assert not judge.vetoable(RiskFinding("suicide", "past_attempt", "suicide_explicit", "tried"))
    assert not judge.vetoable(RiskFinding("suicide", "past_attempt", "suicide_explicit", "end my life"),
                              "when i was 15 i tried to end my life and spent time inpatient")
    assert not judge.vetoable(RiskFinding("medical_emergency", "past_attempt", "overdose_taken", "took a bunch of pills"),
                              "in 2014 i took a bunch of pills and ended up in the icu")
    assert not judge.vetoable(RiskFinding("suicide", "self", "suicide_history", "survived an attempt"))
    assert not judge.vetoable(RiskFinding("suicide", "self", "suicide_keyword", "suicide"), "i attempted suicide in 2019")
    assert not judge.vetoable(RiskFinding("risk_question", "self", "risk_question", "carbon monoxide"))
    assert judge.vetoable(RiskFinding("in_danger", "self", "in_danger", "raped"), "i was raped in 2009")


def test_a_past_suicidal_act_told_without_the_word_attempt_is_never_set_aside(judge):
    for finding, text in [
        (RiskFinding("medical_emergency", "self", "overdose_keyword", "overdosed"),
         "back in 2015 i overdosed on purpose after my deployment. i'm doing better now"),
        (RiskFinding("suicide", "self", "suicide_explicit", "hanged myself"),
         "when i was 15 i hanged myself but my brother found me, im ok now"),
        (RiskFinding("suicide", "self", "suicide_explicit", "jumped off a bridge"), "i jumped off a bridge in 2010 and survived"),
    ]:
        assert not judge.vetoable(finding, text), text


def test_a_finding_told_in_the_past_without_an_attempt_near_it_may_be_set_aside(judge):
    text = "day whatever of not sleeping. i try everything, tea, apps. i'm tired of being awake all night"
    assert judge.vetoable(RiskFinding("suicide", "self", "suicide_explicit", "tired of being"), text)
    assert judge.vetoable(RiskFinding("self_harm", "past_attempt", "self_harm", "'ve been burned"),
                          "i've been burned out for a year. i used to be good at this")


def test_someone_elses_attempt_told_as_history_may_be_set_aside_but_not_when_it_is_now(judge):
    finding = RiskFinding("suicide", "third_party", "suicide_keyword", "attempted suicide")
    assert judge.vetoable(finding, "my mom attempted suicide when i was 10, she is doing well now")
    assert judge.decide("my mom attempted suicide when i was 10. she's doing great now and we're close").outcome == HISTORY
    assert judge.decide("my brother just tried to kill himself, he's in the bathroom").engaged


def test_thresholds_keep_false_alarms_within_the_budget_and_crisis_quieter_still():
    is_risk = np.array([True] * 4 + [False] * 6)
    hits = np.array([True, False, False, False] + [False] * 6)
    probabilities = np.array([0.9, 0.8, 0.5, 0.3, 0.6, 0.2, 0.1, 0.1, 0.05, 0.01])
    points = curve(is_risk, hits, hits, probabilities, veto=np.zeros(10))
    chosen = choose_thresholds(points, {"check_in_model_false_alarms": 0.0, "crisis_false_alarms": 0.0,
                                        "history": 0.5, "distress": 0.5,
                                        "veto_confidence": 0.8}, {})
    assert chosen["check_in"] == 0.62  # the lowest threshold above the riskiest message without risk
    assert chosen["crisis"] >= chosen["check_in"]


def test_a_pattern_finding_the_model_scores_far_below_any_caught_risk_is_set_aside(judge):
    text = "I've been burned out at work for a year and I just stare at my screen for hours"
    finding = judge.detector.detect(text)
    assert finding is not None and finding.category == "self_harm"  # "burned" read as a burn
    decision = judge.decide(text)
    assert decision.risk < judge.thresholds["pattern_veto"]["any"]
    assert not decision.engaged and decision.outcome == DISTRESS


def test_the_veto_for_any_reading_holds_without_confidence_and_history_keeps_its_higher_one(judge):
    vetoes = judge.thresholds["pattern_veto"]
    unsure = RiskScores(0.0, "suicide", "none", 0.4)
    assert veto_limit(unsure, judge.thresholds) == vetoes["any"] > 0
    sure_history = RiskScores(0.0, "in_danger", "history", 0.95)
    assert veto_limit(sure_history, judge.thresholds) == max(vetoes["any"], vetoes["history"])


def test_the_veto_for_any_reading_is_a_fraction_of_the_lowest_caught_risk_score():
    scores = [RiskScores(0.4, "suicide", "none", 0.5), RiskScores(0.1, "in_danger", "history", 0.9),
              RiskScores(0.001, "suicide", "none", 0.5)]
    is_risk, vetoable = np.array([True, True, False]), np.array([True, True, True])
    vetoes = choose_vetoes(is_risk, vetoable, scores, {"veto_confidence": 0.8, "pattern_veto_fraction": 0.25,
                                                       "veto_readings": ["history"],
                                                       "any_reading_veto_fraction": 0.5})
    assert vetoes == {"any": 0.05, "history": 0.025}


def test_the_model_scores_one_message_as_scikit_learn_does(judge):
    texts = ["ok", "i want to die", "¿tienen citas los sábados?", "work was awful again today. " * 30]
    normalized = [judge.detector.normalize(text) for text in texts]
    vectors = np.random.default_rng(7).normal(size=(len(texts), judge.model.vector_size()))
    expected = judge.model.scores_many(normalized, vectors)
    for text, vector, want in zip(normalized, vectors, expected):
        got = judge.model.scores(text, vector)
        assert got.category == want.category and got.disclosure == want.disclosure
        assert abs(got.risk - want.risk) < 1e-5 and abs(got.disclosure_probability - want.disclosure_probability) < 1e-5

