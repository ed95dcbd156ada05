"""Model versions: every trained classifier is kept with its metrics and its files."""
from django.db import models

from labeling.models import Job, Project


class ModelKind(models.TextChoices):
    FULL = "full", "Full fine-tune"


class ModelVersion(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="model_versions")
    job = models.ForeignKey(Job, null=True, on_delete=models.SET_NULL, related_name="+")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=ModelKind.choices, default=ModelKind.FULL)
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
        return f"{self.project} v{self.number}"
