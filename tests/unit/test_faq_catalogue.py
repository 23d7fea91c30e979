"""The FAQ catalogue and the choice of closest topics when the assistant is unsure."""
import pytest

from intake.faq import FaqTopic, closest_topics, load_topics


def test_catalogue_has_titles_and_questions():
    topics = load_topics()
    assert len(topics) >= 25
    for key, topic in topics.items():
        assert topic.key == key
        assert topic.title and len(topic.title) <= 40, key  # fits a button on a phone
        assert topic.question.endswith("?"), key


def ranking(*pairs):
    return [{"intent_response_key": f"faq/{key}", "confidence": conf} for key, conf in pairs]


@pytest.mark.parametrize(
    "entries, limit, expected",
    [
        (ranking(("side_effects", 0.4), ("safety", 0.35), ("driving", 0.1), ("addiction", 0.05)), 3,
         ["side_effects", "safety", "driving"]),
        (ranking(("driving", 0.1), ("side_effects", 0.4)), 3, ["side_effects", "driving"]),
        (ranking(("side_effects", 0.4), ("safety", 0.35)), 1, ["side_effects"]),
        (ranking(("no_such_topic", 0.9), ("routes", 0.05)), 3, ["routes"]),
        (ranking(("routes", 0.5), ("routes", 0.4)), 3, ["routes"]),
        ([], 3, []),
    ],
)
def test_closest_topics(entries, limit, expected):
    assert [t.key for t in closest_topics(entries, limit)] == expected


def test_closest_topics_with_an_own_catalogue():
    own = {"a": FaqTopic("a", "A", "A?")}
    assert closest_topics(ranking(("a", 0.2), ("routes", 0.9)), topics=own) == [own["a"]]
