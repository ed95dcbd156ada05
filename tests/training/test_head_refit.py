"""Head refits: a new HEAD version re-orders the queue; label announcements queue one refit at a time."""
import pytest

from training import listeners
from training.loop import predict
from training.loop.cold_start import cold_start
from training.loop.head_refit import refit_head
from training.models import ModelKind, ProjectLoop

from .conftest import label_documents, pool_priorities

pytestmark = pytest.mark.django_db


def test_head_refit_changes_priorities_and_records_a_head_version(loop_project, annotator):
    assert cold_start(loop_project.id)[0] > 0  # base-encoder cache + coverage order
    before = pool_priorities(loop_project)
    label_documents(loop_project, annotator, 12)
    version = refit_head(loop_project.id)[0]
    assert version is not None and version.kind == ModelKind.HEAD and version.encoder_version is None
    assert version.train_size == version.labels_used == 12
    after = pool_priorities(loop_project)
    assert after != {k: v for k, v in before.items() if k in after}
    assert all(p is not None for p in after.values())
    assert version.training_info["total_seconds"] < 30
    # Nothing new: no second version.
    assert refit_head(loop_project.id)[0] is None
    # Predictions go through the head on the base encoder.
    _, predictions = predict.predict(loop_project, ["profit rose in quarter 99"])
    assert predictions[0]["label"] in {"positive", "neutral", "negative"}


def test_labels_are_only_noted_in_the_request_and_the_worker_requests_one_head_refit(
        loop_project, annotator, django_capture_on_commit_callbacks, monkeypatch):
    from training import tasks

    woken, refits = [], []
    monkeypatch.setattr(tasks.labels_arrived, "delay", lambda project_id: woken.append(project_id))
    monkeypatch.setattr(tasks.refit_head, "delay", lambda project_id: refits.append(project_id))
    label_documents(loop_project, annotator, 5)
    with django_capture_on_commit_callbacks(execute=True):
        listeners.labels_added(loop_project.id)
        listeners.labels_added(loop_project.id)
    assert woken == [loop_project.id] and refits == []  # one worker woken, however many labels announce themselves
    with django_capture_on_commit_callbacks(execute=True):
        tasks.labels_arrived(loop_project.id)  # what the worker runs: no embeddings yet, nothing to refit on
    assert refits == []
    cold_start(loop_project.id)  # (it claims the first refit itself)
    ProjectLoop.objects.filter(project=loop_project).update(head_pending=False)
    with django_capture_on_commit_callbacks(execute=True):
        listeners.labels_added(loop_project.id)  # the worker took the last note: this one wakes it again
        tasks.labels_arrived(loop_project.id)
        tasks.labels_arrived(loop_project.id)
    assert woken == [loop_project.id] * 2
    assert refits == [loop_project.id]  # one refit queued, however often the worker looks
