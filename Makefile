# Dutch ALS assistant. `make run` sets everything up and starts it;
# `make test` sets everything up and runs every test. `make help` lists targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

-include .env
# A .env without one of its secrets is remade; make then reads it again.
ifeq ($(and $(strip $(ACTION_SERVER_TOKEN)),$(strip $(SESSION_SECRET))),)
.env: FORCE
endif
FORCE:
RASA_PORT ?= 5005
ACTION_PORT ?= 5055
RASA_PORT := $(or $(RASA_PORT),5005)
ACTION_PORT := $(or $(ACTION_PORT),5055)
ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export RASA_PORT ACTION_PORT ACTION_ENDPOINT_URL DATABASE_URL TRACKER_DB_URL LOG_LEVEL \
  MODEL_SERVER_PORT ACTION_SERVER_TOKEN
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
export PYTHONHASHSEED := 0

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
INSTALLED := $(VENV)/.installed
WEBCHAT_INSTALLED := webchat/node_modules/.installed
NLP_MODEL := var/nlp/nl_als/meta.json
DEDUCE_TABLES := $(VENV)/lib/python3.10/site-packages/deduce/data/lookup/cache/lookup_structs.pickle
MODEL := models/als-assistent.tar.gz
LIVE_MODEL := var/live/model.tar.gz
LOOKUP := data/nlu/lookups/study.yml
DATA_FILES := $(shell find data -name '*.yml' 2>/dev/null) $(LOOKUP)
MODEL_CODE := components/intent_classifier.py components/safety_gate.py components/other_illness.py components/parse_data.py content/conditions.yml \
  components/action_fallback.py \
  $(wildcard bot/nlp/*.py) $(wildcard bot/safety/*.py) $(wildcard content/safety/*.yml)
RESULTS := var/results

.PHONY: help setup run webchat test lint types validate content-lint pytest heldout test-stories \
        db nlp privacy-tables model train publish eval shell actions lock clean \
        bench bench-quick bench-latency bench-accuracy bench-train audit purge \
        cluster cluster-stop cluster-status loadtest

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.env: .env.example
	@test -f .env || cp .env.example .env
	@scripts/ensure-secrets.sh .env
	@touch .env

$(INSTALLED): requirements.lock pyproject.toml
	@test -x $(PY) || "$$(scripts/find-python310.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==24.0
	$(PY) -m pip install --quiet --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	@touch $@

$(NLP_MODEL): $(INSTALLED) $(shell find bot/nlp -name '*.py')
	$(PY) -m bot.nlp.pipeline

nlp: $(NLP_MODEL) ## Build the project's Dutch spaCy pipeline

# deduce (masking of personal data) builds its lookup tables once per install
# (about 90 s); every process then loads them in a few seconds.
$(DEDUCE_TABLES): $(INSTALLED)
	$(PY) -c "from deduce import Deduce; Deduce()"
	@touch $@

privacy-tables: $(DEDUCE_TABLES) ## Build deduce's lookup tables (masking of personal data)

$(WEBCHAT_INSTALLED): webchat/package.json webchat/package-lock.json
	npm ci --prefix webchat --no-audit --no-fund
	@touch $@

webchat: $(WEBCHAT_INSTALLED) ## Install the web chat's npm packages from its lock file

db: $(INSTALLED) .env ## Create or upgrade the database and load content/catalog.yml
	$(PY) -m bot db upgrade
	$(PY) -m bot db seed

$(LOOKUP): $(INSTALLED) content/catalog.yml
	$(PY) -m bot lookup

$(MODEL): $(INSTALLED) $(NLP_MODEL) config.yml domain.yml $(DATA_FILES) $(MODEL_CODE)
	$(RASA) train --fixed-model-name als-assistent --out models --quiet

model: $(MODEL) ## Train a model when none exists or the data changed

$(LIVE_MODEL): $(MODEL)
	$(PY) -m components.model_check $(MODEL)
	$(PY) -m bot.model_server --publish $(MODEL)

publish: $(LIVE_MODEL) ## Check the trained model and make it live (a running server picks it up)

train: $(INSTALLED) validate content-lint $(MODEL) ## Content loop: validate, lint, train, evaluate, compare, publish
	$(PY) scripts/evaluate.py --model $(MODEL) --min-accuracy 0.95
	@$(MAKE) --no-print-directory publish

eval: $(INSTALLED) $(NLP_MODEL) ## Cross-validation on the training data; report and plots in var/reports/crossval
	rm -rf var/reports/crossval
	$(RASA) test nlu --nlu data --config config.yml --cross-validation --folds 5 \
	  --out var/reports/crossval --quiet
	$(PY) scripts/crossval_summary.py var/reports/crossval

setup: .env $(INSTALLED) $(DEDUCE_TABLES) $(WEBCHAT_INSTALLED) $(NLP_MODEL) db $(MODEL) ## Every set-up step, no start

run: setup $(LIVE_MODEL) ## Set up and start the assistant (REST at /webhooks/rest/webhook)
	scripts/run.sh

actions: setup ## Start only the action server
	$(PY) -m components.action_server --port $(ACTION_PORT)

shell: setup ## Talk to the assistant in the terminal (starts the action server too)
	scripts/run.sh shell

lint: $(INSTALLED) ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

content-lint: $(INSTALLED) ## Content linter: sources, length, contact details, readability
	$(PY) -m bot lint

types: $(INSTALLED) ## mypy on the project's code
	$(VENV)/bin/mypy bot actions components ops bench

validate: $(INSTALLED) ## rasa data validate, warnings count as errors
	scripts/validate.sh

pytest: setup $(LIVE_MODEL) ## pytest (unit, actions, databases, REST, web chat, cluster)
	scripts/ensure-cluster-packages.sh
	scripts/ensure-chromium.sh
	$(PY) -m pytest

heldout: setup ## Intent accuracy on the held-out test set (must be >= 0.95)
	$(PY) scripts/evaluate.py --model $(MODEL) --min-accuracy 0.95

test-stories: setup ## Test stories for every topic and safety path
	$(RASA) test core --stories tests/test_stories.yml --model $(MODEL) --out $(RESULTS)/core --fail-on-prediction-errors --quiet

test: setup lint types validate content-lint pytest heldout test-stories ## Set up and run every test
	@# This machine cannot reach a vulnerability database: the audit runs, says
	@# loudly that it could not check, and does not fail the build (`make audit` does).
	PIP_AUDIT_UNREACHABLE=warn scripts/audit.sh
	@echo "All tests passed."

bench: setup ## Run every benchmark and record bench/results.md (5 to 15 min)
	$(PY) -m bench

bench-quick: setup ## Benchmarks without the slow DIET baseline
	$(PY) -m bench --skip-diet

bench-latency: setup ## REST turn latency, 1 and 20 conversations
	$(PY) -m bench.latency

bench-accuracy: setup ## Held-out accuracy against the rasa init and sklearn baselines
	$(PY) -m bench.accuracy

bench-train: setup ## Full and incremental training times
	$(PY) -m bench.train

cluster: setup $(LIVE_MODEL) ## Scale-out on loopback: nginx, Rasa x2, action servers x2, PostgreSQL, Redis
	scripts/ensure-cluster-packages.sh
	$(PY) -m ops.cluster up

cluster-stop: $(INSTALLED) ## Stop the cluster `make cluster` started
	$(PY) -m ops.cluster down

cluster-status: $(INSTALLED) ## Where the running cluster listens
	$(PY) -m ops.cluster status

loadtest: setup $(LIVE_MODEL) ## Load test through the cluster (starts and stops one if none runs)
	scripts/ensure-cluster-packages.sh
	$(PY) -m bench.loadtest $(LOADTEST_ARGS)

audit: ## Dependency audit: pip-audit of requirements.lock (accepted ids: security/pip-audit-exceptions.txt)
	scripts/audit.sh

purge: $(INSTALLED) .env ## Delete conversations older than RETENTION_DAYS from the tracker store
	$(PY) -m bot privacy purge

lock: ## Regenerate requirements.lock from requirements.in
	$(PY) -m pip install --quiet -r requirements.in
	( echo '# Pinned set installed by `make` (generated by `make lock` from requirements.in).'; \
	  $(PY) -m pip freeze --all --exclude-editable | grep -v '^pip==' ) > requirements.lock

clean: ## Remove trained models and generated files (keeps the virtualenv)
	rm -rf models/*.tar.gz var/nlp $(RESULTS)
