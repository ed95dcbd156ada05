"""Starting an import: store the upload, check what can be checked at once, create the job.

The job is returned queued but not sent to a worker: queueing is the caller's, at the edge
(the API and the web views), because services never import Celery tasks. The upload is stored
encrypted, like the originals of texts: it waits in the data directory, personal data and all,
until its import ends, and the readers decrypt it as they read.
"""
from pathlib import Path

from django.conf import settings

from privacy.crypto import decrypt_stream, encrypt_stream

from ...errors import InvalidInput
from ...models import Job, JobKind
from .readers import check_encoding, check_fields, detect_format

SNIFF_BYTES = 64 * 1024


def start_import(project, user, uploaded_file, *, text_field="text", label_field=None, id_field=None,
                 file_format=None, encoding="utf-8") -> Job:
    """Store the upload, check it, and create its job for the caller to queue. Raises InvalidInput for a bad file."""
    filename = getattr(uploaded_file, "name", "")
    fmt = detect_format(file_format, filename)
    if fmt != "txt" and not text_field:
        raise InvalidInput("text_field is required: name the column or key that holds the text.")
    job = Job(project=project, kind=JobKind.IMPORT, created_by=user)
    upload_dir = Path(settings.LOOPLABEL_UPLOADS_DIR)
    upload_dir.mkdir(parents=True, exist_ok=True)
    path = upload_dir / f"{job.id}.{fmt}"
    try:
        _store_upload(uploaded_file, path)
        _check_head(path, fmt, encoding, text_field, label_field, id_field)
        job.params = {
            "path": str(path), "format": fmt, "encoding": encoding, "filename": filename,
            "text_field": text_field, "label_field": label_field, "id_field": id_field,
        }
        job.save()
    except Exception:  # an upload without a job is refused and leaves nothing on disk, whatever refused it
        path.unlink(missing_ok=True)
        raise
    return job


def _store_upload(uploaded_file, path):
    with open(path, "wb") as out:
        out.writelines(encrypt_stream(uploaded_file.chunks()))


def _check_head(path, fmt, encoding, text_field, label_field, id_field):
    """Check the encoding on the first SNIFF_BYTES, and the fields on the first record, however long."""
    with decrypt_stream(open(path, "rb")) as f:
        head = f.read(SNIFF_BYTES)
        complete = not f.read(1)
    if not head.strip():
        raise InvalidInput("The file is empty.")
    check_encoding(head, encoding, complete)
    check_fields(path, fmt, encoding, text_field, label_field, id_field)
