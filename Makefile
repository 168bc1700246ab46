# The two commands of the README: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export CONSULT_INSTANCE_DIR ?= $(CURDIR)/instance
PO := $(wildcard consult/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test lint install translations clean bench screenshots

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

%.mo: %.po $(VENV)/.installed
	$(PY) -m babel.messages.frontend compile -i $< -o $@ --statistics

translations: $(MO)

# Links in e-mail (invitations, resets, notices, reminders) point where `make run` serves.
run: export CONSULT_SERVER_URL ?= http://127.0.0.1:$(PORT)
run: install translations
	$(VENV)/bin/consult db upgrade
	$(VENV)/bin/consult demo --skip-if-not-demo
	@echo
	@echo "  consult is starting on $(CONSULT_SERVER_URL)"
	@echo "  Administrator:  admin@example.org           password: consult-demo-2010"
	@echo "  Delegates:      <code>@delegates.example.org password: consult-demo-2010"
	@echo "                  e.g. che@ (English), fra@ (French), mex@ (Spanish)"
	@echo
	@# The mail worker beside the server, as in production: pages never wait for SMTP.
	$(VENV)/bin/consult mail worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  MAIL_DELIVER_IN_REQUEST=false $(VENV)/bin/flask --app consult run --port $(PORT)

# Compiled modules kept (even where the environment sets PYTHONDONTWRITEBYTECODE): each worker
# otherwise compiles the package and rewrites and compiles every test module on every run.
test: install translations
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -n 2 -p no:cacheprovider

# Every page of every role at 1280 and 360 px in the three languages, as PNG in screenshots/.
screenshots: install translations
	REQUIRE_BROWSER=1 $(PY) -m pytest -p no:cacheprovider -q tests/e2e/screenshots.py

# Every benchmark, then bench/README.md rewritten from their output (several minutes).
bench: install translations
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/run.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/package_cycles.py
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) instance
