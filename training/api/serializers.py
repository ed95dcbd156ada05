from rest_framework import serializers

from labeling.api.serializers import MAX_POSITIVE_INT

from ..models import ModelVersion

MAX_PREDICT_TEXTS = 256


class ModelVersionSerializer(serializers.ModelSerializer):
    encoder_version = serializers.SerializerMethodField()

    class Meta:
        model = ModelVersion
        fields = ["id", "number", "kind", "encoder_version", "base_model", "label_names", "labels_used", "train_size",
                  "validation_size", "metrics", "training_info", "created_at"]

    def get_encoder_version(self, version):
        """HEAD versions: the number of the FULL version whose embeddings they use ("base" before any)."""
        if version.kind != "head":
            return None
        return version.encoder_version.number if version.encoder_version_id else "base"


class ModelVersionSummarySerializer(ModelVersionSerializer):
    """What annotators see of a version: which it is and what it learned from, without its scores per class,
    training details or the server's paths (leads get ModelVersionSerializer)."""

    class Meta(ModelVersionSerializer.Meta):
        fields = ["id", "number", "kind", "encoder_version", "label_names", "labels_used", "created_at"]


class LoopSettingsSerializer(serializers.Serializer):
    head_every = serializers.IntegerField(min_value=1, max_value=MAX_POSITIVE_INT, allow_null=True, required=False)


class PredictSerializer(serializers.Serializer):
    texts = serializers.ListField(child=serializers.CharField(allow_blank=True, max_length=100_000),
                                  allow_empty=False, max_length=MAX_PREDICT_TEXTS)
