"""HTML views through Django's test client: who may open what, forms, escaping."""
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from labeling.models import Job, Label, Membership, Project
from labeling.services.projects import create_project
from privacy.detectors import ALWAYS_MASKED
from training.models import ModelVersion

from .conftest import make_documents

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


@pytest.fixture
def web():
    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def lead_pages(project):
    base = f"/projects/{project.id}"
    return [f"{base}/dashboard/", f"{base}/dashboard/live/", f"{base}/charts/curve.svg", f"{base}/charts/burn.svg",
            f"{base}/import/", f"{base}/members/", f"{base}/settings/"]


def member_pages(project):
    base = f"/projects/{project.id}"
    return [f"{base}/annotate/", f"{base}/annotate/progress/"]


def test_anonymous_users_are_sent_to_log_in(web, project):
    for url in ["/", *member_pages(project), *lead_pages(project)]:
        response = web().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_login_page_and_login(web, lead):
    client = web()
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content
    assert "script-src 'self'" in page["Content-Security-Policy"]
    response = client.post("/accounts/login/", {"username": "lead", "password": "lead-password"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_project_list_shows_only_the_users_projects(web, project, lead, annotator, outsider):
    other = create_project(lead, name="Secret project", labels=[{"name": "a"}, {"name": "b"}])
    page = web(annotator).get("/").content.decode()
    assert "News" in page and "Secret project" not in page
    assert f"/projects/{project.id}/dashboard/" not in page  # no dashboard link for annotators
    lead_page = web(lead).get("/").content.decode()
    assert "News" in lead_page and "Secret project" in lead_page and f"/projects/{other.id}/dashboard/" in lead_page
    assert "not a member of any project" in web(outsider).get("/").content.decode()


def test_project_page_sends_each_role_to_its_page(web, project, lead, annotator):
    assert web(lead).get(f"/projects/{project.id}/")["Location"] == f"/projects/{project.id}/dashboard/"
    assert web(annotator).get(f"/projects/{project.id}/")["Location"] == f"/projects/{project.id}/annotate/"


def test_annotators_cannot_reach_lead_pages(web, project, annotator):
    client = web(annotator)
    for url in lead_pages(project):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/projects/{project.id}/train/").status_code == 403
    assert client.post(f"/projects/{project.id}/settings/", {"name": "hijacked"}).status_code == 403
    assert client.post(f"/projects/{project.id}/members/", {"action": "add", "username": "annotator",
                                                              "role": "lead"}).status_code == 403
    project.refresh_from_db()
    assert project.name == "News"
    assert Membership.objects.get(project=project, user=annotator).role == "annotator"
    for url in member_pages(project):
        assert client.get(url).status_code == 200, url


def test_outsiders_get_404_everywhere(web, project, outsider):
    client = web(outsider)
    for url in [f"/projects/{project.id}/", *member_pages(project), *lead_pages(project)]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/projects/{project.id}/train/").status_code == 404
    assert web(outsider).get("/projects/999999/dashboard/").status_code == 404


def test_annotate_page_config_is_safe_json(web, project, annotator):
    project.guidelines = XSS
    project.save()
    Label.objects.filter(project=project, name="neutral").update(name=XSS[:100])
    page = web(annotator).get(f"/projects/{project.id}/annotate/")
    html = page.content.decode()
    assert "<script>window.__xss" not in html and "onerror=\"window" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html  # guidelines, escaped
    config = json.loads(re.search(r'<script id="annotate-config" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    assert [label["name"] for label in config["labels"]] == ["positive", XSS[:100], "negative"]
    assert config["urls"]["next"] == f"/api/v1/projects/{project.id}/next/"
    assert config["csrfToken"]
    assert page["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")


def test_progress_endpoint(web, project, annotator):
    make_documents(project, ["a", "b", "c"])
    data = web(annotator).get(f"/projects/{project.id}/annotate/progress/").json()
    assert data == {"labeled_today": 0, "remaining": None, "budget": None, "pool": 3}


def test_dashboard_shows_counts_charts_and_models(web, project, lead, annotator, client_for):
    make_documents(project, [f"text {i}" for i in range(5)])
    api = client_for(annotator)
    for name in ["positive", "negative"]:
        document = api.get(f"/api/v1/projects/{project.id}/next/").json()["document"]["id"]
        assert api.post(f"/api/v1/projects/{project.id}/annotations/", {"document": document, "label": name},
                        format="json").status_code == 201
    ModelVersion.objects.create(project=project, number=1, base_model="tiny", artifact_dir="/nonexistent",
                                label_names=["positive", "neutral", "negative"], labels_used=2, train_size=2,
                                validation_size=0, metrics={"accuracy": 0.5, "macro_f1": 0.4, "per_class": {}})
    client = web(lead)
    html = client.get(f"/projects/{project.id}/dashboard/").content.decode()
    assert "Labels used" in html and ">2<" in html
    assert f"/api/v1/projects/{project.id}/models/1/download/" in html
    assert f"/api/v1/projects/{project.id}/export/?format=csv" in html
    for name in ["burn", "hourly", "labels", "curve"]:
        assert f"/projects/{project.id}/charts/{name}.svg?k=" in html
        chart = client.get(f"/projects/{project.id}/charts/{name}.svg")
        assert chart.status_code == 200 and chart["Content-Type"].startswith("image/svg+xml")
        assert b"<svg" in chart.content
    assert client.get(f"/projects/{project.id}/charts/nope.svg").status_code == 404
    live = client.get(f"/projects/{project.id}/dashboard/live/").json()
    assert live["burn"]["used"] == 2 and live["training"] is None
    assert live["annotator_rows"][0][:2] == ["annotator", "2"]
    assert [{key: point[key] for key in ("version", "labels", "macro_f1", "accuracy")} for point in live["curve"]] \
        == [{"version": 1, "labels": 2, "macro_f1": 0.4, "accuracy": 0.5}]


def test_dashboard_escapes_project_name(web, lead):
    project = create_project(lead, name=XSS[:200], labels=[{"name": "a"}, {"name": "b"}])
    html = web(lead).get(f"/projects/{project.id}/dashboard/").content.decode()
    assert "<script>window.__xss" not in html and "&lt;script&gt;" in html


def test_train_button_explains_when_there_is_too_little(web, project, lead):
    response = web(lead).post(f"/projects/{project.id}/train/", follow=True)
    assert "Training needs at least" in response.content.decode()
    assert not Job.objects.filter(project=project, kind="train").exists()


def test_settings_form_updates_the_project_and_labels(web, project, lead):
    client = web(lead)
    assert client.get(f"/projects/{project.id}/settings/").status_code == 200
    response = client.post(f"/projects/{project.id}/settings/", {
        "name": "News v2", "guidelines": "Be kind.", "label_budget": "500", "price_per_label": "0.05",
        "retrain_every": "30", "query_strategy": "entropy", "masking_strategy": "redact", "preselect_suggestion": "on",
        "evaluation_share": "0.2",
        "label_name": ["positive", "neutral", "negative", "mixed"], "label_hotkey": ["1", "2", "3", "m"],
        "label_color": ["#111111", "#222222", "#333333", "#444444"],
    })
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.label_budget, str(project.price_per_label), project.retrain_every) == \
        ("News v2", 500, "0.0500", 30)
    assert project.query_strategy == "entropy" and project.masking_strategy == "redact" and project.preselect_suggestion
    assert project.evaluation_share == 0.2
    assert list(project.labels.values_list("name", "hotkey", "color")) == [
        ("positive", "1", "#111111"), ("neutral", "2", "#222222"), ("negative", "3", "#333333"), ("mixed", "m", "#444444")]


def test_settings_form_chooses_what_is_masked_beyond_names_and_identifiers(web, project, lead):
    client = web(lead)
    page = client.get(f"/projects/{project.id}/settings/").content.decode()
    assert 'value="DATE" ' in page and 'value="ORGANIZATION" ' in page
    assert page.count("checked") >= 2  # dates and links are masked by default
    client.post(f"/projects/{project.id}/settings/", {
        "name": "News", "retrain_every": "20", "query_strategy": "margin", "masking_strategy": "tag",
        "masked_entity_types": ["DATE", "ORGANIZATION"],
        "label_name": ["positive", "neutral", "negative"], "label_hotkey": ["1", "2", "3"],
        "label_color": ["#111111", "#222222", "#333333"],
    })
    project.refresh_from_db()
    assert project.masked_entity_types == [*ALWAYS_MASKED, "DATE", "ORGANIZATION"]


def test_settings_form_shows_service_errors(web, project, lead):
    response = web(lead).post(f"/projects/{project.id}/settings/", {
        "name": "News", "retrain_every": "20", "query_strategy": "margin", "masking_strategy": "tag",
        "label_name": ["only one"], "label_hotkey": [""], "label_color": ["#000000"],
    })
    assert response.status_code == 200
    assert "at least two labels" in response.content.decode()
    assert project.labels.count() == 3


def test_new_project_needs_the_permission(web, lead, annotator):
    assert web(annotator).get("/projects/new/").status_code == 404
    response = web(lead).post("/projects/new/", {
        "name": "Fresh", "retrain_every": "20", "query_strategy": "margin", "masking_strategy": "tag",
        "label_name": ["yes", "no", ""], "label_hotkey": ["", "", ""], "label_color": ["", "", ""],
    })
    project = Project.objects.get(name="Fresh")
    assert response["Location"] == f"/projects/{project.id}/import/"
    assert list(project.labels.values_list("name", "hotkey")) == [("yes", "1"), ("no", "2")]


def test_members_page_adds_and_removes(web, project, lead, outsider):
    client = web(lead)
    assert client.post(f"/projects/{project.id}/members/", {"action": "add", "username": "outsider",
                                                              "role": "annotator"}).status_code == 302
    assert Membership.objects.filter(project=project, user=outsider, role="annotator").exists()
    page = client.post(f"/projects/{project.id}/members/", {"action": "add", "username": "nobody",
                                                              "role": "annotator"}, follow=True)
    assert "There is no user" in page.content.decode()
    client.post(f"/projects/{project.id}/members/", {"action": "remove", "username": "outsider"})
    assert not Membership.objects.filter(project=project, user=outsider).exists()
    client.post(f"/projects/{project.id}/members/", {"action": "remove", "username": "lead"})
    assert Membership.objects.filter(project=project, user=lead).exists()  # not yourself


def test_import_form_starts_a_job_and_shows_it(web, project, lead):
    client = web(lead)
    upload = SimpleUploadedFile("texts.csv", b"text\nfirst\nsecond\n", content_type="text/csv")
    response = client.post(f"/projects/{project.id}/import/", {"file": upload, "text_field": "text",
                                                                 "encoding": "utf-8"})
    job = Job.objects.get(project=project, kind="import")
    assert response["Location"] == f"/projects/{project.id}/jobs/{job.id}/"
    page = client.get(response["Location"]).content.decode()
    assert "texts.csv" in page and "waiting for a worker" in page
    bad = client.post(f"/projects/{project.id}/import/", {
        "file": SimpleUploadedFile("texts.csv", b"body\nx\n"), "text_field": "text", "encoding": "utf-8"})
    assert bad.status_code == 200 and "form-error" in bad.content.decode()


def test_job_page_lists_row_errors_escaped(web, project, lead):
    job = Job.objects.create(project=project, kind="import", status="succeeded", progress=1.0,
                             counts={"rows": 2, "imported": 1, "rejected": 1},
                             row_errors=[{"row": 3, "reason": XSS}], params={"filename": "f.csv"})
    html = web(lead).get(f"/projects/{project.id}/jobs/{job.id}/").content.decode()
    assert "&lt;script&gt;window.__xss=1" in html and "<script>window.__xss" not in html


def test_dashboard_shows_the_running_training_job(web, project, lead):
    Job.objects.create(project=project, kind="train", status="running", stage="training", progress=0.4)
    client = web(lead)
    html = client.get(f"/projects/{project.id}/dashboard/").content.decode()
    assert 'id="training-progress" max="1" value="0.4000"' in html and "40%" in html
    assert re.search(r'id="train-btn"\s+disabled', html)
    live = client.get(f"/projects/{project.id}/dashboard/live/").json()
    assert live["training"]["stage"] == "training" and live["training"]["progress"] == 0.4


def test_dashboard_lists_reported_texts_and_resolves_them(web, project, lead, annotator):
    from labeling.services.personal_data import report_pii
    from labeling.services.queue import next_document

    documents = make_documents(project, ["Mail jane@example.com now", "other"])
    assert next_document(project, annotator).document == documents[0]  # annotators report what they were shown
    report = report_pii(project, annotator, documents[0].id, note=XSS)
    client = web(lead)
    html = client.get(f"/projects/{project.id}/dashboard/").content.decode()
    assert "1 open" in html and "Mail jane@example.com" in html and "&lt;script&gt;window.__xss" in html
    assert web(annotator).post(f"/projects/{project.id}/reports/{report.id}/resolve/",
                               {"return_to_pool": "1"}).status_code == 403
    client.post(f"/projects/{project.id}/reports/{report.id}/resolve/", {"return_to_pool": "1"})
    documents[0].refresh_from_db()
    assert documents[0].state == "pool"
    assert "open</span>" not in client.get(f"/projects/{project.id}/dashboard/").content.decode()


def test_error_pages_are_friendly(web, project, annotator, outsider):
    denied = web(annotator).get(f"/projects/{project.id}/dashboard/")
    assert denied.status_code == 403 and "Only the project" in denied.content.decode()
    missing = web(outsider).get(f"/projects/{project.id}/annotate/")
    assert missing.status_code == 404 and "not a member" in missing.content.decode()
