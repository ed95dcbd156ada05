"""Import: formats, cleaning, counts, row errors, and bad files rejected before anything is stored."""
import json

import pytest

from labeling.errors import InvalidInput
from labeling.models import Annotation, Document, DocumentState, Job, JobStatus
from labeling.services.importing import normalise_whitespace, run_import, start_import
from labeling.services.masking import pseudonym_for_project

from ..conftest import Upload, import_texts

pytestmark = pytest.mark.django_db


def test_csv_import_counts_duplicates_empty_rows_and_rejects(project, lead):
    content = (
        "text,label,source\n"
        "Profit rose 10 %,positive,wire\n"
        "  Profit   rose 10 %  ,positive,wire\n"  # duplicate once whitespace is normalised
        ",neutral,wire\n"  # empty
        "Sales fell,bogus,wire\n"  # unknown label
        "Shares were flat,,wire\n"  # unlabeled
        "too,many,fields,here\n"
    )
    job = import_texts(project, lead, content, text_field="text", label_field="label")
    assert job.status == JobStatus.SUCCEEDED
    assert job.counts == {"rows": 6, "imported": 2, "duplicates": 1, "empty": 1, "rejected": 2, "seed_labels": 1}
    assert {e["row"] for e in job.row_errors} == {5, 7}
    assert "unknown label 'bogus'" in job.row_errors[0]["reason"]
    assert "more fields" in job.row_errors[1]["reason"]
    profit = Document.objects.get(project=project, text="Profit rose 10 %")
    assert profit.state == DocumentState.LABELED
    assert profit.metadata == {"source": "wire"}
    assert Annotation.objects.get(document=profit).imported is True
    assert Document.objects.get(text="Shares were flat").state == DocumentState.POOL


def test_jsonl_import_with_ids_and_bad_lines(project, lead):
    lines = [
        json.dumps({"body": "First text", "ref": "a-1", "lang": "en"}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"other": "no body"}),
        "",
        json.dumps({"body": "Second text", "ref": 7}),
    ]
    job = import_texts(project, lead, "\n".join(lines), name="data.jsonl", text_field="body", id_field="ref")
    assert job.counts["imported"] == 2
    assert [e["row"] for e in job.row_errors] == [2, 3, 4]
    assert "invalid JSON" in job.row_errors[0]["reason"]
    first = Document.objects.get(text="First text")
    assert (first.external_id, first.metadata) == (pseudonym_for_project(project, "a-1"), {"lang": "en"})
    assert Document.objects.get(text="Second text").external_id == pseudonym_for_project(project, "7")


def test_plain_text_one_text_per_line(project, lead):
    job = import_texts(project, lead, "\ufeffline one\n\n line  two \nline one\n", name="notes.txt")
    assert job.counts == {"rows": 4, "imported": 2, "duplicates": 1, "empty": 1, "rejected": 0, "seed_labels": 0}
    assert set(Document.objects.values_list("text", flat=True)) == {"line one", "line two"}


def test_duplicates_of_texts_already_in_the_project_are_skipped(project, lead):
    import_texts(project, lead, "text\nAlpha\n")
    job = import_texts(project, lead, "text\nAlpha\nBeta\n")
    assert (job.counts["imported"], job.counts["duplicates"]) == (1, 1)
    assert Document.objects.filter(project=project).count() == 2


def test_duplicate_hash_is_keyed_not_a_plain_hash(project, lead):
    import hashlib

    import_texts(project, lead, "text\nAlpha\n")
    stored = Document.objects.get().content_hash
    assert stored != hashlib.sha256(b"Alpha").hexdigest()


def test_latin1_file_is_rejected_with_advice_and_accepted_with_its_encoding(project, lead):
    content = "text\nSales at the caf\u00e9 rose\n".encode("latin-1")
    with pytest.raises(InvalidInput, match="not valid utf-8.*encoding=latin-1"):
        start_import(project, lead, Upload(content, "data.csv"), text_field="text")
    assert not Job.objects.exists()
    job = run_import(start_import(project, lead, Upload(content, "data.csv"), text_field="text", encoding="latin-1").id)
    assert Document.objects.get().text == "Sales at the caf\u00e9 rose"
    assert job.counts["imported"] == 1


@pytest.mark.parametrize(
    ("content", "name", "options", "message"),
    [
        ("body\nx\n", "d.csv", {"text_field": "text"}, "text_field 'text' is not in the CSV header"),
        ("text\nx\n", "d.csv", {"text_field": "text", "label_field": "gold"}, "label_field 'gold'"),
        ("", "d.csv", {}, "empty"),
        ("{broken", "d.jsonl", {}, "not valid JSON"),
        ("text\nx\n", "d.xlsx", {}, "Cannot tell the file format"),
        ("text\nx\n", "d.csv", {"encoding": "klingon"}, "Unknown encoding"),
    ],
)
def test_bad_files_fail_at_once_and_store_nothing(project, lead, settings, content, name, options, message):
    with pytest.raises(InvalidInput, match=message):
        start_import(project, lead, Upload(content, name), **options)
    assert not Job.objects.exists()
    uploads = settings.LOOPLABEL_UPLOADS_DIR
    assert not uploads.exists() or not any(uploads.iterdir())


def test_invalid_bytes_later_in_the_file_reject_only_their_row(project, lead, monkeypatch):
    monkeypatch.setattr("labeling.services.importing.starting.SNIFF_BYTES", 16)
    content = b"text\n" + b"good row one\n" + b"bad \xff\xfe row\n" + b"good row two\n"
    job = import_texts(project, lead, content)
    assert job.counts["imported"] == 2
    assert job.row_errors == [{"row": 3, "reason": "contains bytes that are not valid utf-8"}]


def test_failed_import_keeps_nothing_and_leaves_existing_documents(project, lead, monkeypatch):
    import_texts(project, lead, "text\nAlready here\n")
    monkeypatch.setattr("labeling.services.importing.running.BATCH_SIZE", 2)
    calls = {"n": 0}
    real_store = __import__("labeling.services.importing.running", fromlist=["_ImportRun"])._ImportRun.store

    def store_then_crash(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_store(self, batch)

    monkeypatch.setattr("labeling.services.importing.running._ImportRun.store", store_then_crash)
    job = start_import(project, lead, Upload("text\na\nb\nc\nd\n", "d.csv"))
    with pytest.raises(RuntimeError):
        run_import(job.id)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "nothing from this file was kept" in job.message
    assert list(Document.objects.values_list("text", flat=True)) == ["Already here"]


def test_staged_documents_are_invisible_until_the_import_finishes(project, lead, monkeypatch):
    monkeypatch.setattr("labeling.services.importing.running.BATCH_SIZE", 1)
    seen_states = []
    real_report = __import__("labeling.services.importing.running", fromlist=["_ImportRun"])._ImportRun.report

    def spy(self, progress):
        seen_states.append(set(Document.objects.values_list("state", flat=True)))
        return real_report(self, progress)

    monkeypatch.setattr("labeling.services.importing.running._ImportRun.report", spy)
    import_texts(project, lead, "text\na\nb\nc\n")
    assert seen_states and all(states == {DocumentState.IMPORTING} for states in seen_states)
    assert set(Document.objects.values_list("state", flat=True)) == {DocumentState.POOL}


def test_a_finished_job_is_not_run_twice(project, lead):
    job = import_texts(project, lead, "text\na\n")
    assert run_import(job.id) is None
    assert Document.objects.count() == 1


def test_large_file_streams_in_batches(project, lead, monkeypatch):
    reports = []
    real_report = __import__("labeling.services.importing.running", fromlist=["_ImportRun"])._ImportRun.report
    monkeypatch.setattr(
        "labeling.services.importing.running._ImportRun.report",
        lambda self, progress: (reports.append(progress), real_report(self, progress)),
    )
    rows = "".join(f"Company {i} reported results for quarter {i % 4}\n" for i in range(5000))
    job = import_texts(project, lead, "text\n" + rows)
    assert job.counts["imported"] == 5000
    assert len(reports) == 5 and reports == sorted(reports) and 0 < reports[0] < 1


def test_normalise_whitespace():
    assert normalise_whitespace("  a \t b \r\n\r\n\r\n c  ") == "a b\n\nc"
    assert normalise_whitespace("\u0065\u0301") == "\u00e9"


def test_import_api_returns_job_and_job_endpoint_reports_counts(project, lead, client_for):
    client = client_for(lead)
    response = client.post(
        f"/api/v1/projects/{project.id}/import/",
        {"file": Upload("text,label\nx,positive\ny,unknown\n", "d.csv"), "text_field": "text", "label_field": "label"},
        format="multipart",
    )
    assert response.status_code == 202
    job_id = response.json()["job_id"]
    run_import(job_id)  # what the worker does with the queued task
    job = client.get(f"/api/v1/jobs/{job_id}/").json()
    assert job["status"] == "succeeded"
    assert job["counts"]["imported"] == 1 and job["row_errors"] == [{"row": 3, "reason": "unknown label 'unknown'"}]


def test_import_api_bad_file_is_a_400_with_a_message(project, lead, client_for):
    response = client_for(lead).post(
        f"/api/v1/projects/{project.id}/import/", {"file": Upload(b"\xff\xfe\x00bad", "d.csv")}, format="multipart"
    )
    assert response.status_code == 400
    assert "not valid utf-8" in response.json()["detail"]
