"""The REST API: authentication, per-project permissions, and clear 4xx answers for bad requests."""
import pytest

from labeling.models import Annotation, Document, Project

from ..conftest import LABELS, import_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(project, lead):
    import_texts(project, lead, "text\n" + "".join(f"Sentence {i}\n" for i in range(5)))
    return project


def test_token_login(lead, client_for):
    client = client_for(None)
    assert client.post("/api/v1/auth/token/", {"username": "lead", "password": "wrong"}).status_code == 400
    token = client.post("/api/v1/auth/token/", {"username": "lead", "password": "lead-password"}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/projects/").status_code == 200


@pytest.mark.parametrize("path", ["projects/", "projects/1/", "projects/1/next/", "projects/1/stats/", "projects/1/models/"])
def test_every_endpoint_needs_authentication(client_for, path):
    assert client_for(None).get(f"/api/v1/{path}").status_code == 401


def test_session_auth_enforces_csrf(project, lead):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.login(username="lead", password="lead-password")
    response = client.patch(f"/api/v1/projects/{project.id}/", {"name": "x"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_projects_are_listed_only_for_members(project, annotator, outsider, client_for):
    assert [p["id"] for p in client_for(annotator).get("/api/v1/projects/").json()["results"]] == [project.id]
    assert client_for(annotator).get("/api/v1/projects/").json()["results"][0]["role"] == "annotator"
    assert client_for(outsider).get("/api/v1/projects/").json()["results"] == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "", None), ("get", "next/", None), ("get", "stats/", None), ("get", "models/", None),
        ("post", "annotations/", {"document": 1, "label": "positive"}), ("post", "skip/", {"document": 1}),
        ("post", "predict/", {"texts": ["x"]}), ("get", "export/", None), ("post", "train/", None),
        ("get", "audit/", None), ("post", "external-ids/", {"ids": ["x"]}),
    ],
)
def test_outsiders_get_404_everywhere(pool, outsider, client_for, method, path, body):
    response = getattr(client_for(outsider), method)(f"/api/v1/projects/{pool.id}/{path}", body, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["abc/", "99999999999999999999999/", "99999999999999999999999/stats/"])
def test_a_project_id_that_is_no_id_is_a_404(lead, client_for, path):
    response = client_for(lead).get(f"/api/v1/projects/{path}")
    assert response.status_code == 404 and response.json()["detail"] == "Project not found."


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "", {"name": "mine now"}), ("get", "export/", None), ("post", "train/", None),
        ("post", "import/", {}), ("post", "members/", {"username": "annotator", "role": "lead"}), ("get", "members/", None),
        ("get", "audit/", None), ("post", "external-ids/", {"ids": ["x"]}),
    ],
)
def test_annotators_cannot_manage(pool, annotator, client_for, method, path, body):
    response = getattr(client_for(annotator), method)(f"/api/v1/projects/{pool.id}/{path}", body, format="json")
    assert response.status_code == 403
    assert Project.objects.get(pk=pool.id).name == "News"


def test_creating_projects_needs_the_permission(annotator, lead, client_for):
    body = {"name": "New", "labels": LABELS}
    assert client_for(annotator).post("/api/v1/projects/", body, format="json").status_code == 403
    response = client_for(lead).post("/api/v1/projects/", body, format="json")
    assert response.status_code == 201
    assert [label["hotkey"] for label in response.json()["labels"]] == ["1", "2", "3"]
    assert response.json()["role"] == "lead"


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([{"name": "only"}], "at least two labels"),
        ([{"name": "a"}, {"name": "a"}], "appears twice"),
        ([{"name": "a", "hotkey": "x"}, {"name": "b", "hotkey": "x"}], "used by two labels"),
        ([{"name": "a", "hotkey": "s"}, {"name": "b"}], "reserved"),
    ],
)
def test_bad_label_sets_are_400(lead, client_for, labels, message):
    response = client_for(lead).post("/api/v1/projects/", {"name": "New", "labels": labels}, format="json")
    assert response.status_code == 400 and message in response.json()["detail"]
    assert not Project.objects.exists()


def test_lead_updates_settings_and_labels(pool, lead, client_for):
    labels = [{"name": "positive", "hotkey": "p"}, {"name": "neutral", "hotkey": "n"}, {"name": "negative", "hotkey": "m"},
              {"name": "mixed"}]
    response = client_for(lead).patch(f"/api/v1/projects/{pool.id}/", {"label_budget": 50, "labels": labels}, format="json")
    assert response.status_code == 200
    assert [(l["name"], l["hotkey"]) for l in response.json()["labels"]] == [
        ("positive", "p"), ("neutral", "n"), ("negative", "m"), ("mixed", "4")]
    assert response.json()["label_budget"] == 50


def test_labels_in_use_cannot_be_removed(pool, lead, annotator, client_for):
    document = client_for(annotator).get(f"/api/v1/projects/{pool.id}/next/").json()["document"]
    client_for(annotator).post(f"/api/v1/projects/{pool.id}/annotations/", {"document": document["id"], "label": "negative"})
    response = client_for(lead).patch(f"/api/v1/projects/{pool.id}/", {"labels": [{"name": "positive"}, {"name": "neutral"}]},
                                      format="json")
    assert response.status_code == 400 and "negative" in response.json()["detail"]


def test_annotation_flow_over_the_api(pool, annotator, client_for):
    client = client_for(annotator)
    body = client.get(f"/api/v1/projects/{pool.id}/next/").json()
    assert set(body) == {"document", "suggestion", "lease_expires_at"} and body["suggestion"] is None
    assert set(body["document"]) >= {"id", "text"}
    held = client.get(f"/api/v1/projects/{pool.id}/leases/").json()
    assert [h["document"]["id"] for h in held] == [body["document"]["id"]]
    response = client.post(f"/api/v1/projects/{pool.id}/annotations/", {"document": body["document"]["id"], "label": "neutral",
                                                                         "seconds_spent": 3.2}, format="json")
    assert response.status_code == 201
    undo = client.post(f"/api/v1/projects/{pool.id}/undo/", {"annotation": response.json()["id"]}, format="json")
    assert undo.status_code == 200 and undo.json()["document"]["id"] == body["document"]["id"]
    skip = client.post(f"/api/v1/projects/{pool.id}/skip/", {"document": body["document"]["id"]}, format="json")
    assert skip.status_code == 200
    stats = client.get(f"/api/v1/projects/{pool.id}/stats/").json()
    assert stats["labels_done"] == 0 and stats["per_annotator"][0]["skips"] == 1


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"label": "positive"}, 400, "document"),
        ({"document": "abc", "label": "positive"}, 400, "document"),
        ({"document": 999999, "label": "positive"}, 404, "does not exist in this project"),
        ({"document": None, "label": "great"}, 400, "Unknown label"),
        ({"document": None, "label": "positive", "seconds_spent": -1}, 400, "seconds_spent"),
    ],
)
def test_bad_annotations_are_clear_4xx(pool, annotator, client_for, body, status, message):
    client = client_for(annotator)
    held = client.get(f"/api/v1/projects/{pool.id}/next/").json()["document"]["id"]
    body = {k: (held if k == "document" and v is None else v) for k, v in body.items()}
    response = client.post(f"/api/v1/projects/{pool.id}/annotations/", body, format="json")
    assert response.status_code == status
    assert message in str(response.json())
    assert not Annotation.objects.exists()


def test_annotating_a_document_of_another_project_is_404(pool, lead, annotator, client_for):
    from labeling.services.projects import create_project, set_member

    other = create_project(lead, name="Other", labels=LABELS)
    set_member(other, annotator.username, "annotator")
    import_texts(other, lead, "text\nelsewhere\n")
    foreign = Document.objects.get(project=other)
    response = client_for(annotator).post(f"/api/v1/projects/{pool.id}/annotations/",
                                          {"document": foreign.id, "label": "positive"}, format="json")
    assert response.status_code == 404


def test_document_not_held_is_409(pool, annotator, make_user, client_for):
    from labeling.services.projects import set_member

    other = make_user("second")
    set_member(pool, other.username, "annotator")
    held = client_for(annotator).get(f"/api/v1/projects/{pool.id}/next/").json()["document"]["id"]
    response = client_for(other).post(f"/api/v1/projects/{pool.id}/annotations/", {"document": held, "label": "positive"},
                                      format="json")
    assert response.status_code == 409 and "do not hold" in response.json()["detail"]


def test_next_is_204_when_empty_and_409_when_budget_is_used(project, pool, annotator, client_for):
    client = client_for(annotator)
    pool.label_budget = 1
    pool.save()
    held = client.get(f"/api/v1/projects/{pool.id}/next/").json()["document"]["id"]
    client.post(f"/api/v1/projects/{pool.id}/annotations/", {"document": held, "label": "positive"}, format="json")
    response = client.get(f"/api/v1/projects/{pool.id}/next/")
    assert response.status_code == 409 and "budget" in response.json()["detail"]
    pool.label_budget = None
    pool.save()
    for _ in range(4):
        document = client.get(f"/api/v1/projects/{pool.id}/next/").json()["document"]["id"]
        client.post(f"/api/v1/projects/{pool.id}/annotations/", {"document": document, "label": "neutral"}, format="json")
    assert client.get(f"/api/v1/projects/{pool.id}/next/").status_code == 204


def test_export_jsonl_and_csv(pool, lead, annotator, client_for):
    import csv
    import io
    import json

    held = client_for(annotator).get(f"/api/v1/projects/{pool.id}/next/").json()["document"]
    client_for(annotator).post(f"/api/v1/projects/{pool.id}/annotations/", {"document": held["id"], "label": "negative"})
    jsonl = b"".join(client_for(lead).get(f"/api/v1/projects/{pool.id}/export/?format=jsonl").streaming_content)
    records = [json.loads(line) for line in jsonl.decode().splitlines()]
    assert [(r["text"], r["label"], r["annotator"]) for r in records] == [(held["text"], "negative", "annotator")]
    text = b"".join(client_for(lead).get(f"/api/v1/projects/{pool.id}/export/?format=csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["text"], r["label"]) for r in rows] == [(held["text"], "negative")]
    assert client_for(lead).get(f"/api/v1/projects/{pool.id}/export/?format=xml").status_code == 400


def test_predict_and_train_before_any_model_are_409(pool, lead, client_for):
    response = client_for(lead).post(f"/api/v1/projects/{pool.id}/predict/", {"texts": ["x"]}, format="json")
    assert response.status_code == 409 and "no trained model" in response.json()["detail"]
    response = client_for(lead).post(f"/api/v1/projects/{pool.id}/train/")
    assert response.status_code == 409 and "at least" in response.json()["detail"]
    assert client_for(lead).post(f"/api/v1/projects/{pool.id}/predict/", {"texts": []}, format="json").status_code == 400


def test_unknown_job_is_404(lead, client_for):
    assert client_for(lead).get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client_for(lead).get("/api/v1/jobs/not-a-uuid/").status_code == 404
