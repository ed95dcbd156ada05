"""Imports whose worker died or whose message was lost: the sweep fails or re-sends them, and a
file imported again keeps every row, even while a dead import's staged rows are still there."""
import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from labeling.models import Document, DocumentState, Job, JobStatus
from labeling.services.importing import run_import, start_import, sweep_stale_imports
from labeling.services.importing import running
from labeling.tasks import import_file, sweep_imports

from ..conftest import Upload, import_texts, wait_for

ROWS = "text\n" + "".join(f"Company {i} reported results for quarter {i % 4}\n" for i in range(3000))


class WorkerKilled(BaseException):
    """What SIGKILL does to a worker, in this process: nothing of the import's own error handling runs."""


def _killed_while_publishing(project, lead, monkeypatch):
    """An import that staged every row and then lost its worker."""
    def die(run):
        raise WorkerKilled

    monkeypatch.setattr(running, "_publish", die)
    job = start_import(project, lead, Upload(ROWS, "rows.csv"))
    with pytest.raises(WorkerKilled):
        run_import(job.id)
    monkeypatch.undo()
    return Job.objects.get(pk=job.pk)


def _age(job, seconds):
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds))


@pytest.mark.django_db
def test_a_file_imported_again_after_its_worker_died_keeps_every_row(project, lead, monkeypatch):
    dead = _killed_while_publishing(project, lead, monkeypatch)
    assert dead.status == JobStatus.RUNNING
    assert Document.objects.filter(import_job=dead, state=DocumentState.IMPORTING).count() == 3000

    again = import_texts(project, lead, ROWS)  # before any sweep: the dead job still looks alive
    assert (again.counts["imported"], again.counts["duplicates"]) == (3000, 0)
    assert Document.objects.filter(project=project).exclude(state=DocumentState.IMPORTING).count() == 3000


@pytest.mark.django_db
def test_the_sweep_fails_an_import_whose_worker_stopped_writing_and_clears_it(project, lead, monkeypatch, settings):
    dead = _killed_while_publishing(project, lead, monkeypatch)
    upload = Path(dead.params["path"])
    upload.write_text(ROWS)  # SIGKILL would have left it; the simulated death's `finally` removed it

    assert sweep_stale_imports() == []  # a fresh job may still have a live worker
    assert Job.objects.get(pk=dead.pk).status == JobStatus.RUNNING

    _age(dead, settings.LOOPLABEL_JOB_STALE_SECONDS + 1)
    sweep_stale_imports()
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED and "Import it again" in dead.message
    assert not Document.objects.filter(import_job=dead).exists()
    assert not upload.exists()


@pytest.mark.django_db
def test_a_worker_that_outlived_the_sweep_does_not_publish_the_given_up_import(project, lead, monkeypatch, settings):
    real_publish = running._publish

    def sweep_first(run):
        _age(run.job, settings.LOOPLABEL_JOB_STALE_SECONDS + 1)
        sweep_stale_imports()
        real_publish(run)

    monkeypatch.setattr(running, "_publish", sweep_first)
    job = import_texts(project, lead, "text\nAlpha\nBeta\n")
    assert job.status == JobStatus.FAILED
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_texts_another_import_published_meanwhile_count_as_duplicates(project, lead, monkeypatch):
    real_publish = running._publish

    def other_import_publishes_first(run):
        monkeypatch.setattr(running, "_publish", real_publish)
        import_texts(project, lead, "text,label\nAlpha,positive\nGamma,neutral\n", label_field="label")
        real_publish(run)

    monkeypatch.setattr(running, "_publish", other_import_publishes_first)
    job = import_texts(project, lead, "text,label\nAlpha,positive\nBeta,negative\n", label_field="label")
    assert job.counts == {"rows": 2, "imported": 1, "duplicates": 1, "empty": 0, "rejected": 0, "seed_labels": 1}
    assert sorted(Document.objects.values_list("text", flat=True)) == ["Alpha", "Beta", "Gamma"]


@pytest.mark.django_db
def test_a_queued_import_no_worker_took_is_sent_again_once_a_window(project, lead, settings):
    job = start_import(project, lead, Upload("text\nAlpha\n", "d.csv"))
    assert sweep_stale_imports() == []
    _age(job, settings.LOOPLABEL_JOB_STALE_SECONDS + 1)
    assert sweep_stale_imports() == [str(job.id)]
    assert sweep_stale_imports() == []  # not again until another window has passed
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


@pytest.mark.django_db
def test_a_second_message_for_a_running_import_is_dropped(project, lead, monkeypatch):
    job = start_import(project, lead, Upload("text\nAlpha\n", "d.csv"))
    real_publish = running._publish

    def redelivered_meanwhile(run):
        assert run_import(job.id) is None
        real_publish(run)

    monkeypatch.setattr(running, "_publish", redelivered_meanwhile)
    assert run_import(job.id).status == JobStatus.SUCCEEDED
    assert Document.objects.count() == 1


@pytest.mark.worker
def test_sigkill_mid_import_then_the_sweep_and_a_new_worker_import_every_row(start_worker, project, lead, settings):
    settings.LOOPLABEL_JOB_STALE_SECONDS = 0  # this test's sweeps need not wait
    rows = "text\n" + "".join(f"Company {i} reported results for quarter {i % 4}\n" for i in range(6000))
    first = start_worker()
    dead = start_import(project, lead, Upload(rows, "rows.csv"))
    import_file.delay(str(dead.id))
    wait_for(lambda: Document.objects.filter(import_job=dead, state=DocumentState.IMPORTING).exists(), 60,
             "the first batch to be staged", interval=0.02)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    dead.refresh_from_db()
    assert dead.status == JobStatus.RUNNING  # nothing will ever finish it but the sweep

    again = start_import(project, lead, Upload(rows, "rows.csv"))  # queued; its message is sent by the sweep
    sweep_imports()  # what beat runs every minute: fails the dead import, sends the queued one
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert not Document.objects.filter(import_job=dead).exists()
    assert not Path(dead.params["path"]).exists()

    start_worker()
    wait_for(lambda: Job.objects.get(pk=again.pk).status == JobStatus.SUCCEEDED, 90, "the import to run again")
    again.refresh_from_db()
    assert (again.counts["imported"], again.counts["duplicates"]) == (6000, 0)
    assert Document.objects.filter(project=project, state=DocumentState.POOL).count() == 6000
