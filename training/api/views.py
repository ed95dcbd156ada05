"""REST API of the model loop: train, list and download models, predict, project stats."""
import tempfile

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from labeling.api.permissions import (
    IsProjectLead,
    IsProjectMember,
    ProjectLeadForWrites,
)
from labeling.api.serializers import JobSerializer
from labeling.models import Role
from labeling.services.stats import labeling_stats

from .. import downloads
from ..loop import due, predict, report
from ..loop.dataset import NotTrainable
from ..models import ModelVersion, ProjectLoop
from ..tasks import queue_next, queue_requested_training
from .serializers import (
    ColdStartSerializer,
    LoopSettingsSerializer,
    LoopStateSerializer,
    ModelVersionSerializer,
    ModelVersionSummarySerializer,
    PredictionsSerializer,
    PredictSerializer,
    StatsSerializer,
    TrainingStartedSerializer,
)


def _model_versions(view) -> list:
    """Every version of the view's project: in full for leads, as a summary for annotators."""
    serializer = ModelVersionSerializer if view.role == Role.LEAD else ModelVersionSummarySerializer
    return serializer(view.project.model_versions.all(), many=True).data


class TrainView(APIView):
    permission_classes = [IsProjectLead]

    @extend_schema(request=None, responses={
        202: TrainingStartedSerializer,
        409: OpenApiResponse(description="The labels cannot train a model yet; `detail` says why."),
        503: OpenApiResponse(description="The task queue is down; the run was failed and the lock freed."),
    })
    def post(self, request, project_id):
        """Start a fine-tune, or return the run already queued or running."""
        project = self.project
        try:
            job, steps = due.request_training_for(project, request.user)
        except NotTrainable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        queue_requested_training(steps)
        body = JobSerializer(job).data
        body["created"] = bool(steps.train_job_id)
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ModelListView(APIView):
    permission_classes = [IsProjectMember]

    @extend_schema(responses=ModelVersionSerializer(many=True))
    def get(self, request, project_id):
        """The model versions: in full for leads; annotators get number, kind, labels and date."""
        return Response(_model_versions(self))


class ModelDownloadView(APIView):
    """The version as a zip file that loads without Looplabel (see training/downloads.py)."""

    permission_classes = [IsProjectLead]

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, project_id, number):
        project = self.project
        version = get_object_or_404(ModelVersion, project=project, number=number)
        archive = tempfile.TemporaryFile()  # on disk, not in memory: models run to gigabytes
        downloads.write_archive(version, archive)
        archive.seek(0)
        return FileResponse(archive, as_attachment=True, filename=downloads.archive_name(version))


class PredictView(APIView):
    permission_classes = [IsProjectMember]

    @extend_schema(request=PredictSerializer, responses={
        200: PredictionsSerializer, 409: OpenApiResponse(description="The project has no trained model yet.")})
    def post(self, request, project_id):
        """The newest model's label and scores for each text (masked first, as the model learned)."""
        project = self.project
        serializer = PredictSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            version, predictions = predict.predict(project, serializer.validated_data["texts"])
        except NotTrainable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response({"model_version": version.number, "predictions": predictions})


class StatsView(APIView):
    """Leads see every annotator's numbers; an annotator sees their own row (and the models as a summary)."""

    permission_classes = [IsProjectMember]

    @extend_schema(responses=StatsSerializer)
    def get(self, request, project_id):
        project = self.project
        stats = labeling_stats(project, only_annotator=None if self.role == Role.LEAD else request.user)
        stats["model_versions"] = _model_versions(self)
        loop = report.loop_stats(project)
        loop["training"] = JobSerializer(loop["training"]).data if loop["training"] else None
        return Response({**stats, **loop})


class ColdStartView(APIView):
    """Embed the pool with the base encoder and order it for coverage (normally automatic)."""

    permission_classes = [IsProjectLead]

    @extend_schema(request=None, responses={202: ColdStartSerializer})
    def post(self, request, project_id):
        project = self.project
        steps = due.request_cold_start(project)
        queue_next(steps)
        return Response({"queued": steps.cold_start}, status=status.HTTP_202_ACCEPTED)


class LoopSettingsView(APIView):
    """How often the fast head is refitted, and the cold start's state; members read, leads change."""

    permission_classes = [ProjectLeadForWrites]

    @extend_schema(responses=LoopStateSerializer)
    def get(self, request, project_id):
        project = self.project
        loop = ProjectLoop.objects.for_project(project)
        return Response({"head_every": due.head_every(project), "head_every_override": loop.head_every,
                         "head_pending": loop.head_pending, "cold_start_pending": loop.cold_start_pending,
                         "cold_start_done_at": loop.cold_start_done_at})

    @extend_schema(request=LoopSettingsSerializer, responses=LoopStateSerializer)
    def patch(self, request, project_id):
        project = self.project
        serializer = LoopSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ProjectLoop.objects.update_or_create(project=project, defaults={"head_every": serializer.validated_data.get("head_every")})
        return self.get(request, project_id)
