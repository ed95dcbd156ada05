"""What the rest of Looplabel calls: protect a text on its way in, read an original with audit.

`labeling` imports these functions; `privacy` imports nothing from the other apps.
"""
from dataclasses import dataclass

from . import crypto
from .masking import mask


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
