"""What each role sees of a project's numbers: leads everything, an annotator their own row of the
per-annotator table and the model versions without per-class scores, training details or server paths."""
import pytest

from labeling.services.projects import set_member
from labeling.services.queue import next_document, submit_annotation
from training.models import ModelVersion

from ..conftest import import_texts

pytestmark = pytest.mark.django_db

DETAILS = {"metrics", "training_info", "base_model", "train_size", "validation_size"}


@pytest.fixture
def busy_project(project, lead, annotator, make_user):
    import_texts(project, lead, "text\n" + "".join(f"Plain sentence number {i}\n" for i in range(4)))
    colleague = make_user("colleague")
    set_member(project, colleague.username, "annotator")
    for user in (annotator, colleague):
        submit_annotation(project, user, next_document(project, user).document.id, "neutral", 3.0)
    ModelVersion.objects.create(
        project=project, number=1, kind="head", base_model="/srv/models/minilm", artifact_dir="/srv/data/models/1",
        label_names=["positive", "neutral", "negative"], labels_used=2, train_size=2, validation_size=0,
        metrics={"macro_f1": 0.5, "per_class": {"neutral": {"f1": 0.5}}}, training_info={"seconds": 1.0},
    )
    return project


def test_an_annotator_sees_their_own_row_and_a_summary_of_the_models(busy_project, annotator, client_for):
    client = client_for(annotator)
    stats = client.get(f"/api/v1/projects/{busy_project.id}/stats/").json()
    assert [row["username"] for row in stats["per_annotator"]] == ["annotator"]
    assert stats["labels_done"] == 2  # the project's progress stays visible
    models = client.get(f"/api/v1/projects/{busy_project.id}/models/").json()
    for versions in (stats["model_versions"], models):
        assert [v["number"] for v in versions] == [1]
        assert not DETAILS & set(versions[0])


def test_leads_see_every_annotator_and_every_detail(busy_project, lead, client_for):
    client = client_for(lead)
    stats = client.get(f"/api/v1/projects/{busy_project.id}/stats/").json()
    assert [row["username"] for row in stats["per_annotator"]] == ["annotator", "colleague"]
    models = client.get(f"/api/v1/projects/{busy_project.id}/models/").json()
    for versions in (stats["model_versions"], models):
        assert DETAILS <= set(versions[0]) and versions[0]["metrics"]["per_class"] == {"neutral": {"f1": 0.5}}
