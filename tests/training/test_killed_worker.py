"""Workers killed with SIGKILL where the model loop has written half of its work: scoring a large pool
after a fine-tune, and an import into a project that has a fine-tuned model. The sweep fails the
run or the import, neither the project's lock nor its request to embed new documents stays set, the
queue serves throughout, and the next run or import (on a new worker) does all of it. A worker
killed mid fine-tune: test_stuck_jobs.py; mid import before any model: tests/labeling/test_lost_imports.py.
"""
import os
import signal
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from labeling.models import Document, DocumentState, Job, JobStatus
from labeling.services.importing import start_import
from labeling.tasks import import_file, sweep_imports
from training import tasks
from training.loop import due, embedding_cache, full_run
from training.loop.cold_start import cold_start
from training.models import ModelVersion, ProjectLoop

from ..conftest import Upload, broker_down, import_texts, wait_for
from .conftest import gold_texts

CHUNK = 50  # documents per scoring task: a pool of POOL documents is scored by 60 of them
POOL = 3000


def _unlabelled(n, start=0):
    return "text\n" + "".join(f"Company {i} reported results for quarter {i % 4}\n" for i in range(start, start + n))


def _scored_chunks(job):
    version = ModelVersion.objects.filter(job=job).first()
    return list(Path(version.artifact_dir).glob("parts/part-*.npz")) if version else []


def _serves(project, annotator):
    client = APIClient()
    client.force_authenticate(annotator)
    return client.get(f"/api/v1/projects/{project.id}/next/").status_code == 200


@pytest.mark.worker
def test_sigkill_mid_scoring_then_the_sweep_fails_the_run_and_the_next_run_scores_the_pool(
        start_worker, project, lead, annotator, settings, monkeypatch):
    settings.LOOPLABEL_JOB_STALE_SECONDS = 0  # this test's sweeps need not wait
    settings.LOOPLABEL_SCORE_TASK_CHUNK = CHUNK
    monkeypatch.setenv("LOOPLABEL_SCORE_TASK_CHUNK", str(CHUNK))  # and the workers'
    labelled = "".join(f"{text},{label}\n" for text, label in gold_texts(30))
    with broker_down():  # nothing from the imports waits for the workers
        import_texts(project, lead, "text,label\n" + labelled, label_field="label")
        import_texts(project, lead, _unlabelled(POOL))
        cold_start(project.id)  # what the imports' refused message would have done
    killed, _ = due.request_training_for(project, lead)
    first = start_worker()
    tasks.train_model.delay(str(killed.id))
    wait_for(lambda: _scored_chunks(killed), 180, "the first chunk of the pool to be scored", interval=0.02)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    version, chunks_scored = ModelVersion.objects.get(job=killed), len(_scored_chunks(killed))
    assert 0 < chunks_scored < POOL // CHUNK and not embedding_cache.has_cache(version.artifact_dir)
    assert _serves(project, annotator)  # the queue serves on the order it had

    tasks.sweep()  # what beat runs every minute
    killed.refresh_from_db()
    assert killed.status == JobStatus.FAILED and due.active_training_job(project) is None

    retry, _ = due.request_training_for(project, lead)
    tasks.train_model.delay(str(retry.id))
    start_worker()  # takes the given-up run's chunks left in the queue first, and drops them
    wait_for(lambda: Job.objects.get(pk=retry.pk).status == JobStatus.SUCCEEDED, 180, "the next run to score the pool")
    scored = ModelVersion.objects.get(job=retry)
    assert embedding_cache.has_cache(scored.artifact_dir) and not embedding_cache.has_cache(version.artifact_dir)
    assert len(embedding_cache.load_cache(scored.artifact_dir)[0]) == Document.objects.filter(project=project).count()
    assert Job.objects.get(pk=killed.pk).status == JobStatus.FAILED
    assert len(_scored_chunks(killed)) == chunks_scored  # its chunks left in the queue were dropped
    assert not Document.objects.filter(project=project, state=DocumentState.POOL, priority__isnull=True).exists()
    assert due.active_training_job(project) is None and _serves(project, annotator)


@pytest.mark.worker
def test_sigkill_mid_import_after_a_fine_tune_then_the_import_again_is_embedded_by_the_fine_tuned_encoder(
        start_worker, project, lead, annotator, settings):
    settings.LOOPLABEL_JOB_STALE_SECONDS = 0  # this test's sweeps need not wait
    labelled = "".join(f"{text},{label}\n" for text, label in gold_texts(30))
    with broker_down():  # the fine-tune runs here, before any worker
        import_texts(project, lead, "text,label\n" + labelled, label_field="label")
        import_texts(project, lead, _unlabelled(100))
        cold_start(project.id)  # what the imports' refused message would have done
        version = full_run.run_training(due.request_training_for(project, lead)[0].id)[0]
    cached = len(embedding_cache.load_cache(version.artifact_dir)[0])

    rows = _unlabelled(4000, start=100)
    first = start_worker()
    dead = start_import(project, lead, Upload(rows, "rows.csv"))
    import_file.delay(str(dead.id))
    wait_for(lambda: Document.objects.filter(import_job=dead, state=DocumentState.IMPORTING).exists(), 60,
             "the first batch to be staged", interval=0.02)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert _serves(project, annotator)

    again = start_import(project, lead, Upload(rows, "rows.csv"))  # queued; its message is sent by the sweep
    sweep_imports()  # what beat runs every minute: fails the dead import, sends the queued one
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED and not Document.objects.filter(import_job=dead).exists()

    start_worker()
    wait_for(lambda: Job.objects.get(pk=again.pk).status == JobStatus.SUCCEEDED, 120, "the import to run again")
    pool = Document.objects.filter(project=project, state=DocumentState.POOL)
    wait_for(lambda: not pool.filter(priority__isnull=True).exists(), 120,
             "the new documents to be embedded by the fine-tuned encoder and scored")
    ids = embedding_cache.load_cache(version.artifact_dir)[0]
    assert len(ids) == cached + 4000 == len(set(ids.tolist()))
    assert not ModelVersion.objects.exclude(pk=version.pk).filter(project=project, kind="full").exists()
    assert not ProjectLoop.objects.get(project=project).embed_pending and _serves(project, annotator)
