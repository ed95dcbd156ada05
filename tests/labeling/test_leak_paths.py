"""Personal data that used to get past masking: a record's own id, metadata that is no top-level
string, the upload waiting for its worker, and an audit trail that leads could not see."""
import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps

from labeling.models import Document
from labeling.services.importing import run_import, start_import
from labeling.services.masking import pseudonym_for_project
from labeling.services.personal_data import read_document_original
from labeling.services.projects import create_project, set_member

from ..conftest import LABELS, Upload, import_texts

pytestmark = pytest.mark.django_db

EMAIL = "jane.whitfield@example.com"
PHONE = 4155552671  # a phone number written as a JSON number
CARD = 4111111111111111


def _export(client, project, export_format):
    response = client.get(f"/api/v1/projects/{project.id}/export/?format={export_format}")
    return b"".join(response.streaming_content).decode()


def test_record_ids_are_stored_served_and_exported_only_as_pseudonyms(project, lead, annotator, client_for):
    import_texts(project, lead, json.dumps({"text": "Profit rose", "ref": EMAIL}), name="d.jsonl", id_field="ref")
    pseudonym = pseudonym_for_project(project, EMAIL)
    assert EMAIL not in pseudonym and Document.objects.get().external_id == pseudonym

    client = client_for(annotator)
    document = client.get(f"/api/v1/projects/{project.id}/next/").json()["document"]
    assert document["external_id"] == pseudonym
    client.post(f"/api/v1/projects/{project.id}/annotations/", {"document": document["id"], "label": "positive"},
                format="json")
    for export_format in ("jsonl", "csv"):
        exported = _export(client_for(lead), project, export_format)
        assert pseudonym in exported and EMAIL not in exported


def test_leads_match_their_ids_to_pseudonyms_of_their_project_only(project, lead, annotator, client_for):
    other = create_project(lead, name="Other", labels=LABELS, label_budget=None, retrain_every=1000)
    path = f"/api/v1/projects/{project.id}/external-ids/"
    response = client_for(lead).post(path, {"ids": [EMAIL, "7"]}, format="json")
    assert response.status_code == 200
    assert response.json()["pseudonyms"] == {EMAIL: pseudonym_for_project(project, EMAIL),
                                             "7": pseudonym_for_project(project, "7")}
    assert pseudonym_for_project(other, EMAIL) != pseudonym_for_project(project, EMAIL)  # links no projects
    assert client_for(annotator).post(path, {"ids": [EMAIL]}, format="json").status_code == 403
    assert client_for(lead).post(path, {"ids": []}, format="json").status_code == 400


def test_ids_stored_before_are_pseudonymized_by_the_migration(project):
    Document.objects.create(project=project, text="t", content_hash="h1", external_id=EMAIL)
    Document.objects.create(project=project, text="u", content_hash="h2", external_id="")
    migration = importlib.import_module("labeling.migrations.0005_pseudonymize_external_ids")
    migration.pseudonymize_stored_ids(apps, None)
    assert sorted(Document.objects.values_list("external_id", flat=True)) == sorted(
        ["", pseudonym_for_project(project, EMAIL)])


def test_metadata_is_masked_at_any_depth_numbers_and_keys_too(project, lead):
    record = {
        "text": "Profit rose",
        "contact": {"emails": [EMAIL, "none"], "phone": PHONE},
        "card": CARD,
        "by_email": {EMAIL: "buyer"},
        "count": 3, "share": 0.5, "checked": True, "missing": None,
    }
    import_texts(project, lead, json.dumps(record), name="d.jsonl")
    metadata = Document.objects.get().metadata
    stored = json.dumps(metadata)
    for value in (EMAIL, str(PHONE), str(CARD)):
        assert value not in stored
    assert metadata["contact"]["emails"][1] == "none" and isinstance(metadata["contact"]["phone"], str)
    assert isinstance(metadata["card"], str) and list(metadata["by_email"].values()) == ["buyer"]
    assert (metadata["count"], metadata["share"], metadata["checked"], metadata["missing"]) == (3, 0.5, True, None)


def test_an_upload_waits_for_its_worker_encrypted_and_still_imports(project, lead):
    content = f"text,contact\nPlease email {EMAIL} about it,{PHONE}\nAnother row,none\n"
    job = start_import(project, lead, Upload(content, "d.csv"))
    stored = Path(job.params["path"]).read_bytes()
    for plaintext in (EMAIL, str(PHONE), "Please email", "Another row"):
        assert plaintext.encode() not in stored
    job = run_import(job.id)
    assert job.counts["imported"] == 2 and Document.objects.count() == 2
    assert not Path(job.params["path"]).exists()


@pytest.fixture
def reads(project, lead, make_user):
    """A read of an original in `project` and one in another project, each by its lead."""
    other_lead = make_user("other-lead")
    other = create_project(other_lead, name="Other", labels=LABELS, label_budget=None, retrain_every=1000)
    for reader, where, text in ((lead, project, "profit rose"), (other_lead, other, "sales fell")):
        import_texts(where, reader, f"text\n{text}\n")
        set_member(where, reader.username, "lead", can_view_raw=True)
        read_document_original(where, reader, Document.objects.get(text=text).id, f"check {text}")
    return other


def test_leads_see_the_audit_trail_of_their_own_project_only(project, reads, lead, annotator, client_for):
    response = client_for(lead).get(f"/api/v1/projects/{project.id}/audit/")
    assert response.status_code == 200
    [entry] = response.json()["results"]
    mine = Document.objects.get(text="profit rose")
    assert (entry["user"], entry["object_id"], entry["reason"]) == ("lead", str(mine.id), "check profit rose")
    assert client_for(annotator).get(f"/api/v1/projects/{project.id}/audit/").status_code == 403
    assert client_for(lead).get(f"/api/v1/projects/{reads.id}/audit/").status_code == 404
    set_member(reads, annotator.username, "lead")
    [theirs] = client_for(annotator).get(f"/api/v1/projects/{reads.id}/audit/").json()["results"]
    assert theirs["reason"] == "check sales fell"
