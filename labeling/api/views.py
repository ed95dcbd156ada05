"""REST API of labeling. Views check shape and access, then call one service."""
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from privacy.api import RawTextAccessSerializer

from .. import tasks
from ..models import Job, Membership, Role
from ..services import exporting, importing, personal_data, projects, queue
from .permissions import IsProjectLead, IsProjectMember, ProjectLeadForWrites
from .serializers import (
    AnnotationSerializer,
    DocumentRefSerializer,
    ExternalIdsSerializer,
    ImportSerializer,
    JobSerializer,
    MembershipSerializer,
    MemberWriteSerializer,
    PiiReportSerializer,
    ProjectSerializer,
    ReportPiiSerializer,
    ResolveReportSerializer,
    UndoSerializer,
    assignment_payload,
)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = ProjectSerializer
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
    @action(detail=True, methods=["post"], url_path="import", permission_classes=[IsProjectLead])
    def import_file(self, request, pk=None):
        data = _valid(ImportSerializer, request)
        job = importing.start_import(
            self.project, request.user, data["file"], text_field=data["text_field"],
            label_field=data["label_field"] or None, id_field=data["id_field"] or None,
            file_format=data.get("format"), encoding=data["encoding"],
        )
        tasks.queue_import(job)
        return Response({"job_id": str(job.id), "status": job.status}, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["get"], permission_classes=[IsProjectLead])
    def jobs(self, request, pk=None):
        return Response(JobSerializer(self.project.jobs.all()[:50], many=True).data)

    # --- the queue -------------------------------------------------------------------
    @action(detail=True, methods=["get"], url_path="next", permission_classes=[IsProjectMember])
    def next_document(self, request, pk=None):
        assignment = queue.next_document(self.project, request.user)
        if assignment is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(assignment_payload(assignment))

    @action(detail=True, methods=["get"], permission_classes=[IsProjectMember])
    def leases(self, request, pk=None):
        """The documents the caller holds now, oldest first, so a reloaded page resumes them."""
        return Response([assignment_payload(queue.Assignment(lease.document, lease))
                         for lease in queue.held_leases(self.project, request.user)])

    @action(detail=True, methods=["post"], permission_classes=[IsProjectMember])
    def annotations(self, request, pk=None):
        data = _valid(AnnotationSerializer, request)
        annotation = queue.submit_annotation(
            self.project, request.user, data["document"], data["label"], data.get("seconds_spent")
        )
        return Response(
            {"id": annotation.id, "document": annotation.document_id, "label": annotation.label.name},
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"], permission_classes=[IsProjectMember])
    def skip(self, request, pk=None):
        data = _valid(DocumentRefSerializer, request)
        queue.skip_document(self.project, request.user, data["document"])
        return Response({"document": data["document"], "skipped": True})

    @action(detail=True, methods=["post"], permission_classes=[IsProjectMember])
    def undo(self, request, pk=None):
        data = _valid(UndoSerializer, request)
        return Response(assignment_payload(queue.undo_annotation(self.project, request.user, data["annotation"])))

    # --- members and export ------------------------------------------------------------
    @action(detail=True, methods=["get", "post"], permission_classes=[IsProjectLead])
    def members(self, request, pk=None):
        if request.method == "POST":
            data = _valid(MemberWriteSerializer, request)
            membership = projects.set_member(self.project, data["username"], data["role"], data["can_view_raw"])
            return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
        return Response(MembershipSerializer(self.project.memberships.select_related("user"), many=True).data)

    @action(detail=True, methods=["get"], permission_classes=[IsProjectLead])
    def export(self, request, pk=None):
        export_format = request.query_params.get("format", "jsonl")
        lines = exporting.export_lines(self.project, export_format)
        content_type = "application/x-ndjson" if export_format == "jsonl" else "text/csv"
        response = StreamingHttpResponse(lines, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="project-{self.project.id}.{export_format}"'
        return response


    # --- personal data -------------------------------------------------------------------
    @action(detail=True, methods=["post"], url_path="report-pii", permission_classes=[IsProjectMember])
    def report_pii(self, request, pk=None):
        data = _valid(ReportPiiSerializer, request)
        report = personal_data.report_pii(self.project, request.user, data["document"], data["note"])
        return Response({"id": report.id, "document": report.document_id, "status": "removed from the queue"},
                        status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"], url_path="pii-reports", permission_classes=[IsProjectLead])
    def pii_reports(self, request, pk=None):
        return Response(PiiReportSerializer(personal_data.reports_for(self.project)[:500], many=True).data)

    @action(detail=True, methods=["post"], url_path=r"pii-reports/(?P<report_id>\d+)/resolve",
            permission_classes=[IsProjectLead])
    def resolve_pii_report(self, request, pk=None, report_id=None):
        data = _valid(ResolveReportSerializer, request)
        report = personal_data.resolve_report(self.project, request.user, int(report_id),
                                              return_to_pool=data["return_to_pool"], masked_text=data.get("masked_text"))
        return Response(PiiReportSerializer(report).data)

    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>\d+)/original",
            permission_classes=[IsProjectMember])
    def original(self, request, pk=None, document_id=None):
        """The unmasked text, for members allowed to view raw text; `?reason=` is required and audited."""
        text = personal_data.read_document_original(self.project, request.user, int(document_id),
                                                     request.query_params.get("reason", ""))
        return Response({"document": int(document_id), "original": text})

    @action(detail=True, methods=["get"], permission_classes=[IsProjectLead])
    def audit(self, request, pk=None):
        """Reads of the project's originals: who, which document, why and when."""
        page = self.paginate_queryset(personal_data.raw_reads_for(self.project))
        return self.get_paginated_response(RawTextAccessSerializer(page, many=True).data)

    @action(detail=True, methods=["post"], url_path="external-ids", permission_classes=[IsProjectLead])
    def external_ids(self, request, pk=None):
        """The pseudonyms that stand for the posted ids in `next` and exports."""
        data = _valid(ExternalIdsSerializer, request)
        return Response({"pseudonyms": personal_data.pseudonyms_for(self.project, data["ids"])})


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
