"""REST API of labeling. Views check shape and access, then call one service."""
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from ..models import Job, Membership, Role
from ..services import exporting, importing, personal_data, projects, queue
from .permissions import project_for
from .serializers import (
    AnnotationSerializer,
    DocumentRefSerializer,
    PiiReportSerializer,
    ReportPiiSerializer,
    ResolveReportSerializer,
    ImportSerializer,
    JobSerializer,
    MembershipSerializer,
    MemberWriteSerializer,
    ProjectSerializer,
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
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return projects.projects_for(self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["roles"] = dict(Membership.objects.filter(user=self.request.user).values_list("project_id", "role"))
        return context

    def get_project(self, *, lead=False):
        return project_for(self.request, self.kwargs["pk"], lead=lead)

    def get_object(self):
        return self.get_project(lead=self.request.method not in ("GET", "HEAD", "OPTIONS"))

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
    @action(detail=True, methods=["post"], url_path="import")
    def import_file(self, request, pk=None):
        project = self.get_project(lead=True)
        data = _valid(ImportSerializer, request)
        job = importing.start_import(
            project, request.user, data["file"], text_field=data["text_field"],
            label_field=data["label_field"] or None, id_field=data["id_field"] or None,
            file_format=data.get("format"), encoding=data["encoding"],
        )
        return Response({"job_id": str(job.id), "status": job.status}, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["get"])
    def jobs(self, request, pk=None):
        project = self.get_project(lead=True)
        return Response(JobSerializer(project.jobs.all()[:50], many=True).data)

    # --- the queue -------------------------------------------------------------------
    @action(detail=True, methods=["get"], url_path="next")
    def next_document(self, request, pk=None):
        project = self.get_project()
        assignment = queue.next_document(project, request.user)
        if assignment is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(assignment_payload(assignment))

    @action(detail=True, methods=["get"])
    def leases(self, request, pk=None):
        """The documents the caller holds now, oldest first, so a reloaded page resumes them."""
        project = self.get_project()
        return Response([assignment_payload(queue.Assignment(lease.document, lease))
                         for lease in queue.held_leases(project, request.user)])

    @action(detail=True, methods=["post"])
    def annotations(self, request, pk=None):
        project = self.get_project()
        data = _valid(AnnotationSerializer, request)
        annotation = queue.submit_annotation(
            project, request.user, data["document"], data["label"], data.get("seconds_spent")
        )
        return Response(
            {"id": annotation.id, "document": annotation.document_id, "label": annotation.label.name},
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        project = self.get_project()
        data = _valid(DocumentRefSerializer, request)
        queue.skip_document(project, request.user, data["document"])
        return Response({"document": data["document"], "skipped": True})

    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        project = self.get_project()
        data = _valid(UndoSerializer, request)
        return Response(assignment_payload(queue.undo_annotation(project, request.user, data["annotation"])))

    # --- members and export ------------------------------------------------------------
    @action(detail=True, methods=["get", "post"])
    def members(self, request, pk=None):
        project = self.get_project(lead=request.method == "POST")
        if request.method == "POST":
            data = _valid(MemberWriteSerializer, request)
            membership = projects.set_member(project, data["username"], data["role"], data["can_view_raw"])
            return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
        if projects.role_in(project, request.user) != Role.LEAD:
            raise PermissionDenied("Only the project's leads may list its members.")
        return Response(MembershipSerializer(project.memberships.select_related("user"), many=True).data)

    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        project = self.get_project(lead=True)
        export_format = request.query_params.get("format", "jsonl")
        lines = exporting.export_lines(project, export_format)
        content_type = "application/x-ndjson" if export_format == "jsonl" else "text/csv"
        response = StreamingHttpResponse(lines, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="project-{project.id}.{export_format}"'
        return response


    # --- personal data -------------------------------------------------------------------
    @action(detail=True, methods=["post"], url_path="report-pii")
    def report_pii(self, request, pk=None):
        project = self.get_project()
        data = _valid(ReportPiiSerializer, request)
        report = personal_data.report_pii(project, request.user, data["document"], data["note"])
        return Response({"id": report.id, "document": report.document_id, "status": "removed from the queue"},
                        status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"], url_path="pii-reports")
    def pii_reports(self, request, pk=None):
        project = self.get_project(lead=True)
        return Response(PiiReportSerializer(personal_data.reports_for(project)[:500], many=True).data)

    @action(detail=True, methods=["post"], url_path=r"pii-reports/(?P<report_id>\d+)/resolve")
    def resolve_pii_report(self, request, pk=None, report_id=None):
        project = self.get_project(lead=True)
        data = _valid(ResolveReportSerializer, request)
        report = personal_data.resolve_report(project, request.user, int(report_id), return_to_pool=data["return_to_pool"],
                                              masked_text=data.get("masked_text"))
        return Response(PiiReportSerializer(report).data)

    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>\d+)/original")
    def original(self, request, pk=None, document_id=None):
        """The unmasked text, for members allowed to view raw text; `?reason=` is required and audited."""
        project = self.get_project()
        text = personal_data.read_document_original(project, request.user, int(document_id),
                                                     request.query_params.get("reason", ""))
        return Response({"document": int(document_id), "original": text})


class JobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = JobSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_object(self):
        job = get_object_or_404(Job.objects.select_related("project"), pk=self.kwargs["pk"])
        if projects.role_in(job.project, self.request.user) != Role.LEAD:
            raise NotFound("Job not found.")
        return job
