from rest_framework import serializers

from ..models import ModelVersion

MAX_PREDICT_TEXTS = 256


class ModelVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = ["id", "number", "kind", "base_model", "label_names", "labels_used", "train_size", "validation_size",
                  "metrics", "training_info", "created_at"]


class PredictSerializer(serializers.Serializer):
    texts = serializers.ListField(child=serializers.CharField(allow_blank=True, max_length=100_000),
                                  allow_empty=False, max_length=MAX_PREDICT_TEXTS)
