# photoshop: `make run` serves the site with demo data, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run setup test lint format messages screenshots bench clean

run: setup
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST)/  (admin: http://$(HOST)/admin/)"
	$(BIN)/python manage.py runserver $(HOST)

setup: $(VENV)/.installed messages
	$(BIN)/python manage.py migrate --noinput

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install gettext (apt-get install gettext)"; exit 1; }
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

test: $(VENV)/.installed messages
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark (--quick), one table of figures and ratios; BENCH_ARGS=--full for the full sizes.
bench: $(VENV)/.installed messages
	$(BIN)/python bench/all.py $(BENCH_ARGS)

screenshots: $(VENV)/.installed
	$(BIN)/python scripts/screenshots.py http://$(HOST) screenshots

clean:
	rm -rf $(VENV) db.sqlite3 media archive staticfiles
