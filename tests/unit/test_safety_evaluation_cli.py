"""The safety report's command line: `--every-set` reads every labelled set itself, so it refuses
paths or --frozen beside it rather than silently ignoring them, and it knows every set."""
from __future__ import annotations

import pytest

from intake.safety.evaluation import frozen_split, main, older_sets


@pytest.mark.parametrize("argv", [["--every-set", "tests/safety/risk_eval_set.tsv"], ["--every-set", "--frozen"]])
def test_every_set_refuses_paths_and_frozen(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert "--every-set reads every set itself" in capsys.readouterr().err


def test_every_set_reads_the_three_older_sets_and_both_frozen_files():
    assert [path.name for path in older_sets()] == ["risk_eval_set.tsv", "risk_holdout_set.tsv", "risk_third_set.tsv"]
    assert [path.name for path in frozen_split()] == ["messages_without_risk.tsv", "risk_messages.tsv"]
