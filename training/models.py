"""Model versions: every trained classifier is kept with its metrics and its files.

Two kinds: a FULL version is a fine-tuned transformer (its directory holds the
Hugging Face model plus the embeddings of the project's documents under that
encoder); a HEAD version is a logistic-regression head refit on those cached
embeddings (or on the base encoder's, before the first fine-tune).
"""
from django.db import models

from labeling.models import Job, Project


class ModelKind(models.TextChoices):
    FULL = "full", "Full fine-tune"
    HEAD = "head", "Head refit on cached embeddings"


class ModelVersion(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="model_versions")
    job = models.ForeignKey(Job, null=True, on_delete=models.SET_NULL, related_name="+")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=ModelKind.choices, default=ModelKind.FULL)
    # HEAD versions: the FULL version whose encoder made the embeddings; null means the base encoder.
    encoder_version = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="heads")
    base_model = models.CharField(max_length=500)
    artifact_dir = models.CharField(max_length=500, help_text="Hugging Face format: config, weights, tokenizer.")
    label_names = models.JSONField(help_text="Class names in the order of the model's outputs.")
    labels_used = models.PositiveIntegerField(help_text="Labeled documents the project had when training started.")
    last_annotation_id = models.BigIntegerField(default=0)
    train_size = models.PositiveIntegerField()
    validation_size = models.PositiveIntegerField()
    metrics = models.JSONField(default=dict)
    training_info = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="unique_model_version_number")]

    def __str__(self):
        return f"{self.project} v{self.number} ({self.kind})"


class ProjectLoopManager(models.Manager):
    def for_project(self, project) -> "ProjectLoop":
        """The project's loop state, created on first use (projects made before the loop have none)."""
        return self.get_or_create(project=project)[0]


class ProjectLoop(models.Model):
    """Per-project state of the fast loop: label notes and head-refit, cold-start and new-document requests, their settings."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, primary_key=True, related_name="loop")
    head_every = models.PositiveIntegerField(null=True, blank=True,
                                             help_text="Refit the light head after this many new labels; empty: the setting.")
    head_pending = models.BooleanField(default=False)
    head_requested_at = models.DateTimeField(null=True, blank=True)
    cold_start_pending = models.BooleanField(default=False)
    cold_start_requested_at = models.DateTimeField(null=True, blank=True)
    cold_start_done_at = models.DateTimeField(null=True, blank=True)
    embed_pending = models.BooleanField(default=False)
    embed_requested_at = models.DateTimeField(null=True, blank=True)
    # Labels arrived and a worker was told (training.tasks.labels_arrived); later labels need not tell it again.
    labels_pending = models.BooleanField(default=False)
    labels_requested_at = models.DateTimeField(null=True, blank=True)
    base_cache_dir = models.CharField(max_length=500, blank=True, help_text="Base-encoder embeddings of the documents.")

    objects = ProjectLoopManager()
