"""The model loop end to end with a real Celery worker process and a real broker (see `start_worker`)."""
import os
from pathlib import Path

import pytest

from labeling.models import Document, DocumentState, Job, JobKind, JobStatus
from labeling.services import queue
from labeling.services.importing import start_import
from labeling.services.projects import create_project, set_member
from labeling.tasks import import_file
from training.models import ModelVersion

from ..conftest import Upload, wait_for


@pytest.fixture
def worker(start_worker):
    return start_worker()


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

    wait_for(lambda: Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED, 60, "the worker to import")
    assert Document.objects.filter(project=project, state=DocumentState.POOL).count() == 40
    order_before = list(Document.objects.filter(project=project).order_by("random_key").values_list("id", flat=True))

    for _ in range(12):
        assignment = queue.next_document(project, annotator)
        label = "positive" if any(p in assignment.document.text for p in POSITIVE) else "negative"
        queue.submit_annotation(project, annotator, assignment.document.id, label)

    wait_for(lambda: Job.objects.filter(project=project, kind=JobKind.TRAIN, status=JobStatus.SUCCEEDED).exists(),
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
    # It trained below the web server's priority (settings.LOOPLABEL_WORKER_NICE), so annotators come first.
    assert os.getpriority(os.PRIO_PROCESS, worker.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
