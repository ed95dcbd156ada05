from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from labeling.api.serializers import MAX_POSITIVE_INT, JobSerializer

from ..models import ModelVersion

MAX_PREDICT_TEXTS = 256


# What annotators do not see of a version (ModelVersionSummarySerializer leaves it out).
LEAD_ONLY_FIELDS = ["base_model", "train_size", "validation_size", "metrics", "training_info"]


class ModelVersionSerializer(serializers.ModelSerializer):
    encoder_version = serializers.SerializerMethodField()

    class Meta:
        model = ModelVersion
        fields = ["id", "number", "kind", "encoder_version", "base_model", "label_names", "labels_used", "train_size",
                  "validation_size", "metrics", "training_info", "created_at"]
        # The schema describes one shape for both roles, so the fields annotators do not get are optional in it.
        extra_kwargs = {name: {"required": False} for name in LEAD_ONLY_FIELDS}

    @extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string", "enum": ["base"]}], "nullable": True,
                          "description": "HEAD versions: the FULL version whose encoder they use, or `base`."})
    def get_encoder_version(self, version):
        """HEAD versions: the number of the FULL version whose embeddings they use ("base" before any)."""
        if version.kind != "head":
            return None
        return version.encoder_version.number if version.encoder_version_id else "base"


class ModelVersionSummarySerializer(ModelVersionSerializer):
    """What annotators see of a version: which it is and what it learned from, without its scores per class,
    training details or the server's paths (leads get ModelVersionSerializer)."""

    class Meta(ModelVersionSerializer.Meta):
        fields = [name for name in ModelVersionSerializer.Meta.fields if name not in LEAD_ONLY_FIELDS]


class LoopSettingsSerializer(serializers.Serializer):
    head_every = serializers.IntegerField(min_value=1, max_value=MAX_POSITIVE_INT, allow_null=True, required=False)


class PredictSerializer(serializers.Serializer):
    texts = serializers.ListField(child=serializers.CharField(allow_blank=True, max_length=100_000),
                                  allow_empty=False, max_length=MAX_PREDICT_TEXTS)


# --- Answers built as dicts by the views, described for the OpenAPI schema --------------------------

class TrainingStartedSerializer(JobSerializer):
    created = serializers.BooleanField(help_text="False when a run was already queued or running (it is returned).")

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "created"]


class PredictionSerializer(serializers.Serializer):
    label = serializers.CharField()
    scores = serializers.DictField(child=serializers.FloatField(), help_text="Every label's probability.")


class PredictionsSerializer(serializers.Serializer):
    model_version = serializers.IntegerField()
    predictions = PredictionSerializer(many=True, help_text="One per text, in order.")


class AnnotatorRowSerializer(serializers.Serializer):
    username = serializers.CharField(allow_null=True)
    labels = serializers.IntegerField()
    skips = serializers.IntegerField()
    median_seconds = serializers.FloatField(allow_null=True)


class LabelCountSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class CurvePointSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    kind = serializers.CharField()
    labels = serializers.IntegerField()
    train_labels = serializers.IntegerField()
    macro_f1 = serializers.FloatField(allow_null=True)
    accuracy = serializers.FloatField(allow_null=True)
    evaluation = serializers.CharField(allow_null=True)
    n = serializers.IntegerField(allow_null=True)


class EvaluationSampleSerializer(serializers.Serializer):
    share = serializers.FloatField()
    labeled = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    """Labeling progress, budget, annotators and labels, and the model loop's state and learning curve."""

    labels_done = serializers.IntegerField()
    seed_labels = serializers.IntegerField()
    budget = serializers.IntegerField(allow_null=True)
    remaining = serializers.IntegerField(allow_null=True)
    labels_last_hour = serializers.IntegerField()
    documents = serializers.DictField(child=serializers.IntegerField(), help_text="Documents per state.")
    per_annotator = AnnotatorRowSerializer(many=True, help_text="Annotators get their own row only.")
    per_label = LabelCountSerializer(many=True)
    model_versions = ModelVersionSerializer(many=True)
    training = JobSerializer(allow_null=True, help_text="The training run queued or running, if any.")
    labels_since_last_model = serializers.IntegerField()
    labels_since_last_version = serializers.IntegerField()
    head_every = serializers.IntegerField()
    learning_curve = CurvePointSerializer(many=True)
    stopping = serializers.JSONField(allow_null=True, help_text="The stopping signal of the newest version, if any.")
    evaluation_sample = EvaluationSampleSerializer()


class LoopStateSerializer(serializers.Serializer):
    head_every = serializers.IntegerField(help_text="Labels between head refits, as in force.")
    head_every_override = serializers.IntegerField(allow_null=True, help_text="The project's own setting, if any.")
    head_pending = serializers.BooleanField()
    cold_start_pending = serializers.BooleanField()
    cold_start_done_at = serializers.DateTimeField(allow_null=True)


class ColdStartSerializer(serializers.Serializer):
    queued = serializers.BooleanField()
