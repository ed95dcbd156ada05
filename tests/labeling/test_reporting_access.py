"""Who may report a text for personal data, and that a reported text stays out of the queue: an annotator
reports only what they were shown (held or labelled), leads any document, and undo does not bring it back."""
import pytest

from labeling.models import Annotation, Document, DocumentState, Lease
from labeling.services.projects import set_member

from ..conftest import import_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(project):
    return lambda path: f"/api/v1/projects/{project.id}/{path}"


@pytest.fixture
def texts(project, lead):
    import_texts(project, lead, "text\n" + "".join(f"Plain sentence number {i}\n" for i in range(6)))
    return project


def _report(client, api, document_id):
    return client.post(api("report-pii/"), {"document": document_id, "note": "a name"}, format="json")


def test_annotators_report_only_documents_they_hold_or_labelled(texts, lead, annotator, make_user, client_for, api):
    client = client_for(annotator)
    held = client.get(api("next/")).json()["document"]["id"]
    labelled = client.get(api("next/")).json()["document"]["id"]
    labelled_now = client.post(api("annotations/"), {"document": labelled, "label": "neutral"}, format="json")
    assert labelled_now.status_code == 201
    colleague = make_user("colleague")
    set_member(texts, colleague.username, "annotator")
    theirs = client_for(colleague).get(api("next/")).json()["document"]["id"]
    never_shown = Document.objects.filter(project=texts).exclude(pk__in=[held, labelled, theirs]).first().id

    for document_id in (never_shown, theirs, 10**9):
        response = _report(client, api, document_id)
        assert response.status_code == 404 and "not one you hold or labelled" in response.json()["detail"]
    assert Document.objects.get(pk=never_shown).state == DocumentState.POOL
    assert Lease.objects.filter(document_id=theirs).exists()

    assert _report(client, api, held).status_code == 201
    assert _report(client, api, labelled).status_code == 201
    assert _report(client_for(lead), api, never_shown).status_code == 201
    assert set(Document.objects.filter(state=DocumentState.REPORTED).values_list("id", flat=True)) == {
        held, labelled, never_shown}


def test_undoing_the_label_of_a_reported_document_keeps_it_out_of_the_queue(texts, annotator, client_for, api):
    client = client_for(annotator)
    document_id = client.get(api("next/")).json()["document"]["id"]
    annotation_id = client.post(api("annotations/"), {"document": document_id, "label": "neutral"},
                                format="json").json()["id"]
    assert _report(client, api, document_id).status_code == 201

    response = client.post(api("undo/"), {"annotation": annotation_id}, format="json")
    assert response.status_code == 409 and "reported for personal data" in response.json()["detail"]
    assert Document.objects.get(pk=document_id).state == DocumentState.REPORTED
    assert not Lease.objects.filter(document_id=document_id).exists()
    assert Annotation.objects.filter(pk=annotation_id).exists()
    served = {client.get(api("next/")).json()["document"]["id"] for _ in range(4)}
    assert document_id not in served
