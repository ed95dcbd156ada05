"""The broker is down when an import is sent: the lead hears 503 and nothing is left behind."""
import pytest

from labeling.models import Job, JobStatus

from ..conftest import Upload, broker_down

# Not wrapped in a transaction: the message is sent the moment the job commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_an_import_the_broker_refuses_is_a_503_and_leaves_no_queued_job_or_upload(project, lead, client_for, settings):
    with broker_down():
        response = client_for(lead).post(
            f"/api/v1/projects/{project.id}/import/", {"file": Upload("text\nAlpha\n", "d.csv")}, format="multipart",
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "nothing was queued" in response.json()["detail"]
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and "did not start" in job.message
    assert not any(settings.LOOPLABEL_UPLOADS_DIR.iterdir())
