"""Files that used to break an import: codecs that are no text encodings, NUL characters, deep
nesting, numbers JSON cannot store, huge fields, a first record longer than the sniffed head.
Each bad row is rejected with its number and the rest is imported, on SQLite and PostgreSQL."""
import json

import pytest

from labeling.models import Document, Job, JobStatus
from labeling.services.importing.readers import MAX_FIELD_CHARS, MAX_NESTING
from labeling.services.masking import pseudonym_for_project

from ..conftest import Upload, import_texts

pytestmark = pytest.mark.django_db


def _uploads_left(settings):
    uploads = settings.LOOPLABEL_UPLOADS_DIR
    return sorted(uploads.iterdir()) if uploads.exists() else []


@pytest.mark.parametrize("encoding", ["rot13", "zlib", "base64", "hex", "bz2", "uu", "quopri", "undefined", "punycode"])
def test_an_encoding_that_reads_no_text_is_a_400_and_leaves_no_upload(project, lead, client_for, settings, encoding):
    response = client_for(lead).post(
        f"/api/v1/projects/{project.id}/import/",
        {"file": Upload("text\nProfit rose\n", "d.csv"), "encoding": encoding}, format="multipart",
    )
    assert response.status_code == 400
    assert encoding in response.json()["detail"]
    assert not Job.objects.exists()
    assert _uploads_left(settings) == []


def test_a_nul_character_rejects_its_row_only(project, lead):
    lines = [
        json.dumps({"text": "First text", "source": "wire"}),
        json.dumps({"text": "Nul\u0000in the text"}),
        json.dumps({"text": "Nul in metadata", "source": {"feed": "a\u0000b"}}),
        json.dumps({"text": "Last text"}),
    ]
    job = import_texts(project, lead, "\n".join(lines), name="d.jsonl")
    assert job.status == JobStatus.SUCCEEDED
    assert job.counts["imported"] == 2
    assert [e["row"] for e in job.row_errors] == [2, 3]
    assert all("NUL" in e["reason"] for e in job.row_errors)
    assert set(Document.objects.values_list("text", flat=True)) == {"First text", "Last text"}


def test_a_nul_byte_in_a_csv_or_text_file_rejects_its_row_only(project, lead):
    job = import_texts(project, lead, b"text,source\nGood one,a\nBad\x00one,b\nGood two,c\n")
    assert (job.counts["imported"], [e["row"] for e in job.row_errors]) == (2, [3])
    job = import_texts(project, lead, b"plain one\nplain\x00two\nplain three\n", name="d.txt")
    assert (job.counts["imported"], [e["row"] for e in job.row_errors]) == (2, [2])


def test_deep_nesting_and_numbers_json_cannot_store_reject_their_rows(project, lead):
    lines = [
        json.dumps({"text": "Kept one"}),
        '{"text": "Too deep to parse", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({"text": "Too deep to store", "meta": json.loads("[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1))}),
        '{"text": "Not a number", "score": NaN}',
        '{"text": "Too many digits", "n": ' + "1" * 5000 + "}",
        json.dumps({"text": "Kept two", "meta": {"a": [1, {"b": 2.5}]}}),
    ]
    job = import_texts(project, lead, "\n".join(lines), name="d.jsonl")
    assert job.status == JobStatus.SUCCEEDED
    assert [e["row"] for e in job.row_errors] == [2, 3, 4, 5]
    assert "nested deeper" in job.row_errors[0]["reason"] and "nested deeper" in job.row_errors[1]["reason"]
    assert "NaN" in job.row_errors[2]["reason"] and "digits" in job.row_errors[3]["reason"]
    assert Document.objects.get(text="Kept two").metadata == {"meta": {"a": [1, {"b": 2.5}]}}


def test_a_csv_field_over_the_limit_is_a_row_error_never_a_fragment(project, lead):
    huge = "\n".join(["a long line of a huge multi-line field"] * (10_000_000 // 40))
    content = f'text,source\nFirst row,a\n"{huge}",b\nLast row,c\n'
    job = import_texts(project, lead, content)
    assert job.status == JobStatus.SUCCEEDED
    assert job.counts == {"rows": 3, "imported": 2, "duplicates": 0, "empty": 0, "rejected": 1, "seed_labels": 0}
    assert f"longer than {MAX_FIELD_CHARS}" in job.row_errors[0]["reason"]
    assert set(Document.objects.values_list("text", flat=True)) == {"First row", "Last row"}


def test_a_first_jsonl_record_longer_than_the_sniffed_head_is_checked_whole(project, lead):
    long_text = "word " * 15_000  # 75,000 characters: more than the 64 KB read to check the encoding
    lines = [json.dumps({"text": long_text, "ref": "r-1"}), json.dumps({"text": "Short one", "ref": "r-2"})]
    job = import_texts(project, lead, "\n".join(lines), name="d.jsonl", id_field="ref")
    assert job.status == JobStatus.SUCCEEDED and job.counts["imported"] == 2
    stored = set(Document.objects.values_list("external_id", flat=True))
    assert stored == {pseudonym_for_project(project, "r-1"), pseudonym_for_project(project, "r-2")}


def test_a_utf8_byte_order_mark_is_dropped_in_every_format(project, lead):
    import_texts(project, lead, "\ufefftext\nFrom a CSV\n")
    import_texts(project, lead, "\ufeff" + json.dumps({"text": "From JSONL"}), name="d.jsonl")
    import_texts(project, lead, "\ufeffFrom text\n", name="d.txt")
    assert set(Document.objects.values_list("text", flat=True)) == {"From a CSV", "From JSONL", "From text"}
