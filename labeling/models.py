"""Projects, their documents, the annotations on them and the leases that hand them out."""
import random
import uuid
from copy import copy

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from privacy.detectors import ALWAYS_MASKED, DEFAULT_MASKED_TYPES, ENTITY_TYPES


class QueryStrategy(models.TextChoices):
    LEAST_CONFIDENCE = "least_confidence", "Least confidence"
    MARGIN = "margin", "Margin (breaking ties)"
    ENTROPY = "entropy", "Prediction entropy"
    RANDOM = "random", "Random"


class MaskingStrategy(models.TextChoices):
    TAG = "tag", "Type tag ([EMAIL])"
    SURROGATE = "surrogate", "Consistent fake values"
    REDACT = "redact", "Redaction (█████)"


def default_masked_types() -> list:
    return list(DEFAULT_MASKED_TYPES)


def validate_masked_types(value):
    """A list of known entity types that keeps every type no project may show (privacy's ALWAYS_MASKED)."""
    if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
        raise ValidationError("Give a list of entity types.")
    unknown = sorted(set(value) - set(ENTITY_TYPES))
    if unknown:
        raise ValidationError(f"Unknown entity types: {', '.join(unknown)}. Known: {', '.join(ENTITY_TYPES)}.")
    missing = [kind for kind in ALWAYS_MASKED if kind not in value]
    if missing:
        raise ValidationError(f"{', '.join(missing)} cannot be shown to annotators: every project masks "
                              f"{', '.join(ALWAYS_MASKED)}.")


class TaskType(models.TextChoices):
    SINGLE_LABEL = "single_label", "Single label"


class Project(models.Model):
    name = models.CharField(max_length=200)
    guidelines = models.TextField(blank=True)
    task_type = models.CharField(max_length=20, choices=TaskType.choices, default=TaskType.SINGLE_LABEL)
    label_budget = models.PositiveIntegerField(null=True, blank=True, help_text="Labels annotators may make; empty means no limit.")
    retrain_every = models.PositiveIntegerField(default=20, help_text="Start a training run after this many new labels.")
    query_strategy = models.CharField(max_length=20, choices=QueryStrategy.choices, default=QueryStrategy.MARGIN)
    masking_strategy = models.CharField(max_length=20, choices=MaskingStrategy.choices, default=MaskingStrategy.TAG)
    masked_entity_types = models.JSONField(
        default=default_masked_types, validators=[validate_masked_types],
        help_text="Entity types masked in texts imported from now on; names, addresses and identifiers always are.",
    )
    preselect_suggestion = models.BooleanField(default=False)
    # Every ~1/share-th lease is a uniformly drawn pool document, never one the model chose;
    # those labels measure the model (honest metrics) and do not train it. 0 turns this off.
    evaluation_share = models.FloatField(
        default=0.1, validators=[MinValueValidator(0.0), MaxValueValidator(0.5)],
        help_text="Share of labels spent on a uniform random evaluation sample (0 to 0.5).",
    )
    price_per_label = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="projects")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class Label(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=100)
    hotkey = models.CharField(max_length=1, blank=True)
    color = models.CharField(max_length=7, default="#4f46e5")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_label_name"),
            models.UniqueConstraint(fields=["project", "hotkey"], condition=~Q(hotkey=""), name="unique_label_hotkey"),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    ANNOTATOR = "annotator", "Annotator"


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ANNOTATOR)
    can_view_raw = models.BooleanField(default=False, help_text="May read original (unmasked) texts; every read is audited.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="unique_membership")]


class DocumentState(models.TextChoices):
    IMPORTING = "importing", "Importing"  # invisible until its import job finishes
    POOL = "pool", "In the pool"
    LABELED = "labeled", "Labeled"
    REPORTED = "reported", "Reported (personal data)"


def _random_key():
    return random.random()


class NullsLastIndex(models.Index):
    """An index whose descending fields keep NULLs last: the order of `F(...).desc(nulls_last=True)`.

    PostgreSQL's DESC puts NULLs first, so its index says NULLS LAST; SQLite sorts NULL lowest,
    so its plain DESC is already that order (and its indexes refuse the modifier).
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        index = self
        if schema_editor.connection.vendor != "sqlite":
            index = copy(self)
            index.fields_orders = [(name, "DESC NULLS LAST" if order == "DESC" else order)
                                   for name, order in self.fields_orders]
        return super(NullsLastIndex, index).create_sql(model, schema_editor, using=using, **kwargs)


# The queue's two orders (labeling.services.queue), each read from the top of one index.
QUEUE_ORDER = (F("priority").desc(nulls_last=True), "random_key", "id")
EVALUATION_ORDER = ("-evaluation", "random_key", "id")


class Document(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    text = models.TextField(help_text="The text as annotators see it (masked).")
    # Owned by the privacy module: the original, encrypted, and where masking changed it.
    original_encrypted = models.TextField(blank=True)
    mask_spans = models.JSONField(default=list, blank=True)
    external_id = models.CharField(max_length=200, blank=True,
                                   help_text="The pseudonym of the record's own id (privacy.services.pseudonymize_id).")
    metadata = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=20, choices=DocumentState.choices, default=DocumentState.POOL)
    import_job = models.ForeignKey("Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Queue order, written by the model loop: higher priority is served first; before a
    # model exists, documents come in the order of a random key drawn at import.
    priority = models.FloatField(null=True, blank=True)
    random_key = models.FloatField(default=_random_key)
    suggested_label = models.ForeignKey(Label, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    suggested_score = models.FloatField(null=True, blank=True)
    # Drawn uniformly by the queue for the evaluation sample (see Project.evaluation_share).
    evaluation = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Staged documents are left out: they may never be published (a worker can die while
            # staging), so they must not keep another import of the same text out. Publishing
            # drops the staged texts that became visible meanwhile.
            models.UniqueConstraint(fields=["project", "content_hash"], condition=~Q(state="importing"),
                                    name="unique_visible_document_content"),
        ]
        indexes = [
            # `next` reads the first free rows of one of these and stops: its cost does not grow with the pool.
            NullsLastIndex(fields=["project", "state", "evaluation", "-priority", "random_key", "id"],
                           name="document_queue_next"),
            models.Index(fields=["project", "state", *EVALUATION_ORDER], name="document_evaluation_next"),
            models.Index(fields=["project", "content_hash"], name="document_content"),
        ]


class Annotation(models.Model):
    """One label on one document by one annotator. Multi-label tasks add more rows."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="annotations")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="annotations")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="annotations")
    seconds_spent = models.FloatField(null=True, blank=True)
    imported = models.BooleanField(default=False, help_text="A seed label that came with the import; it does not use budget.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]


class QueueTally(models.Model):
    """Running figures of a project's queue, so that no `next` or `submit` counts the project's rows.

    labeling.services.queue changes them in the transaction that changes what they count, as its
    last statement (the row is every request's, so it is held for the commit alone). A project
    without one gets it counted on first use. The figures can only run high (leases deleted with an
    annotator's account), so where they would refuse work (the budget's edge) the queue counts exactly.
    """

    project = models.OneToOneField(Project, on_delete=models.CASCADE, primary_key=True, related_name="tally")
    labels_used = models.IntegerField(default=0, help_text="Annotators' labels (not imported seed labels): the budget's use.")
    open_leases = models.IntegerField(default=0)
    # The evaluation sample's clock: every new lease and the evaluation documents among them.
    leases_served = models.IntegerField(default=0)
    evaluation_served = models.IntegerField(default=0)


class Skip(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="skips")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skips")
    created_at = models.DateTimeField(auto_now_add=True)


class Lease(models.Model):
    """An annotator's exclusive hold on a document; one per document at most.

    `project` is the document's: the queue finds a project's expired leases and an annotator's
    leases in it from an index of their own, never by way of the project's documents.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="lease")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leases")
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "expires_at"], name="lease_expiry"),
            models.Index(fields=["project", "annotator", "created_at"], name="lease_holder"),
        ]


class JobKind(models.TextChoices):
    IMPORT = "import", "Import"
    TRAIN = "train", "Training"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """Long work with progress that people watch: imports and training runs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    stage = models.CharField(max_length=100, blank=True)
    params = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    row_errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The per-project lock of the model loop: at most one training run queued or running.
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(kind="train", status__in=["queued", "running"]),
                name="one_active_training_per_project",
            )
        ]


class PiiReport(models.Model):
    """An annotator saw personal data that masking missed; the document left the queue at once."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pii_reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
