"""Request and response shapes; services decide what is allowed."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Document, Job, Label, Membership, PiiReport, Project, Role, TaskType
from ..services.projects import role_in

# The largest value a positive integer column holds on every database (PostgreSQL's integer; SQLite's
# goes to 2**63 - 1). Counts above it would be a database error, so serializers refuse them as input.
MAX_POSITIVE_INT = 2**31 - 1
# Ids are 1 to 2**63 - 1 (a 64-bit BigAutoField): outside them there is no row, and the database cannot even be
# asked about one (an OverflowError, a 500), so serializers refuse them.
MAX_ID = 2**63 - 1
MAX_IDS_PER_REQUEST = 10_000


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name", "hotkey", "color"]
        read_only_fields = ["id"]
        extra_kwargs = {"hotkey": {"required": False}, "color": {"required": False}}


class ProjectSerializer(serializers.ModelSerializer):
    labels = LabelSerializer(many=True)
    role = serializers.SerializerMethodField()
    # Asked for at creation, never silently changed: a multi-label project created as single-label
    # would be labelled wrongly from its first text.
    task_type = serializers.ChoiceField(
        choices=TaskType.choices, default=TaskType.SINGLE_LABEL,
        error_messages={"invalid_choice": '"{input}" is not a task type Looplabel has; it has '
                        + ", ".join(TaskType.values) + " (multi-label projects are not available yet)."},
    )

    class Meta:
        model = Project
        fields = [
            "id", "name", "guidelines", "task_type", "labels", "label_budget", "retrain_every", "query_strategy",
            "masking_strategy", "masked_entity_types", "preselect_suggestion", "price_per_label", "evaluation_share",
            "created_at", "role",
        ]
        read_only_fields = ["id", "created_at", "role"]
        extra_kwargs = {
            "label_budget": {"max_value": MAX_POSITIVE_INT},
            "retrain_every": {"min_value": 1, "max_value": MAX_POSITIVE_INT},
            "price_per_label": {"min_value": 0},
        }

    def validate_task_type(self, value):
        if self.instance is not None and value != self.instance.task_type:
            raise serializers.ValidationError("A project's task type is set when it is created and cannot change.")
        return value

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices, allow_null=True))
    def get_role(self, project):
        """The caller's role; the view passes the roles of all their projects to avoid a query per row."""
        role = self.context.get("roles", {}).get(project.id)
        request = self.context.get("request")
        if role is None and request is not None:
            role = role_in(project, request.user)
        return role


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Membership
        fields = ["username", "role", "can_view_raw"]


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    text_field = serializers.CharField(required=False, default="text")
    label_field = serializers.CharField(required=False, allow_blank=True, default="")
    id_field = serializers.CharField(required=False, allow_blank=True, default="")
    format = serializers.ChoiceField(choices=["csv", "jsonl", "txt"], required=False)
    encoding = serializers.CharField(required=False, default="utf-8")


class JobSerializer(serializers.ModelSerializer):
    job_id = serializers.UUIDField(source="id", read_only=True)

    class Meta:
        model = Job
        fields = ["job_id", "id", "project", "kind", "status", "stage", "progress", "counts", "row_errors", "message",
                  "created_at", "updated_at"]


class ExternalIdsSerializer(serializers.Serializer):
    # As the import reads an id: whitespace and all.
    ids = serializers.ListField(child=serializers.CharField(trim_whitespace=False), allow_empty=False,
                                max_length=MAX_IDS_PER_REQUEST)


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "text", "mask_spans", "external_id", "metadata"]


def assignment_payload(assignment) -> dict:
    """The body of `next`: the document, the model's suggestion (or null) and the lease expiry."""
    document = assignment.document
    suggestion = None
    # Evaluation-sample documents measure the model, so the annotator is not shown its guess.
    if document.suggested_label_id is not None and not document.evaluation:
        suggestion = {"label": document.suggested_label.name, "score": document.suggested_score}
    return {
        "document": DocumentSerializer(document).data,
        "suggestion": suggestion,
        "lease_expires_at": assignment.lease.expires_at,
    }


class DocumentRefSerializer(serializers.Serializer):
    document = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class AnnotationSerializer(DocumentRefSerializer):
    label = serializers.CharField()
    seconds_spent = serializers.FloatField(required=False, allow_null=True, min_value=0)


class UndoSerializer(serializers.Serializer):
    annotation = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class MemberWriteSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.ANNOTATOR)
    can_view_raw = serializers.BooleanField(default=False)


class ReportPiiSerializer(DocumentRefSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ResolveReportSerializer(serializers.Serializer):
    return_to_pool = serializers.BooleanField()
    masked_text = serializers.CharField(required=False, max_length=100_000)


class PiiReportSerializer(serializers.ModelSerializer):
    reporter = serializers.CharField(source="reporter.username", default=None)
    text = serializers.CharField(source="document.text")

    class Meta:
        model = PiiReport
        fields = ["id", "document", "text", "reporter", "note", "created_at", "resolved_at", "resolution"]


# --- Answers built as dicts by the views, described for the OpenAPI schema --------------------------

class SuggestionSerializer(serializers.Serializer):
    label = serializers.CharField()
    score = serializers.FloatField(allow_null=True)


class AssignmentSerializer(serializers.Serializer):
    """A text leased to the caller: the document, the model's suggestion and when the lease ends
    (assignment_payload builds it)."""

    document = DocumentSerializer()
    suggestion = SuggestionSerializer(allow_null=True, help_text="The newest model's guess; null on evaluation texts "
                                                                  "and before any model.")
    lease_expires_at = serializers.DateTimeField()


class ImportStartedSerializer(serializers.Serializer):
    job_id = serializers.UUIDField(help_text="Follow it at /api/v1/jobs/{job_id}/.")
    status = serializers.CharField()


class AnnotationCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.IntegerField()
    label = serializers.CharField()


class SkippedSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    skipped = serializers.BooleanField()


class PiiReportedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.IntegerField()
    status = serializers.CharField()


class OriginalTextSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    original = serializers.CharField()


class PseudonymsSerializer(serializers.Serializer):
    pseudonyms = serializers.DictField(child=serializers.CharField(), help_text="Each posted id and its pseudonym.")
