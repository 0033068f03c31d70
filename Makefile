# The two commands: `make run` and `make test`. Both work on a fresh machine.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: run test install lint typecheck browser postgres test-postgres bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the real browser test (root on CI; elsewhere install it yourself),
# with a CJK and an emoji font so Chinese/Japanese pages and emoji in drafts are readable.
BROWSER_PKGS := chromium fonts-wqy-microhei fonts-noto-color-emoji
browser:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi wqy \
		&& fc-list 2>/dev/null | grep -qi 'color emoji'; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PKGS); \
	else echo "chromium or a font missing: sudo apt-get install $(BROWSER_PKGS) (the browser test needs them)"; fi

# Debian's PostgreSQL server binaries: the library tests run a second time on a real server that
# the test run starts itself (contentgen/testing_pg.py), never a mock.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	else echo "PostgreSQL missing: sudo apt-get install postgresql (the PostgreSQL test pass needs it)"; exit 1; fi

# The library, workflow, API, plan and queue tests that open a library, on PostgreSQL.
test-postgres: install postgres
	$(BIN)/pytest tests/library tests/api tests/plans tests/queue --backend postgresql

lint: install
	$(BIN)/ruff check contentgen library review_ui tests benchmarks

typecheck: install
	$(BIN)/mypy contentgen library review_ui

test: install browser postgres lint typecheck
	$(BIN)/pytest
	$(BIN)/pytest tests/library tests/api tests/plans tests/queue --backend postgresql

# Seeds demo users and materials, starts the delivery API and the review UI (scripts/run.sh).
run: install
	BIN=$(BIN) ./scripts/run.sh

# Every benchmark runs and prints its ratios; the exit status says whether all targets were met.
bench: install
	status=0; for b in benchmarks/bench_*.py; do $(BIN)/python $$b || status=1; done; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
