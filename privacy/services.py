"""What the rest of Looplabel calls: protect a text on its way in, read an original with audit.

`labeling` imports these functions; `privacy` imports nothing from the other apps.
"""
from dataclasses import dataclass

from . import crypto
from .masking import mask
from .models import RawTextAccess


@dataclass(frozen=True)
class ProtectedText:
    masked_text: str
    # Where the masked text differs from the original, in masked-text offsets:
    # [{"type": "EMAIL", "start": 10, "end": 17}], for the UI to mark.
    spans: list
    original_encrypted: str


def protect_text(text: str, *, strategy: str, scope: str) -> ProtectedText:
    """Mask personal data for annotators and encrypt the original.

    `scope` keeps surrogates consistent within a project and different across projects.
    """
    result = mask(text, strategy=strategy, scope=scope)
    return ProtectedText(result.masked_text, result.masked_spans, crypto.encrypt(text))


def fingerprint(text: str, *, scope: str) -> str:
    """Duplicate key for a normalised original text: a keyed HMAC, never a plain hash."""
    return crypto.keyed_hash(text, scope=f"dedup:{scope}")


def read_original(ciphertext: str, *, user, object_type: str, object_id, reason: str) -> str:
    """Decrypt an original text for `user`, recording who read what and why first.

    The record is written before decrypting, so a failed attempt is recorded too (unless
    the caller's own transaction rolls back).
    """
    if not reason or not reason.strip():
        raise ValueError("a reason is required to read an original text")
    RawTextAccess.objects.create(user=user, object_type=object_type, object_id=str(object_id), reason=reason.strip())
    return crypto.decrypt(ciphertext)
