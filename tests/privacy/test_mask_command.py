"""`manage.py mask`: JSON Lines in, records with masked_text and spans out."""
import json

import pytest
from django.core.management import CommandError, call_command


def write_lines(path, lines):
    path.write_bytes(b"".join(line if isinstance(line, bytes) else line.encode("utf-8") + b"\n" for line in lines))


def test_masks_every_record_and_keeps_its_fields(tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(source, [
        json.dumps({"id": 1, "body": "Mail bob@example.com please"}),
        "",
        json.dumps({"id": 2, "body": "nothing personal here", "label": "neutral"}),
    ])
    call_command("mask", input=str(source), output=str(target), text_field="body", strategy="redact")
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert records[0]["id"] == 1
    assert records[0]["masked_text"] == "Mail " + "█" * 15 + " please"
    assert records[0]["spans"] == [{"type": "EMAIL", "start": 5, "end": 20}]
    assert records[1] == {"id": 2, "body": "nothing personal here", "label": "neutral",
                          "masked_text": "nothing personal here", "spans": []}


def test_surrogates_are_consistent_across_records_of_a_scope(tmp_path, settings):
    settings.LOOPLABEL_HMAC_KEY = "0" * 64
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(source, [json.dumps({"text": "bob@example.com"})] * 2)
    call_command("mask", input=str(source), output=str(target), strategy="surrogate", scope="7")
    first, second = (json.loads(line)["masked_text"] for line in target.read_text().splitlines())
    assert first == second != "bob@example.com"


@pytest.mark.parametrize("bad_line, message", [
    ("{not json", "line 2: not valid JSON"),
    ("[1, 2]", "line 2: expected a JSON object"),
    ('{"other": "x"}', "line 2: no 'text' field"),
    ('{"text": 5}', "line 2: field 'text' is not a string"),
    (b"\xff\xfe bad bytes", "line 2: not UTF-8"),
])
def test_malformed_line_stops_with_its_number_and_leaves_no_output(tmp_path, bad_line, message):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(source, [json.dumps({"text": "secret bob@example.com"}), bad_line])
    with pytest.raises(CommandError, match=message) as raised:
        call_command("mask", input=str(source), output=str(target))
    assert "bob@example.com" not in str(raised.value)
    assert list(tmp_path.iterdir()) == [source]


def test_missing_input_file(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("mask", input=str(tmp_path / "absent.jsonl"), output=str(tmp_path / "out.jsonl"))


def test_unwritable_output_is_a_command_error(tmp_path):
    source = tmp_path / "in.jsonl"
    write_lines(source, [json.dumps({"text": "x"})])
    with pytest.raises(CommandError, match="cannot read"):
        call_command("mask", input=str(source), output=str(tmp_path / "missing-dir" / "out.jsonl"))
