# The two front doors: `make run` and `make test`. Both set everything up first.
.PHONY: setup run test

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

test: setup
	@bash scripts/test.sh
