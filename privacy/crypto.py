"""Encryption at rest and keyed fingerprints; keys come from settings (the environment)."""
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.LOOPLABEL_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return _current().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("ciphertext cannot be read with the configured keys") from exc


def reencrypt(token: str) -> str:
    """The same plaintext under the newest key (used by key rotation)."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise ValueError("ciphertext cannot be read with the configured keys") from exc


def keyed_hash(value: str, scope: str = "") -> str:
    """HMAC-SHA256 of a value, so equal values match without storing a plain hash of them."""
    key = settings.LOOPLABEL_HMAC_KEY.encode()
    return hmac.new(key, f"{scope}\x00{value}".encode("utf-8"), hashlib.sha256).hexdigest()
