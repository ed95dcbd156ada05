"""The database restarts under the model loop's workers: a task that carries a request runs again a few
seconds later, so the request is neither lost nor left pending (nothing would ask again for minutes)."""
import pytest

from training import tasks
from training.loop import due
from training.models import ProjectLoop

from ..conftest import database_missing, import_texts

# Not wrapped in a transaction: the test breaks its own connection, as a restart would.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_look_at_new_labels_that_meets_the_database_down_runs_again_and_takes_its_request(
        project, lead, monkeypatch):
    import_texts(project, lead, "text,label\nAlpha,positive\nBeta,negative\n", label_field="label")
    assert due.note_labels_arrived(project.id).labels_arrived is False  # the import's labels noted it already
    assert ProjectLoop.objects.get(project=project).labels_pending
    real, attempts = due.labels_arrived, []

    def first_while_the_database_restarts(project_id):
        attempts.append(project_id)
        if len(attempts) == 1:
            with database_missing():
                return real(project_id)
        return real(project_id)

    monkeypatch.setattr(due, "labels_arrived", first_while_the_database_restarts)
    result = tasks.labels_arrived.apply(args=(project.id,))  # here: the retry runs at once
    assert result.successful() and len(attempts) == 2
    assert not ProjectLoop.objects.get(project=project).labels_pending
