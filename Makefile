# The two commands a newcomer needs:
#   make run    install, migrate, create the demo project, start the web server (gunicorn, sized to the
#               machine by config/gunicorn.py), two workers (fine-tunes on `training`; imports, fast head
#               refits and the look at new labels on `default`) and beat
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
	@echo "Starting workers, beat and web server on http://127.0.0.1:$(PORT)/ (Ctrl-C stops them all)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A config worker -Q training --pool=solo -n training@%h -l warning & \
	$(BIN)/celery -A config worker -Q default --pool=solo -n default@%h -l warning & \
	$(BIN)/celery -A config beat -l warning & \
	$(BIN)/gunicorn -c config/gunicorn.py --bind 127.0.0.1:$(PORT) config.wsgi

# Browser tests drive Debian's Chromium; install it where we may (root with apt), never a downloaded build.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); } || \
	  echo "chromium is not installed: browser tests will be skipped"

test: install browser
	$(BIN)/python -m pytest -q
