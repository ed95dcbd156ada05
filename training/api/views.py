"""REST API of the model loop: train, list and download models, predict, project stats."""
import tempfile

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from labeling.api.permissions import project_for
from labeling.api.serializers import JobSerializer
from labeling.services.stats import labeling_stats

from .. import downloads, services
from ..models import ModelVersion, ProjectLoop
from .serializers import LoopSettingsSerializer, ModelVersionSerializer, PredictSerializer


class TrainView(APIView):
    def post(self, request, project_id):
        project = project_for(request, project_id, lead=True)
        try:
            services.check_trainable(project)
        except services.NotTrainable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        job, created = services.request_training(project, user=request.user, reason="requested")
        body = JobSerializer(job).data
        body["created"] = created
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ModelListView(APIView):
    def get(self, request, project_id):
        project = project_for(request, project_id)
        return Response(ModelVersionSerializer(project.model_versions.all(), many=True).data)


class ModelDownloadView(APIView):
    """The version as a zip file that loads without Looplabel (see training/downloads.py)."""

    def get(self, request, project_id, number):
        project = project_for(request, project_id, lead=True)
        version = get_object_or_404(ModelVersion, project=project, number=number)
        archive = tempfile.TemporaryFile()  # on disk, not in memory: models run to gigabytes
        downloads.write_archive(version, archive)
        archive.seek(0)
        return FileResponse(archive, as_attachment=True, filename=downloads.archive_name(version))


class PredictView(APIView):
    def post(self, request, project_id):
        project = project_for(request, project_id)
        serializer = PredictSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            predictions = services.predict(project, serializer.validated_data["texts"])
        except services.NotTrainable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response({"model_version": services.latest_model(project).number, "predictions": predictions})


class StatsView(APIView):
    def get(self, request, project_id):
        project = project_for(request, project_id)
        stats = labeling_stats(project)
        stats["model_versions"] = ModelVersionSerializer(project.model_versions.all(), many=True).data
        job = services.active_training_job(project)
        stats["training"] = JobSerializer(job).data if job else None
        stats["labels_since_last_model"] = services.labels_since_last_model(project)
        stats["labels_since_last_version"] = services.labels_since_last_version(project)
        stats["head_every"] = services.head_every(project)
        latest = services.latest_model(project)
        metrics = (latest.metrics or {}) if latest else {}
        stats["learning_curve"] = services.learning_curve(project)
        # When more labels stop paying: KappaAverage over the full versions' predictions.
        stats["stopping"] = metrics.get("stopping")
        stats["evaluation_sample"] = {
            "share": project.evaluation_share,
            "labeled": project.documents.filter(evaluation=True, state="labeled").count(),
        }
        return Response(stats)


class ColdStartView(APIView):
    """Embed the pool with the base encoder and order it for coverage (normally automatic)."""

    def post(self, request, project_id):
        project = project_for(request, project_id, lead=True)
        queued = services.request_cold_start(project)
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)


class LoopSettingsView(APIView):
    def get(self, request, project_id):
        project = project_for(request, project_id)
        loop = services.project_loop(project)
        return Response({"head_every": services.head_every(project), "head_every_override": loop.head_every,
                         "head_pending": loop.head_pending, "cold_start_pending": loop.cold_start_pending,
                         "cold_start_done_at": loop.cold_start_done_at})

    def patch(self, request, project_id):
        project = project_for(request, project_id, lead=True)
        serializer = LoopSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ProjectLoop.objects.update_or_create(project=project, defaults={"head_every": serializer.validated_data.get("head_every")})
        return self.get(request, project_id)
