"""The model loop end to end with a real Celery worker process and a real broker.

The worker is a separate process started with `celery -A config worker`; it shares the
test database (an SQLite file or the PostgreSQL test database) and the broker (the
filesystem broker under the data directory, or Redis when CELERY_BROKER_URL says so).
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from labeling.models import Document, DocumentState, Job, JobKind, JobStatus
from labeling.services import queue
from labeling.services.importing import start_import
from labeling.services.projects import create_project, set_member
from labeling.tasks import import_file
from training.models import ModelVersion

from ..conftest import Upload

ROOT = Path(__file__).resolve().parents[2]
TRAINING = {"epochs": 3, "min_steps": 10, "max_length": 32, "learning_rate": 1e-3}


def _database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, tiny_model_dir, tmp_path, settings):
    settings.LOOPLABEL_BASE_MODEL = tiny_model_dir
    settings.LOOPLABEL_TRAINING = TRAINING
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "LOOPLABEL_DATA_DIR": str(django_settings.DATA_DIR),
        "LOOPLABEL_BASE_MODEL": tiny_model_dir,
        "LOOPLABEL_TRAINING": json.dumps(TRAINING),
    }
    log = open(tmp_path / "worker.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,training", "--pool=solo",
         "--without-gossip", "--without-mingle", "-l", "info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    print((tmp_path / "worker.log").read_text()[-3000:])


def _wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


POSITIVE = ["profit rose", "sales grew strongly", "record earnings", "orders increased", "shares jumped"]
NEGATIVE = ["loss widened", "sales fell sharply", "layoffs announced", "orders dropped", "shares plunged"]


@pytest.mark.worker
def test_worker_imports_trains_and_reorders_the_queue(worker, make_user):
    lead = make_user("lead", can_create_projects=True)
    annotator = make_user("annotator")
    project = create_project(lead, name="Loop", labels=[{"name": "positive"}, {"name": "negative"}], retrain_every=12)
    set_member(project, annotator.username, "annotator")
    rows = [f"{phrase} in quarter {q}" for q in range(4) for phrase in POSITIVE + NEGATIVE]
    job = start_import(project, lead, Upload("text\n" + "\n".join(rows) + "\n", "rows.csv"))
    import_file.delay(str(job.id))

    _wait_for(lambda: Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED, 60, "the worker to import")
    assert Document.objects.filter(project=project, state=DocumentState.POOL).count() == 40
    order_before = list(Document.objects.filter(project=project).order_by("random_key").values_list("id", flat=True))

    for _ in range(12):
        assignment = queue.next_document(project, annotator)
        label = "positive" if any(p in assignment.document.text for p in POSITIVE) else "negative"
        queue.submit_annotation(project, annotator, assignment.document.id, label)

    _wait_for(lambda: Job.objects.filter(project=project, kind=JobKind.TRAIN, status=JobStatus.SUCCEEDED).exists(),
              180, "the worker to train")
    # Head refits on the cold-start embeddings may come first; the fine-tune is the full version.
    version = ModelVersion.objects.get(project=project, kind="full")
    assert version.labels_used >= 11  # one label in ten may go to the evaluation sample
    assert set(version.metrics) >= {"accuracy", "macro_f1", "per_class"}
    assert (Path(version.artifact_dir) / "config.json").exists()

    pool = Document.objects.filter(project=project, state=DocumentState.POOL)
    assert pool.count() == 28 and not pool.filter(priority__isnull=True).exists()
    assert not pool.filter(suggested_label__isnull=True).exists()
    by_priority = list(pool.order_by("-priority", "random_key").values_list("id", flat=True))
    assert by_priority != [doc for doc in order_before if doc in set(by_priority)]
    assert queue.next_document(project, annotator).document.id == by_priority[0]
