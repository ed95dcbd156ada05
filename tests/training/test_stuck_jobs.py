"""A fine-tune whose worker is killed frees the project's lock within the stale window, and a live
one never looks stale: it writes its job often enough, silent phases (loading, saving, a chunk of
the pool) included."""
import os
import signal

import pytest
import transformers

from labeling.models import Job, JobKind, JobStatus
from labeling.services import jobs
from training import tasks
from training.loop import due, full_run, scoring
from training.ml import encode, finetune

from ..conftest import broker_down, import_texts, wait_for
from .conftest import gold_texts, label_documents, train_full

SILENT_PHASE = 200  # seconds a model load or save takes, on the fake clock
SLOW_STEP = 160  # seconds per optimizer step (or chunk batch): 2% of the bar below takes over 5 minutes


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """A fake clock for JobProgress, and the times (on it) at which the job was written."""
    clock, real_update = FakeClock(), jobs.update_job
    clock.writes = [0.0]

    def recorded_update(job_id, **fields):
        clock.writes.append(clock.now)
        real_update(job_id, **fields)

    monkeypatch.setattr(jobs, "monotonic", clock)
    monkeypatch.setattr(jobs, "update_job", recorded_update)
    return clock


def _slowed(monkeypatch, owner, name, clock, seconds):
    real = getattr(owner, name)

    def slow(*args, **kwargs):
        clock.now += seconds
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, slow)


def _longest_silence(clock):
    return max(later - earlier for earlier, later in zip(clock.writes, clock.writes[1:]))


@pytest.mark.django_db
def test_a_slow_fine_tune_writes_its_job_well_inside_the_stale_window(loop_project, annotator, settings, clock,
                                                                     monkeypatch):
    settings.LOOPLABEL_TRAINING = {**settings.LOOPLABEL_TRAINING, "min_steps": 60, "max_steps": 60}
    _slowed(monkeypatch, finetune, "_backward_and_step", clock, SLOW_STEP)

    class SlowLoading:
        from_pretrained = staticmethod(lambda *args, **kwargs: (
            setattr(clock, "now", clock.now + SILENT_PHASE),
            transformers.AutoModelForSequenceClassification.from_pretrained(*args, **kwargs))[1])

    monkeypatch.setattr(finetune, "AutoModelForSequenceClassification", SlowLoading)
    _slowed(monkeypatch, transformers.PreTrainedModel, "save_pretrained", clock, SILENT_PHASE)

    version = train_full(loop_project, annotator)
    assert Job.objects.get(pk=version.job_id).status == JobStatus.SUCCEEDED
    assert _longest_silence(clock) <= SILENT_PHASE < settings.LOOPLABEL_JOB_STALE_SECONDS


@pytest.mark.django_db
def test_chunks_of_a_large_pool_keep_their_run_alive(loop_project, annotator, settings, clock, monkeypatch):
    version = train_full(loop_project, annotator)
    _slowed(monkeypatch, encode.Encoder, "_forward", clock, SLOW_STEP)
    clock.writes = [clock.now]
    for version_id, index, chunk_ids in scoring.score_pool(version, chunk_size=30).score_chunks:
        scoring.score_chunk(version_id, index, chunk_ids)
    assert _longest_silence(clock) <= jobs.HEARTBEAT_SECONDS + SLOW_STEP < settings.LOOPLABEL_JOB_STALE_SECONDS


@pytest.mark.django_db
def test_the_sweep_fails_a_silent_run_and_the_next_run_succeeds(loop_project, annotator, settings):
    label_documents(loop_project, annotator, 24)
    stuck, _ = due.request_training(loop_project, reason="test")
    assert jobs.claim_job(stuck.id, JobKind.TRAIN)  # a worker took it, then died
    assert not any(steps.train_job_id for steps in due.sweep())
    assert due.active_training_job(loop_project) == stuck  # still fresh: its worker may be alive

    settings.LOOPLABEL_JOB_STALE_SECONDS = 0
    requested = due.sweep()
    stuck.refresh_from_db()
    assert stuck.status == JobStatus.FAILED and "stopped reporting" in stuck.message
    [next_run] = [steps.train_job_id for steps in requested if steps.train_job_id]
    assert full_run.run_training(next_run)[0] is not None
    assert Job.objects.get(pk=next_run).status == JobStatus.SUCCEEDED


@pytest.mark.worker
def test_sigkill_mid_fine_tune_then_the_sweep_and_a_new_worker_train_again(start_worker, project, lead, settings):
    settings.LOOPLABEL_JOB_STALE_SECONDS = 0  # this test's sweeps need not wait
    labelled = "".join(f"{text},{label}\n" for text, label in gold_texts(30))
    with broker_down():  # nothing from the import waits for the workers
        import_texts(project, lead, "text,label\n" + labelled, label_field="label")
    stuck, _ = due.request_training_for(project, lead)
    first = start_worker(training={"min_steps": 100_000, "max_steps": 100_000, "max_length": 32})
    tasks.train_model.delay(str(stuck.id))
    wait_for(lambda: Job.objects.filter(pk=stuck.pk, stage="training", progress__gt=0).exists(), 120,
             "the fine-tune to take steps", interval=0.1)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    with broker_down():
        tasks.sweep()  # fails the dead run, asks for a new one, whose message the broker refuses
    stuck.refresh_from_db()
    assert stuck.status == JobStatus.FAILED
    retry = due.active_training_job(project)
    assert retry is not None and retry.status == JobStatus.QUEUED  # the lock, with no message behind it

    tasks.sweep()  # the broker is back: the queued run is sent again
    start_worker()
    wait_for(lambda: Job.objects.get(pk=retry.pk).status == JobStatus.SUCCEEDED, 180, "the next run to train")
    assert due.active_training_job(project) is None
