"""Shared fixtures: three users (lead, annotator, outsider), projects built through the
real services, API clients, a tiny BERT so model tests run in seconds on 2 cores, real
Celery worker processes, and a broker or a database that is down."""
import io
import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from rest_framework.test import APIClient

from labeling.services.importing import run_import, start_import
from labeling.services.projects import create_project, set_member

LABELS = [{"name": "positive"}, {"name": "neutral"}, {"name": "negative"}]


class Upload(io.BytesIO):
    """An in-memory file with the `name` and `chunks()` of a Django upload."""

    def __init__(self, content, name):
        super().__init__(content.encode("utf-8") if isinstance(content, str) else content)
        self.name = name

    def chunks(self, size=64 * 1024):
        while chunk := self.read(size):
            yield chunk


def pytest_collection_modifyitems(items):
    """Tests with a real worker process run first.

    On SQLite the worker writes the test database from another process; after the session's
    live server (browser tests) and the transactional tests before it, the test process stopped
    seeing the worker's commits (and once reported the file as malformed), so these tests run
    before anything else touches the database file. PostgreSQL does not care about the order.
    """
    items.sort(key=lambda item: item.get_closest_marker("worker") is None)


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path):
    settings.LOOPLABEL_UPLOADS_DIR = tmp_path / "uploads"
    settings.LOOPLABEL_MODELS_DIR = tmp_path / "models"


@pytest.fixture
def make_user(db):
    def make(username, *, can_create_projects=False):
        user = get_user_model().objects.create_user(username=username, password=f"{username}-password")
        if can_create_projects:
            user.user_permissions.add(Permission.objects.get(codename="add_project", content_type__app_label="labeling"))
        return user

    return make


@pytest.fixture
def lead(make_user):
    return make_user("lead", can_create_projects=True)


@pytest.fixture
def annotator(make_user):
    return make_user("annotator")


@pytest.fixture
def outsider(make_user):
    return make_user("outsider")


@pytest.fixture
def project(lead, annotator):
    project = create_project(lead, name="News", labels=LABELS, label_budget=None, retrain_every=1000)
    set_member(project, annotator.username, "annotator")
    return project


def import_texts(project, user, content, name="data.csv", **options):
    """Run an import the way the worker does, in this process; returns the finished job."""
    job = start_import(project, user, Upload(content, name), **options)
    return run_import(job.id)


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A randomly initialised 2-layer BERT with the MiniLM tokenizer, saved like any local model."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    from config.environment import default_base_model

    path = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = AutoTokenizer.from_pretrained(default_base_model())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


@pytest.fixture
def tiny_model(settings, tiny_model_dir):
    settings.LOOPLABEL_BASE_MODEL = tiny_model_dir
    settings.LOOPLABEL_TRAINING = {"epochs": 3, "min_steps": 5, "max_length": 64, "learning_rate": 1e-3}
    return tiny_model_dir


# --- real workers and brokers -------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
WORKER_TRAINING = {"epochs": 3, "min_steps": 10, "max_length": 32, "learning_rate": 1e-3}


def _database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def start_worker(transactional_db, tiny_model_dir, tmp_path, settings):
    """Starts real worker processes (`celery -A config worker`) on the test database and broker.

    They share the test database (an SQLite file or the PostgreSQL test database) and the
    broker (the filesystem broker under the data directory, or Redis when CELERY_BROKER_URL
    says so). `start_worker(training=...)` returns the process; all are stopped at the end.
    """
    settings.LOOPLABEL_BASE_MODEL = tiny_model_dir
    settings.LOOPLABEL_TRAINING = WORKER_TRAINING
    started = []

    def start(training=WORKER_TRAINING):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "LOOPLABEL_DATA_DIR": str(django_settings.DATA_DIR),
            "LOOPLABEL_BASE_MODEL": tiny_model_dir,
            "LOOPLABEL_TRAINING": json.dumps(training),
        }
        log_path = tmp_path / f"worker-{len(started)}.log"
        log = open(log_path, "w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,training", "--pool=solo",
             "--without-gossip", "--without-mingle", "-l", "info"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        started.append((process, log, log_path))
        return process

    yield start
    for process, log, log_path in started:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        print(log_path.read_text()[-3000:])


def wait_for(condition, timeout, what, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@contextmanager
def database_missing():
    """This thread's connections go to a database that is not there, as while it restarts: a closed port
    (PostgreSQL), a file that cannot be opened (SQLite). Needs a test not wrapped in a transaction."""
    settings_dict = connection.settings_dict
    key, missing = ("PORT", "1") if connection.vendor == "postgresql" else ("NAME", "/nonexistent/looplabel.sqlite3")
    real = settings_dict[key]
    connection.close()
    settings_dict[key] = missing
    try:
        yield
    finally:
        settings_dict[key] = real
        connection.close()


@contextmanager
def broker_down():
    """The Celery app's broker pointed at a closed port, as when Redis is down: every message is refused."""
    from config.celery import app

    def reconnect():
        app._pool = None
        app.amqp._producer_pool = None

    # Messages are sent to the write URL; CELERY_BROKER_URL in the environment would win over broker_url.
    app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    reconnect()
    try:
        yield
    finally:
        app.conf.broker_write_url = None
        reconnect()
