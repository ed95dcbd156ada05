from django.conf import settings
from django.db import models


class RawTextAccess(models.Model):
    """One read of an original (unmasked) text: who, what, why, when.

    Written by `privacy.services.read_original` before it decrypts; never edited. The
    user is protected from deletion so that the trail outlives staff changes.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="raw_text_accesses")
    object_type = models.CharField(max_length=100, help_text="What was read, e.g. 'labeling.Document'.")
    object_id = models.CharField(max_length=100)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = "raw text access"
        verbose_name_plural = "raw text accesses"

    def __str__(self):
        return f"{self.user} read {self.object_type} {self.object_id} at {self.created_at:%Y-%m-%d %H:%M}"
