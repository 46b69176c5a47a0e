# tuoyu — 临海市普惠托育公共服务平台
#   make demo   set up the embedded (SQLite) platform with synthetic Linhai data and serve it
#   make test   install what the tests need and run the whole suite (DATABASE_URL switches to PostgreSQL)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
export TUOYU_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test lint bench bench-dashboard messages clean-demo

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	mkdir -p $(TUOYU_VAR_DIR)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_linhai
	@echo ""
	@echo "tuoyu 临海市普惠托育公共服务平台（示例数据 / synthetic data）: http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed lint
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check tuoyu benchmarks tools
	$(VENV)/bin/ruff format --check tuoyu benchmarks tools
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy tuoyu benchmarks tools

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l en --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py compilemessages -l en --ignore '.venv/*'

# Side-by-side benchmarks with the peer libraries (the 'bench' extra: PySAL access, spopt, PuLP, matching).
bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) benchmarks/access_vs_pysal.py
	$(PY) benchmarks/siting_vs_spopt.py
	$(PY) benchmarks/plan_linhai.py
	$(PY) benchmarks/plan_scale.py
	$(PY) benchmarks/matching_vs_peer.py
	$(PY) benchmarks/supervision_scale.py

# The dashboard at province size, on PostgreSQL (DATABASE_URL; add --generate the first time).
bench-dashboard: $(VENV)/.installed
	$(PY) benchmarks/dashboard.py

clean-demo:
	rm -f $(TUOYU_VAR_DIR)/tuoyu.sqlite3
