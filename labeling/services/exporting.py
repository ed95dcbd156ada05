"""Export labeled documents as JSONL or CSV, streamed row by row."""
import csv
import io
import json

from ..errors import InvalidInput
from ..models import Annotation, DocumentState

EXPORT_FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ["id", "external_id", "text", "label", "annotator", "labeled_at", "metadata"]


def labeled_records(project):
    """One record per labeled document with its latest label (masked text only)."""
    annotations = (
        Annotation.objects.filter(document__project=project, document__state=DocumentState.LABELED)
        .select_related("document", "label", "annotator")
        .order_by("document_id", "-id")
    )
    last_document = None
    for annotation in annotations.iterator(chunk_size=2000):
        if annotation.document_id == last_document:
            continue
        last_document = annotation.document_id
        document = annotation.document
        yield {
            "id": document.id,
            "external_id": document.external_id,
            "text": document.text,
            "label": annotation.label.name,
            "annotator": annotation.annotator.username if annotation.annotator else None,
            "labeled_at": annotation.created_at.isoformat(),
            "metadata": document.metadata,
        }


def export_lines(project, export_format):
    """Lines of the export file, for a streaming response; the format is checked at once."""
    if export_format not in EXPORT_FORMATS:
        raise InvalidInput(f"Unknown export format {export_format!r}; use jsonl or csv.")
    records = labeled_records(project)
    return _jsonl_lines(records) if export_format == "jsonl" else _csv_lines(records)


def _jsonl_lines(records):
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def _csv_lines(records):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for record in records:
        writer.writerow({**record, "metadata": json.dumps(record["metadata"], ensure_ascii=False)})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
