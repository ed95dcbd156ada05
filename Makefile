# The two commands a newcomer needs:
#   make run    install, migrate, create the demo project, start web server, two workers
#               (fine-tunes on `training`; imports and fast head refits on `default`) and beat
#   make test   install and run the whole test suite
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export LOOPLABEL_DATA_DIR ?= $(CURDIR)/data

.PHONY: install browser run test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --host http://127.0.0.1:$(PORT)
	@echo "Starting worker, beat and web server on http://127.0.0.1:$(PORT)/ (Ctrl-C stops all three)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A config worker -Q training --pool=solo -n training@%h -l warning & \
	$(BIN)/celery -A config worker -Q default --pool=solo -n default@%h -l warning & \
	$(BIN)/celery -A config beat -l warning & \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Browser tests drive Debian's Chromium; install it where we may (root with apt), never a downloaded build.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); } || \
	  echo "chromium is not installed: browser tests will be skipped"

test: install browser
	$(BIN)/python -m pytest -q
