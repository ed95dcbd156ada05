"""Bad input to the labeling API is a clear 4xx in JSON, never a 500: out-of-range settings, job ids of the
URL's shape that are no UUID, unknown API paths, and uploads above the size limit (which leave no file behind)."""
import pytest

from labeling.models import Job, Project

from ..conftest import Upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("field", "value"), [
    ("label_budget", 2**31), ("label_budget", 2**63), ("label_budget", -1),
    ("retrain_every", 0), ("retrain_every", 2**31),
    ("evaluation_share", 0.6), ("evaluation_share", -0.1),
    ("price_per_label", "-0.5"),
])
def test_project_settings_out_of_range_are_400(project, lead, client_for, field, value):
    response = client_for(lead).patch(f"/api/v1/projects/{project.id}/", {field: value}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Project.objects.get(pk=project.id).retrain_every == 1000


@pytest.mark.parametrize("job_id", ["0" * 36, "-" * 36, "abcdef01-2345-6789-abcd-ef01234567-8"])
def test_a_job_id_of_uuid_length_that_is_no_uuid_is_404(lead, client_for, job_id):
    response = client_for(lead).get(f"/api/v1/jobs/{job_id}/")
    assert response.status_code == 404 and response.json() == {"detail": "Job not found."}


def test_an_unknown_api_path_is_a_json_404(lead, client_for):
    response = client_for(lead).get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_an_upload_above_the_limit_is_413_and_leaves_no_file(project, lead, client_for, settings, tmp_path):
    settings.LOOPLABEL_MAX_UPLOAD_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = str((tmp_path / "upload-tmp").resolve())
    (tmp_path / "upload-tmp").mkdir()
    big = "text\n" + "A sentence that is long enough to add up.\n" * 30_000  # about 1.3 MB
    response = client_for(lead).post(f"/api/v1/projects/{project.id}/import/", {"file": Upload(big, "big.csv")},
                                     format="multipart")
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"] and "LOOPLABEL_MAX_UPLOAD_MB" in response.json()["detail"]
    assert not Job.objects.exists()
    assert not list((tmp_path / "upload-tmp").iterdir())
    assert not settings.LOOPLABEL_UPLOADS_DIR.exists() or not list(settings.LOOPLABEL_UPLOADS_DIR.rglob("*.*"))


def test_a_task_type_looplabel_does_not_have_is_a_400_not_a_single_label_project(lead, client_for):
    labels = [{"name": "a"}, {"name": "b"}]
    response = client_for(lead).post("/api/v1/projects/", {"name": "Tags", "labels": labels,
                                                           "task_type": "multi_label"}, format="json")
    assert response.status_code == 400
    assert "multi_label" in response.json()["task_type"][0]
    assert not Project.objects.filter(name="Tags").exists()
    created = client_for(lead).post("/api/v1/projects/", {"name": "Plain", "labels": labels}, format="json")
    assert created.status_code == 201 and created.json()["task_type"] == "single_label"


def test_a_project_keeps_its_task_type(project, lead, client_for):
    response = client_for(lead).patch(f"/api/v1/projects/{project.id}/", {"task_type": "multi_label"}, format="json")
    assert response.status_code == 400
    assert client_for(lead).patch(f"/api/v1/projects/{project.id}/", {"task_type": "single_label"},
                                  format="json").status_code == 200
