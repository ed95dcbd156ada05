"""REST API of labeling. Views check shape and access, then call one service."""
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from privacy.api import RawTextAccessSerializer

from .. import tasks
from ..models import Job, Membership, Project, Role
from ..services import exporting, importing, personal_data, projects, queue
from .permissions import IsProjectLead, IsProjectMember, ProjectLeadForWrites
from .serializers import (
    AnnotationCreatedSerializer,
    AnnotationSerializer,
    AssignmentSerializer,
    DocumentRefSerializer,
    ExternalIdsSerializer,
    ImportSerializer,
    ImportStartedSerializer,
    JobSerializer,
    MembershipSerializer,
    MemberWriteSerializer,
    OriginalTextSerializer,
    PiiReportedSerializer,
    PiiReportSerializer,
    ProjectSerializer,
    PseudonymsSerializer,
    ReportPiiSerializer,
    ResolveReportSerializer,
    SkippedSerializer,
    UndoSerializer,
    assignment_payload,
)

# Answers of the queue, for the schema (the error bodies are config/openapi.py's).
BUSY = OpenApiResponse(description="The texts stay locked by others or the database is busy; nothing was stored, "
                                   "repeat after Retry-After.")
NOT_HELD = OpenApiResponse(description="The caller does not hold the document (its lease expired or was never theirs).")


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = ProjectSerializer
    # The model behind `{id}` in the URLs, for the schema; get_queryset gives the caller's projects.
    queryset = Project.objects.none()
    permission_classes = [ProjectLeadForWrites]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return projects.projects_for(self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["roles"] = dict(Membership.objects.filter(user=self.request.user).values_list("project_id", "role"))
        return context

    def get_object(self):
        return self.project

    def perform_create(self, serializer):
        if not self.request.user.has_perm("labeling.add_project"):
            raise PermissionDenied("You may not create projects; ask an administrator.")
        data = dict(serializer.validated_data)
        labels = data.pop("labels")
        serializer.instance = projects.create_project(self.request.user, labels=labels, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = projects.update_project(serializer.instance, **data)

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    # --- import ----------------------------------------------------------------------
    @extend_schema(
        request={"multipart/form-data": ImportSerializer},
        responses={202: ImportStartedSerializer,
                   503: OpenApiResponse(description="The task queue is down; nothing was stored.")},
    )
    @action(detail=True, methods=["post"], url_path="import", permission_classes=[IsProjectLead])
    def import_file(self, request, pk=None):
        """Start an import of a CSV, JSONL or text file; a bad file is a 400 at once, rows are checked by the job."""
        data = _valid(ImportSerializer, request)
        job = importing.start_import(
            self.project, request.user, data["file"], text_field=data["text_field"],
            label_field=data["label_field"] or None, id_field=data["id_field"] or None,
            file_format=data.get("format"), encoding=data["encoding"],
        )
        tasks.queue_import(job)
        return Response({"job_id": str(job.id), "status": job.status}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=JobSerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[IsProjectLead], pagination_class=None)
    def jobs(self, request, pk=None):
        """The project's 50 newest jobs (imports and training runs)."""
        return Response(JobSerializer(self.project.jobs.all()[:50], many=True).data)

    # --- the queue -------------------------------------------------------------------
    @extend_schema(responses={
        200: AssignmentSerializer,
        204: OpenApiResponse(description="No text is left for the caller."),
        409: OpenApiResponse(description="The label budget is used up."),
        503: BUSY,
    })
    @action(detail=True, methods=["get"], url_path="next", permission_classes=[IsProjectMember])
    def next_document(self, request, pk=None):
        """The next text to label, leased to the caller."""
        assignment = queue.next_document(self.project, request.user)
        if assignment is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(assignment_payload(assignment))

    @extend_schema(responses=AssignmentSerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[IsProjectMember], pagination_class=None)
    def leases(self, request, pk=None):
        """The documents the caller holds now, oldest first, so a reloaded page resumes them."""
        return Response([assignment_payload(queue.Assignment(lease.document, lease))
                         for lease in queue.held_leases(self.project, request.user)])

    @extend_schema(request=AnnotationSerializer,
                   responses={201: AnnotationCreatedSerializer, 409: NOT_HELD, 503: BUSY})
    @action(detail=True, methods=["post"], permission_classes=[IsProjectMember])
    def annotations(self, request, pk=None):
        """Label a document the caller holds."""
        data = _valid(AnnotationSerializer, request)
        annotation = queue.submit_annotation(
            self.project, request.user, data["document"], data["label"], data.get("seconds_spent")
        )
        return Response(
            {"id": annotation.id, "document": annotation.document_id, "label": annotation.label.name},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=DocumentRefSerializer, responses={200: SkippedSerializer, 409: NOT_HELD, 503: BUSY})
    @action(detail=True, methods=["post"], permission_classes=[IsProjectMember])
    def skip(self, request, pk=None):
        """Release a document the caller holds to others."""
        data = _valid(DocumentRefSerializer, request)
        queue.skip_document(self.project, request.user, data["document"])
        return Response({"document": data["document"], "skipped": True})

    @extend_schema(request=UndoSerializer, responses={
        200: AssignmentSerializer,
        409: OpenApiResponse(description="The label cannot be taken back (a document reported for personal data)."),
        503: BUSY,
    })
    @action(detail=True, methods=["post"], permission_classes=[IsProjectMember])
    def undo(self, request, pk=None):
        """Take back one of the caller's labels; the document returns under a new lease."""
        data = _valid(UndoSerializer, request)
        return Response(assignment_payload(queue.undo_annotation(self.project, request.user, data["annotation"])))

    # --- members and export ------------------------------------------------------------
    @extend_schema(methods=["GET"], responses=MembershipSerializer(many=True))
    @extend_schema(methods=["POST"], request=MemberWriteSerializer, responses={201: MembershipSerializer})
    @action(detail=True, methods=["get", "post"], permission_classes=[IsProjectLead], pagination_class=None)
    def members(self, request, pk=None):
        """The project's members; POST adds a user or changes a member's role."""
        if request.method == "POST":
            data = _valid(MemberWriteSerializer, request)
            membership = projects.set_member(self.project, data["username"], data["role"], data["can_view_raw"])
            return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
        return Response(MembershipSerializer(self.project.memberships.select_related("user"), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=exporting.EXPORT_FORMATS, default="jsonl")],
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR, (200, "text/csv"): OpenApiTypes.STR,
                   400: OpenApiResponse(description="An unknown format.")},
    )
    @action(detail=True, methods=["get"], permission_classes=[IsProjectLead])
    def export(self, request, pk=None):
        """The labeled documents, streamed as JSON lines or CSV: masked text, label, annotator, metadata."""
        export_format = request.query_params.get("format", "jsonl")
        lines = exporting.export_lines(self.project, export_format)
        content_type = "application/x-ndjson" if export_format == "jsonl" else "text/csv"
        response = StreamingHttpResponse(lines, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="project-{self.project.id}.{export_format}"'
        return response


    # --- personal data -------------------------------------------------------------------
    @extend_schema(request=ReportPiiSerializer, responses={201: PiiReportedSerializer})
    @action(detail=True, methods=["post"], url_path="report-pii", permission_classes=[IsProjectMember])
    def report_pii(self, request, pk=None):
        """Report personal data that masking missed in a text the caller holds or labeled; it leaves the queue."""
        data = _valid(ReportPiiSerializer, request)
        report = personal_data.report_pii(self.project, request.user, data["document"], data["note"])
        return Response({"id": report.id, "document": report.document_id, "status": "removed from the queue"},
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses=PiiReportSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="pii-reports", permission_classes=[IsProjectLead],
            pagination_class=None)
    def pii_reports(self, request, pk=None):
        """The newest 500 reports of personal data."""
        return Response(PiiReportSerializer(personal_data.reports_for(self.project)[:500], many=True).data)

    @extend_schema(parameters=[OpenApiParameter("report_id", int, OpenApiParameter.PATH)],
                   request=ResolveReportSerializer, responses={200: PiiReportSerializer})
    @action(detail=True, methods=["post"], url_path=r"pii-reports/(?P<report_id>\d+)/resolve",
            permission_classes=[IsProjectLead])
    def resolve_pii_report(self, request, pk=None, report_id=None):
        """Return the document to the pool (with a corrected masked text) or keep it out."""
        data = _valid(ResolveReportSerializer, request)
        report = personal_data.resolve_report(self.project, request.user, int(report_id),
                                              return_to_pool=data["return_to_pool"], masked_text=data.get("masked_text"))
        return Response(PiiReportSerializer(report).data)

    @extend_schema(parameters=[OpenApiParameter("document_id", int, OpenApiParameter.PATH),
                               OpenApiParameter("reason", str, required=True, description="Goes into the audit log.")],
                   responses={200: OriginalTextSerializer,
                              400: OpenApiResponse(description="No reason, or one with a NUL character.")})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>\d+)/original",
            permission_classes=[IsProjectMember])
    def original(self, request, pk=None, document_id=None):
        """The unmasked text, for members allowed to view raw text; `?reason=` is required and audited."""
        text = personal_data.read_document_original(self.project, request.user, int(document_id),
                                                     request.query_params.get("reason", ""))
        return Response({"document": int(document_id), "original": text})

    @extend_schema(responses=RawTextAccessSerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[IsProjectLead])
    def audit(self, request, pk=None):
        """Reads of the project's originals: who, which document, why and when."""
        page = self.paginate_queryset(personal_data.raw_reads_for(self.project))
        return self.get_paginated_response(RawTextAccessSerializer(page, many=True).data)

    @extend_schema(request=ExternalIdsSerializer, responses={200: PseudonymsSerializer})
    @action(detail=True, methods=["post"], url_path="external-ids", permission_classes=[IsProjectLead])
    def external_ids(self, request, pk=None):
        """The pseudonyms that stand for the posted ids in `next` and exports."""
        data = _valid(ExternalIdsSerializer, request)
        return Response({"pseudonyms": personal_data.pseudonyms_for(self.project, data["ids"])})


@extend_schema_view(retrieve=extend_schema(
    parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)]))
class JobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = JobSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_object(self):
        """The job, for the leads of its project; a missing job, another project's and an id of the URL's
        shape that is no UUID get the same 404."""
        try:
            job = Job.objects.select_related("project").get(pk=self.kwargs["pk"])
        except (Job.DoesNotExist, ValidationError):
            job = None
        if job is None or projects.role_in(job.project, self.request.user) != Role.LEAD:
            raise NotFound("Job not found.")
        return job
