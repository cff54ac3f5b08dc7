# The README's two commands live here: `make run` and `make test`.
# Each creates .venv and installs what it needs; nothing is assumed installed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip --disable-pip-version-check --quiet

# The fast lane: unit tests on the fake embedder (one small index, no servers, no browser).
CHECK_TESTS := tests/unit tests/engine/test_bm25.py tests/engine/test_search.py tests/engine/test_substrings.py \
               tests/app/test_citation.py

.PHONY: run test test-models check scale lint index vectors provinces eval bench load clean browser backends

$(VENV)/.run-deps: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	touch $@

# The default test lane needs neither torch nor sentence-transformers (tests/README.md).
$(VENV)/.test-deps: $(VENV)/.run-deps
	$(PIP) install -e '.[test]'
	touch $@

# torch is pinned (==2.13.0, the CPU wheel) by the "st" extra: a bare torch pulls a CUDA build.
$(VENV)/.models-deps: $(VENV)/.test-deps
	$(PIP) install -e '.[models]'
	touch $@

$(VENV)/.milvus-deps: $(VENV)/.run-deps
	$(PIP) install -e '.[milvus]'
	touch $@

## make run: set up, build the index if there is none, serve on http://127.0.0.1:8000/
## (with `backend: milvus` in config.yaml, pymilvus and milvus-lite are installed first)
run: $(VENV)/.run-deps
	@if grep -Eq '^backend:[[:space:]]*milvus' config.yaml; then $(MAKE) --no-print-directory $(VENV)/.milvus-deps; fi
	$(BIN)/plansearch serve --build-if-needed

# Two workers: the tests wait on servers, subprocesses and signals as much as they compute.
WORKERS ?= 2

## make test: set up (Python deps, Debian's Chromium for the browser test), lint, run every tier
## but the models tier, on $(WORKERS) workers
test: $(VENV)/.test-deps browser
	$(BIN)/ruff check .
	$(BIN)/pytest -W error -q -n $(WORKERS) -m "not models"

## make test-models: the models tier (installs torch and sentence-transformers first)
test-models: $(VENV)/.models-deps
	$(BIN)/pytest -W error -q -m models

## make check: the fast lane (under a minute): lint and the unit tests on the fake embedder
check: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -W error -q -m "not slow" $(CHECK_TESTS)

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser test…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .

index: $(VENV)/.run-deps
	$(BIN)/plansearch index

## make vectors: rebuild and rewrite corpus/vectors/<model key>.npz, the vectors a fresh clone
## starts from (run it after changing a corpus text or the model, and commit the file)
vectors: $(VENV)/.run-deps
	$(BIN)/plansearch index --ship-vectors

## make provinces: add the 13 provincial 2026 work reports (collections/provinces) to the corpus and index
provinces: $(VENV)/.run-deps
	$(BIN)/plansearch add --catalog collections/provinces/catalog.yaml

eval: $(VENV)/.run-deps
	$(BIN)/plansearch eval ../shared/eval/dev.jsonl --mode all

## make backends: the dev set on the local and the Milvus (milvus-lite) backend, and their top-10 overlap
backends: $(VENV)/.test-deps
	$(BIN)/python bench/backends.py

$(VENV)/.bench-deps: $(VENV)/.run-deps
	$(PIP) install -e '.[bench]'
	touch $@

bench: $(VENV)/.bench-deps
	$(BIN)/python bench/bench.py

## make scale: the synthetic-scale benchmark at 1×, 10× and 100× the corpus (fake embedder; about 25 minutes on two cores)
scale: $(VENV)/.bench-deps
	$(BIN)/python bench/scale.py

load: $(VENV)/.run-deps
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) index artifacts .pytest_cache .ruff_cache
