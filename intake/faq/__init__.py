"""The FAQ: topic catalogue and the choice of topics to offer when the assistant is unsure."""
from intake.faq.catalogue import FaqTopic, closest_topics, load_topics

__all__ = ["FaqTopic", "closest_topics", "load_topics"]
