"""Personal data end to end: what annotators, exports, logs and the database file never show."""
import logging
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from labeling.models import Document, DocumentState, PiiReport
from labeling.services.importing import run_import
from privacy.models import RawTextAccess

from ..conftest import Upload

SEEDED = {
    "email": "jane.whitfield@example.com",
    "phone": "(415) 555-2671",
    "card": "4111 1111 1111 1111",
    "iban": "DE89 3704 0044 0532 0130 00",
    "ssn": "536-22-8725",
    "ip": "192.168.10.24",
}
ROWS = [
    f"Please email {SEEDED['email']} about the invoice",
    f"Call me at {SEEDED['phone']} tomorrow",
    f"Charge card {SEEDED['card']} for the order",
    f"Wire it to {SEEDED['iban']} today",
    f"My SSN is {SEEDED['ssn']} for the form",
    f"The server at {SEEDED['ip']} went down",
]


def _import_via_api(client, project):
    content = "text,contact\n" + "".join(f'"{row}",{SEEDED["email"]}\n' for row in ROWS)
    response = client.post(f"/api/v1/projects/{project.id}/import/", {"file": Upload(content, "pii.csv")}, format="multipart")
    assert response.status_code == 202
    return run_import(response.json()["job_id"])


def _everything_an_annotator_sees(client, project):
    seen = []
    for _ in ROWS:
        response = client.get(f"/api/v1/projects/{project.id}/next/")
        seen.append(response.content)
        document = response.json()["document"]
        created = client.post(f"/api/v1/projects/{project.id}/annotations/", {"document": document["id"], "label": "neutral"},
                              format="json")
        seen.append(client.post(f"/api/v1/projects/{project.id}/undo/", {"annotation": created.json()["id"]},
                                format="json").content)
        seen.append(client.get(f"/api/v1/projects/{project.id}/leases/").content)
        client.post(f"/api/v1/projects/{project.id}/annotations/", {"document": document["id"], "label": "neutral"},
                    format="json")
    seen.append(client.get(f"/api/v1/projects/{project.id}/stats/").content)
    return b"\n".join(seen).decode()


def _database_bytes():
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        return b"".join(p.read_bytes() for p in (name, Path(f"{name}-wal")) if p.exists())
    db = connection.settings_dict
    return subprocess.run(["pg_dump", "-h", db.get("HOST") or "127.0.0.1", "-U", db["USER"], db["NAME"]],
                          capture_output=True, check=True).stdout


@pytest.mark.django_db(transaction=True)
def test_seeded_personal_data_never_reaches_annotators_exports_logs_or_the_database(
        project, lead, annotator, client_for, caplog):
    caplog.set_level(logging.DEBUG)
    job = _import_via_api(client_for(lead), project)
    assert job.counts["imported"] == len(ROWS)
    annotator_view = _everything_an_annotator_sees(client_for(annotator), project)
    exports = b"".join(
        b"".join(client_for(lead).get(f"/api/v1/projects/{project.id}/export/?format={fmt}").streaming_content)
        for fmt in ("jsonl", "csv")
    ).decode()
    connection.close()  # flush SQLite's WAL into view of the file reader
    stored = _database_bytes()
    assert "[EMAIL]" in annotator_view and "[EMAIL]" in exports
    for kind, value in SEEDED.items():
        for where, haystack in (("annotator responses", annotator_view), ("exports", exports), ("logs", caplog.text)):
            assert value not in haystack, f"{kind} leaked into {where}"
        for variant in {value, value.replace(" ", ""), value.replace("-", "")}:
            assert variant.encode() not in stored, f"{kind} is stored in plain text"


@pytest.mark.django_db
def test_originals_are_for_view_raw_members_with_a_reason_and_audited(project, lead, annotator, client_for):
    _import_via_api(client_for(lead), project)
    document = Document.objects.filter(project=project).first()
    path = f"/api/v1/projects/{project.id}/documents/{document.id}/original/"
    assert client_for(annotator).get(path, {"reason": "curious"}).status_code == 404
    assert client_for(lead).get(path).status_code == 400
    response = client_for(lead).get(path, {"reason": "checking a masking report"})
    assert response.status_code == 200 and any(value in response.json()["original"] for value in SEEDED.values())
    audit = RawTextAccess.objects.get()
    assert (audit.user, audit.object_id, audit.reason) == (lead, str(document.id), "checking a masking report")


@pytest.mark.django_db
def test_reported_text_leaves_the_queue_at_once_and_leads_see_it(project, lead, annotator, client_for):
    _import_via_api(client_for(lead), project)
    client = client_for(annotator)
    document = client.get(f"/api/v1/projects/{project.id}/next/").json()["document"]
    response = client.post(f"/api/v1/projects/{project.id}/report-pii/", {"document": document["id"], "note": "a name"},
                           format="json")
    assert response.status_code == 201
    assert Document.objects.get(pk=document["id"]).state == DocumentState.REPORTED
    assert client.get(f"/api/v1/projects/{project.id}/leases/").json() == []
    served = {client.get(f"/api/v1/projects/{project.id}/next/").json()["document"]["id"] for _ in range(len(ROWS) - 1)}
    assert document["id"] not in served
    assert client.get(f"/api/v1/projects/{project.id}/pii-reports/").status_code == 403
    reports = client_for(lead).get(f"/api/v1/projects/{project.id}/pii-reports/").json()
    assert [(r["document"], r["note"], r["reporter"]) for r in reports] == [(document["id"], "a name", "annotator")]
    resolved = client_for(lead).post(f"/api/v1/projects/{project.id}/pii-reports/{reports[0]['id']}/resolve/",
                                     {"return_to_pool": True, "masked_text": "Fixed text"}, format="json")
    assert resolved.status_code == 200 and PiiReport.objects.get().resolved_by == lead
    assert Document.objects.get(pk=document["id"]).state == DocumentState.POOL


@pytest.mark.django_db
def test_key_rotation_keeps_every_original_readable(project, lead, client_for, settings):
    from cryptography.fernet import Fernet

    from privacy import crypto

    _import_via_api(client_for(lead), project)
    old_keys = list(settings.LOOPLABEL_ENCRYPTION_KEYS)
    originals = {d.id: crypto.decrypt(d.original_encrypted) for d in Document.objects.all()}
    settings.LOOPLABEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old_keys]
    call_command("rotate_keys", stdout=open("/dev/null", "w"))
    settings.LOOPLABEL_ENCRYPTION_KEYS = settings.LOOPLABEL_ENCRYPTION_KEYS[:1]
    assert {d.id: crypto.decrypt(d.original_encrypted) for d in Document.objects.all()} == originals
