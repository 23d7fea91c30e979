"""The risk corpus and the frozen test split: sizes, labels, and the split's independence."""
from __future__ import annotations

from pathlib import Path

import pytest

from intake.safety import train_risk_model
from intake.safety.evaluation import older_sets
from intake.safety.near_duplicates import DEFAULT_THRESHOLD, near_duplicates
from intake.safety.risk_model import DISCLOSURES, RISK_CATEGORIES, read_corpus_file

FROZEN = sorted((Path(__file__).parents[1] / "safety" / "frozen").glob("*.tsv"))


@pytest.fixture(scope="module")
def corpus():
    return train_risk_model.load_training_corpus()


def test_the_corpus_has_thousands_of_messages_of_each_side(corpus):
    written = [row for path in sorted(train_risk_model.CORPUS_DIR.glob("*.tsv")) for row in read_corpus_file(path)]
    assert sum(row.is_risk for row in written) >= 3000
    assert sum(not row.is_risk for row in written) >= 3000
    for label in RISK_CATEGORIES + DISCLOSURES:
        assert sum(row.label == label for row in corpus) >= 100, label


def test_spanish_is_in_the_corpus():
    spanish = read_corpus_file(train_risk_model.CORPUS_DIR / "written_spanish.tsv")
    assert sum(row.is_risk for row in spanish) >= 300 and sum(not row.is_risk for row in spanish) >= 300


def test_the_frozen_split_is_never_read_by_training():
    sources = [*train_risk_model.CORPUS_DIR.glob("*.tsv"), *older_sets(), *train_risk_model.NLU_FILES]
    assert FROZEN and not any("frozen" in str(path) for path in sources)


def test_no_training_message_is_a_near_duplicate_of_a_frozen_test_message(corpus):
    test_texts = [row.text for path in FROZEN for row in read_corpus_file(path)]
    pairs = near_duplicates([row.text for row in corpus], test_texts, DEFAULT_THRESHOLD)
    assert not pairs, [(corpus[i].text, test_texts[j], similarity) for i, j, similarity in pairs[:10]]


def test_near_duplicates_are_found_and_paraphrases_are_not():
    pairs = near_duplicates(["i wanna die tonight", "can I bring music"], ["I wanna die tonight!!", "is parking free"])
    assert [(i, j) for i, j, _ in pairs] == [(0, 0)]


def test_a_corpus_line_with_an_unknown_label_is_refused(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("label\tkind\ttext\nsuicidal\tx\thello\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown label"):
        read_corpus_file(path)
