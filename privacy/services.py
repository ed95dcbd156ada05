"""What the rest of Looplabel calls: protect a text on its way in, pseudonymize a record's id,
read an original with audit, and list those reads.

`labeling` imports these functions; `privacy` imports nothing from the other apps.
"""
from dataclasses import dataclass

from . import crypto
from .detectors import DEFAULT_MASKED_TYPES
from .masking import mask_many
from .models import RawTextAccess


@dataclass(frozen=True)
class ProtectedText:
    masked_text: str
    # Where the masked text differs from the original, in masked-text offsets:
    # [{"type": "EMAIL", "start": 10, "end": 17}], for the UI to mark.
    spans: list
    original_encrypted: str


def protect_texts(texts, *, strategy: str, scope: str, entity_types=DEFAULT_MASKED_TYPES) -> list[ProtectedText]:
    """Mask the `entity_types` for annotators and encrypt each original, a batch at a time.

    `scope` keeps surrogates consistent within a project and different across projects.
    """
    texts = list(texts)
    results = mask_many(texts, strategy=strategy, scope=scope, entity_types=entity_types)
    return [
        ProtectedText(result.masked_text, result.masked_spans, crypto.encrypt(text))
        for text, result in zip(texts, results)
    ]


def fingerprint(text: str, *, scope: str) -> str:
    """Duplicate key for a normalised original text: a keyed HMAC, never a plain hash."""
    return crypto.keyed_hash(text, scope=f"dedup:{scope}")


def pseudonymize_id(value: str, *, scope: str) -> str:
    """What is stored, shown and exported in place of a record's own id (an import's id column).

    Such ids are often personal data themselves (a customer number, an email address), so the id is
    replaced by a keyed HMAC and never kept. A plain hash would not do: ids are short and guessable,
    and hashing the candidates would reverse it; without the site's key nobody can. The pseudonym is
    the same for the same id within a scope (a project), so whoever holds the ids can match their own
    records by having them hashed the same way, and differs across projects, so it links nothing.
    """
    return crypto.keyed_hash(value, scope=f"external-id:{scope}")


def read_original(ciphertext: str, *, user, object_type: str, object_id, reason: str) -> str:
    """Decrypt an original text for `user`, recording who read what and why first.

    The record is written before decrypting, so a failed attempt is recorded too (unless
    the caller's own transaction rolls back).
    """
    if not reason or not reason.strip():
        raise ValueError("a reason is required to read an original text")
    RawTextAccess.objects.create(user=user, object_type=object_type, object_id=str(object_id), reason=reason.strip())
    return crypto.decrypt(ciphertext)


def raw_text_reads(object_type: str, object_ids):
    """The audit records of reads of these objects' originals, newest first; `object_ids` may be a subquery."""
    return RawTextAccess.objects.filter(object_type=object_type, object_id__in=object_ids).select_related("user")
