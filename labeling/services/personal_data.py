"""Personal data in documents: reports of leaks that masking missed, audited reads of originals and
their audit trail, and the pseudonyms that stand for the records' own ids."""
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone

from privacy.services import raw_text_reads, read_original

from ..errors import InvalidInput, NotFound
from ..models import Document, DocumentState, Lease, PiiReport, Role
from .masking import mask_for_project, pseudonym_for_project
from .projects import can_view_raw, role_in
from .queue import withdraw_document

# How a read of a document's original names the document in privacy's audit trail.
DOCUMENT_OBJECT_TYPE = "labeling.document"


def report_pii(project, reporter, document_id, note="") -> PiiReport:
    """Take the document out of the queue at once and tell the leads.

    Leads may report any document of the project; an annotator only one they were shown (they hold
    it or labelled it), so nobody can pull texts out of the queue by id. Any other id is the same 404
    as a missing document.
    """
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(project=project, pk=document_id).first()
        if document is None or not _may_report(project, reporter, document):
            raise NotFound(f"Document {document_id} is not in this project, or not one you hold or labelled.")
        document.state = DocumentState.REPORTED
        document.save(update_fields=["state"])
        report = PiiReport.objects.create(document=document, reporter=reporter, note=note[:2000])
        withdraw_document(project, document)
        return report


def _may_report(project, user, document) -> bool:
    return (role_in(project, user) == Role.LEAD
            or Lease.objects.filter(document=document, annotator=user).exists()
            or document.annotations.filter(annotator=user).exists())


def reports_for(project):
    return PiiReport.objects.filter(document__project=project).select_related("reporter", "document")


def resolve_report(project, lead, report_id, *, return_to_pool, masked_text=None) -> PiiReport:
    """Close a report; the lead may fix the masked text and put the document back in the pool."""
    with transaction.atomic():
        report = PiiReport.objects.select_for_update().filter(pk=report_id, document__project=project).first()
        if report is None:
            raise NotFound(f"Report {report_id} does not exist in this project.")
        document = report.document
        if masked_text is not None:
            if not masked_text.strip():
                raise InvalidInput("masked_text must not be empty.")
            # The lead's corrected text is masked once more, so a correction cannot add a leak back.
            document.text = mask_for_project(project, masked_text)
            document.mask_spans = []
        if return_to_pool:
            document.state = DocumentState.LABELED if document.annotations.exists() else DocumentState.POOL
        document.save(update_fields=["text", "mask_spans", "state"])
        report.resolved_at = timezone.now()
        report.resolved_by = lead
        report.resolution = "returned to the pool" if return_to_pool else "kept out of the queue"
        report.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return report


def read_document_original(project, user, document_id, reason) -> str:
    """The original text, for members with the view-raw permission; every read is audited."""
    if not can_view_raw(project, user):
        raise NotFound("Not found.")  # the same answer as a missing document: no hint that originals exist
    if not (reason or "").strip():
        raise InvalidInput("A reason is required to read an original text (it goes into the audit log).")
    if "\x00" in reason:  # PostgreSQL cannot store it (a 500)
        raise InvalidInput("The reason cannot contain a NUL character.")
    document = Document.objects.filter(project=project, pk=document_id).first()
    if document is None:
        raise NotFound(f"Document {document_id} does not exist in this project.")
    return read_original(document.original_encrypted, user=user, object_type=DOCUMENT_OBJECT_TYPE,
                         object_id=document.id, reason=reason)


def raw_reads_for(project):
    """Who read which of the project's originals and why, newest first: the project's part of the audit trail.

    Reads of documents since deleted are no longer the project's; the site-wide trail keeps them.
    """
    document_ids = Document.objects.filter(project=project).annotate(key=Cast("pk", CharField())).values("key")
    return raw_text_reads(DOCUMENT_OBJECT_TYPE, document_ids)


def pseudonyms_for(project, external_ids) -> dict:
    """{id: pseudonym} of the ids a lead holds, to match their records to the project's documents and exports.

    It tells a lead nothing they could not find out anyway, by importing a file with those ids and exporting it.
    """
    return {external_id: pseudonym_for_project(project, external_id) for external_id in external_ids}
