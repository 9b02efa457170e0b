# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: run test bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/legalaid run

# pytest exits 5 when it collects nothing: that is a failure here, not a pass.
test: $(STAMP)
	$(BIN)/python -m pytest

$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

# Every web console page at phone and desktop width, in screenshots/ (git-ignored; needs Debian's
# chromium, and a Chinese font such as fonts-noto-cjk, or the Chinese shows as boxes).
screenshots: $(STAMP)
	@fc-list :lang=zh 2>/dev/null | grep -q . || echo "screenshots: no Chinese font found; apt-get install fonts-noto-cjk to see the text"
	$(BIN)/python -m tests.web.screenshots screenshots

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
