"""The broker is down when the loop sends its messages: stored labels and imports stay stored and
say so, a lead's training request is a 503 that frees the lock, and the sweep sends later what
the refused messages asked for (a refused request a minute later, not after the ten minutes a
request waits for its message's task)."""
import logging
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from labeling.models import Job, JobKind, JobStatus
from training.loop import due
from training.loop.cold_start import cold_start
from training.models import ProjectLoop

from ..conftest import broker_down, import_texts
from .conftest import gold_texts

# Not wrapped in a transaction: messages are sent the moment their rows commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

def _long_ago():
    return timezone.now() - due.STALE_REQUEST_AFTER - timedelta(minutes=1)


def _age_job(job, settings):
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(seconds=settings.LOOPLABEL_JOB_STALE_SECONDS + 1))


def test_an_import_that_finishes_while_the_broker_is_down_succeeds_and_its_cold_start_is_asked_again(project, lead):
    with broker_down():
        job = import_texts(project, lead, "text\nAlpha\nBeta\n")
    assert job.status == JobStatus.SUCCEEDED
    assert ProjectLoop.objects.get(project=project).cold_start_pending  # claimed, its message refused
    assert not any(steps.cold_start for steps in due.sweep())  # a fresh request's message may be on its way
    ProjectLoop.objects.filter(project=project).update(cold_start_requested_at=_long_ago())
    assert [steps.cold_start for steps in due.sweep() if steps.project_id == project.id] == [True]


def test_labels_stored_while_the_broker_is_down_are_201_and_the_sweep_sends_what_they_asked_for(
        project, annotator, client_for, tiny_model, settings):
    settings.LOOPLABEL_HEAD_EVERY = 4
    project.retrain_every, project.evaluation_share = 4, 0.0
    project.save()
    client = client_for(annotator)
    with broker_down():
        import_texts(project, project.created_by, "text\n" + "".join(f"{text}\n" for text, _ in gold_texts(24)))
        cold_start(project.id)  # what the refused cold-start message would have done: embeddings for head refits
        for _ in range(4):
            document = client.get(f"/api/v1/projects/{project.id}/next/").json()["document"]["id"]
            response = client.post(f"/api/v1/projects/{project.id}/annotations/", {"document": document, "label": "positive"})
            assert response.status_code == 201
    assert ProjectLoop.objects.get(project=project).labels_pending  # noted; the message to the worker was refused
    assert not Job.objects.filter(project=project, kind=JobKind.TRAIN).exists()  # deciding is the worker's

    ProjectLoop.objects.filter(project=project).update(labels_requested_at=_long_ago())
    assert [s.project_id for s in due.sweep() if s.labels_arrived] == [project.id]  # the note, sent again
    steps = due.labels_arrived(project.id)  # what the worker decides once the note reaches it
    assert steps.refit_head and steps.train_job_id
    run = Job.objects.get(project=project, kind=JobKind.TRAIN)
    assert run.status == JobStatus.QUEUED  # holds the project's lock, with no message behind it

    ProjectLoop.objects.filter(project=project).update(head_requested_at=_long_ago())
    _age_job(run, settings)
    steps = [steps for steps in due.sweep() if steps]
    assert [s.train_job_id for s in steps if s.train_job_id] == [str(run.id)]
    assert [s.project_id for s in steps if s.refit_head] == [project.id]


def test_train_while_the_broker_is_down_is_a_503_and_frees_the_lock(project, lead, client_for, tiny_model):
    labelled = "".join(f"{text},{label}\n" for text, label in gold_texts(24))
    with broker_down():
        import_texts(project, lead, "text,label\n" + labelled, label_field="label")
        response = client_for(lead).post(f"/api/v1/projects/{project.id}/train/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60" and "try again" in response.json()["detail"]
    assert Job.objects.get(project=project, kind=JobKind.TRAIN).status == JobStatus.FAILED
    assert due.active_training_job(project) is None
    assert due.request_training_for(project, lead)[1].train_job_id  # a new request takes the lock


def test_a_note_the_broker_refused_is_sent_again_a_minute_later_not_ten(project, lead, annotator, client_for, caplog):
    import_texts(project, lead, "text\nAlpha\nBeta\nGamma\n")
    client = client_for(annotator)
    with broker_down(), caplog.at_level(logging.WARNING, logger="labeling.tasks"):
        for _ in range(2):
            document = client.get(f"/api/v1/projects/{project.id}/next/").json()["document"]["id"]
            response = client.post(f"/api/v1/projects/{project.id}/annotations/",
                                   {"document": document, "label": "positive"})
            assert response.status_code == 201
    refused = [record for record in caplog.records if "labels_arrived" in record.getMessage()]
    assert len(refused) == 1  # the second label found the note pending: it waits for no second refusal
    assert ProjectLoop.objects.get(project=project).labels_pending
    assert not any(steps.labels_arrived for steps in due.sweep())  # not yet

    a_minute_later = F("labels_requested_at") - due.REFUSED_REQUEST_AGAIN_AFTER
    ProjectLoop.objects.filter(project=project).update(labels_requested_at=a_minute_later)
    assert [steps.project_id for steps in due.sweep() if steps.labels_arrived] == [project.id]
