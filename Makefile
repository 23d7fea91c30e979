# The two front doors: `make run` and `make test`. Both set everything up first.

# Rasa sends usage telemetry and crash reports to Rasa's servers unless told not to. A clinic's
# assistant sends nothing anywhere: every Rasa command started from here has it off.
export RASA_TELEMETRY_ENABLED := false
.PHONY: setup run test

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

test: setup
	@bash scripts/test.sh

# Benchmark of the safety decision (patterns; patterns + model) per message: p50 / p99.
.PHONY: bench-detector safety-report
bench-detector: setup
	@PYTHONPATH=. TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python -m bench.detector

# End-to-end benchmark against a fresh `rasa init` assistant: training time, start-up, latency and
# throughput over REST (1 and 20 conversations at once), memory, 1 vs 2 Sanic workers on
# PostgreSQL + Redis. Prints a table with the targets and writes build/bench/results.json.
# `make bench BENCH_ARGS=--skip-training` reuses the trained models (minutes instead of ~15).
.PHONY: bench
bench: setup
	@PYTHONPATH=. TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 .venv/bin/python -m bench.run $(BENCH_ARGS)

# The safety decision on the labelled sets, per category: patterns alone, model alone, combined.
# The older sets (100% recall), then the frozen test split (target: >= 98% recall, <= 3% false alarms).
safety-report: setup
	@PYTHONPATH=. TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python -m intake.safety.evaluation --every-set

# 5-fold cross-validation of the NLU data (trains five models and also scores each fold's training half: over an hour on 2 cores).
.PHONY: nlu-crossval
nlu-crossval: setup
	@rm -rf results/crossval && TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH=. .venv/bin/rasa test nlu --nlu data --config config.yml --cross-validation --folds 5 --out results/crossval --quiet
	@PYTHONPATH=. .venv/bin/python -m tests.support.nlu_report results/crossval --metric macro-f1 --floor 0.92 0.90
