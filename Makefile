# Customer Garden — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PORT ?= 8000
# The demo's identity provider (single sign-on for the first demo account and for staff).
SSO_PORT ?= $(shell echo $$(( $(PORT) + 1 )))
DEMO_SSO := SSO_PORT=$(SSO_PORT) STAFF_SSO_PROTOCOL=oidc STAFF_SSO_DOMAINS=customergarden.example \
	STAFF_SSO_ISSUER=http://127.0.0.1:$(SSO_PORT) STAFF_SSO_CLIENT_ID=customer-garden-staff \
	STAFF_SSO_CLIENT_SECRET=demo-only-staff-secret \
	OUTBOUND_ALLOW_LOOPBACK=1

.PHONY: install demo run worker beat test test-fast lint format bench bench-api bench-scale bench-fanout load profile-pages migrate seed clean schema screenshots

$(UV):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	UV_PYTHON=$(PYTHON) $(UV) sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node 18+) is needed for the front-end packages"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## install: Python packages (pinned by uv.lock) and front-end packages (pinned by package-lock.json)
install: $(VENV)/.installed node_modules/.installed

migrate: install
	$(MANAGE) migrate --noinput

## demo: install, migrate, seed once, then run web + Celery worker + beat + the demo's identity
## provider on $(SSO_PORT) with honcho (demo/procfile.py; Ctrl-C stops all, warmly, no error)
demo: migrate
	$(MANAGE) seed_demo --if-empty
	@echo ""
	@echo "  Customer Garden is starting at http://127.0.0.1:$(PORT)/"
	@echo "  The emails it sends (invitations, mentions, digests, alerts): http://127.0.0.1:$(PORT)/demo/emails/"
	@echo "  Ctrl-C stops web, worker, beat and the identity provider."
	@echo ""
	@$(DEMO_SSO) PORT=$(PORT) SITE_URL=http://127.0.0.1:$(PORT) $(PY) -m demo.procfile -f Procfile.dev start

## run / worker / beat: one process each, for development (the worker consumes all four queues)
run: migrate
	$(MANAGE) runserver 127.0.0.1:$(PORT)
worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=2
beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

## test: the whole suite (SQLite unless DATABASE_URL is set; services tests need Redis/Chromium)
test: install
	$(VENV)/bin/pytest -n 2 --dist=loadgroup --durations=30

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null

## schema: write the committed OpenAPI schema (tests/api/test_schema_committed.py compares it)
schema: install
	$(MANAGE) spectacular --validate --fail-on-warn --file docs/openapi.yaml

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

seed: migrate
	$(MANAGE) seed_demo

## bench: docs/benchmark-report.md in one go, on PostgreSQL (DATABASE_URL=postgres://…/scratch
## make bench; it seeds the demo there and in <scratch>_large, and adds the engagement data):
## page and API latency against a bare view on gunicorn, query counts of every list at two
## sizes, and the engagement engine against a hand-written SQL lower bound.
## Full engagement size: $(MANAGE) bench_engagement --accounts 10000 --events 5000000
## It first measures the API's requests/s per list endpoint as a share of the bare view's, with
## wrk, before the engagement data is added: docs/api-throughput-report.md, as make bench-api
## (below) writes it alone.
BENCH_ACCOUNTS ?= 2000
BENCH_EVENTS ?= 1000000
bench: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make bench needs PostgreSQL: DATABASE_URL=postgres://user@host:5432/scratch make bench"; exit 1;; esac
	@command -v wrk >/dev/null || { echo "make bench needs wrk for the API's requests/s (apt-get install wrk)"; exit 1; }
	$(MANAGE) migrate --noinput
	$(MANAGE) bench_api $(BENCH_API_ARGS)
	$(MANAGE) bench_report --engagement-accounts $(BENCH_ACCOUNTS) --engagement-events $(BENCH_EVENTS)

## bench-api: requests/s of every API list endpoint (page size 25) with wrk on gunicorn (2
## workers), as a share of the bare /healthz/ view's in the same run (issue 16, item 4: target
## >= 25%); writes docs/api-throughput-report.md. Needs wrk (apt-get install wrk); about 12 s
## per endpoint (7 s with --seconds 5 --warmup 1): DATABASE_URL=postgres://.../scratch make
## bench-api  (BENCH_API_ARGS="--only ideas --port 8766"; manage.py bench_api --help)
BENCH_API_ARGS ?=
bench-api: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make bench-api needs PostgreSQL: DATABASE_URL=postgres://user@host:5432/scratch make bench-api"; exit 1;; esac
	@command -v wrk >/dev/null || { echo "make bench-api needs wrk (apt-get install wrk)"; exit 1; }
	$(MANAGE) migrate --noinput
	$(MANAGE) bench_api $(BENCH_API_ARGS)

## bench-scale: the full-size data set of issue 16 in a scratch PostgreSQL database, built once
## (set-based SQL, 4 to 9 minutes at full size on 2 cores; docs/bench-scale.md), then reused,
## and every screen timed and counted on it (bench_full_size: docs/benchmark-full-size.md):
## DATABASE_URL=postgres://…/scratch make bench-scale   (BENCH_SCALE=0.05 for a twentieth)
BENCH_SCALE ?= 1.0
bench-scale: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make bench-scale needs PostgreSQL: DATABASE_URL=postgres://user@host:5432/scratch make bench-scale"; exit 1;; esac
	$(MANAGE) migrate --noinput
	$(MANAGE) bench_scale_data --scale $(BENCH_SCALE)
	$(MANAGE) bench_full_size --scale $(BENCH_SCALE)

## bench-fanout: a harvest published to FANOUT_PEOPLE people through the page's POST, with a real
## worker: the request's time and the worker's (docs/architecture.md, "Telling a large audience")
FANOUT_PEOPLE ?= 100000
bench-fanout: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make bench-fanout needs PostgreSQL: DATABASE_URL=postgres://user@host:5432/scratch"; exit 1;; esac
	$(MANAGE) migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.bench $(MANAGE) bench_fanout --people $(FANOUT_PEOPLE)

## load: the locust scenario (three personas) against gunicorn + a Celery worker and beat on
## 127.0.0.1, PostgreSQL and Redis; fails unless zero 5xx/timeouts/failures, p95 < 300 ms and
## p99 < 800 ms; writes docs/load-report.md with the gunicorn CPU ms per request and the
## requests/s 2 cores sustain. It migrates and seeds the scratch database once:
## DATABASE_URL=postgres://…/scratch REDIS_URL=redis://…/n make load  (LOAD_USERS=50 LOAD_TIME=5m
## LOAD_THINK=3-10 LOAD_PORT=8610, a think time before every click; LOAD_PACE=task: between tasks
## only; issue 16's heavier run: LOAD_USERS=150 LOAD_THINK=1-3)
LOAD_USERS ?= 50
LOAD_TIME ?= 5m
LOAD_THINK ?= 3-10
LOAD_PORT ?= 8610
load: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make load needs PostgreSQL: DATABASE_URL=postgres://user@host:5432/scratch REDIS_URL=redis://host:6379/n make load"; exit 1;; esac
	@case "$$REDIS_URL" in redis*) ;; *) echo "make load needs Redis: REDIS_URL=redis://host:6379/n"; exit 1;; esac
	LOAD_THINK=$(LOAD_THINK) $(PY) -m tests.perf.load --users $(LOAD_USERS) --time $(LOAD_TIME) --port $(LOAD_PORT)

## profile-pages: CPU ms and queries of every page of the load mix, in-process (bench settings,
## DEBUG off) on the seeded demo; PAGE="/ideas/[id]/" prints cProfile's functions for one page
## (DATABASE_URL=postgres://…/scratch make profile-pages; seed it first, or let make load do it)
PAGE ?=
profile-pages: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make profile-pages needs PostgreSQL: DATABASE_URL=postgres://user@host:5432/scratch"; exit 1;; esac
	DJANGO_SETTINGS_MODULE=config.settings.bench $(MANAGE) profile_pages $(if $(PAGE),--profile "$(PAGE)")

## screenshots: every demo role's home and main pages, full page at 1366 and 390 px, into
## var/screenshots/demo/<role>/ (seeds the demo once if the database is empty; needs Chromium)
screenshots: migrate
	$(MANAGE) seed_demo --if-empty
	$(MANAGE) demo_screenshots

clean:
	rm -rf var/ .venv/ .uv/ node_modules/
