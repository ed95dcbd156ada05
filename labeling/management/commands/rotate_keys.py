"""Re-encrypt every stored original under the newest key.

Rotation: put a new key first in LOOPLABEL_ENCRYPTION_KEYS (keep the old ones after
it), run this command, then drop the old keys. Originals stay readable throughout.
"""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from labeling.models import Document
from privacy.crypto import reencrypt

BATCH = 1000


class Command(BaseCommand):
    help = "Re-encrypt all original texts with the first key of LOOPLABEL_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        documents = Document.objects.exclude(original_encrypted="").only("id", "original_encrypted").order_by("id")
        total, done, last_id = documents.count(), 0, 0
        while True:
            batch = list(documents.filter(id__gt=last_id)[:BATCH])
            if not batch:
                break
            for document in batch:
                try:
                    document.original_encrypted = reencrypt(document.original_encrypted)
                except ValueError:
                    raise CommandError(
                        f"Document {document.id} cannot be decrypted with the configured keys; keep the old key "
                        "in LOOPLABEL_ENCRYPTION_KEYS until rotation has finished. Nothing after it was changed."
                    ) from None
            with transaction.atomic():
                Document.objects.bulk_update(batch, ["original_encrypted"])
            done += len(batch)
            last_id = batch[-1].id
            self.stdout.write(f"re-encrypted {done}/{total}")
        self.stdout.write(self.style.SUCCESS(f"All {done} originals are now under the newest key."))
