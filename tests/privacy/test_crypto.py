"""Key rotation: old ciphertexts stay readable while the old key is listed; reencrypt
moves them to the newest key, after which the old key can go."""
import pytest
from cryptography.fernet import Fernet

from privacy import crypto


def test_rotation_moves_ciphertext_to_the_new_key(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.LOOPLABEL_ENCRYPTION_KEYS = [old_key]
    token = crypto.encrypt("Jane Doe, +44 20 7946 0958")

    settings.LOOPLABEL_ENCRYPTION_KEYS = [new_key, old_key]
    assert crypto.decrypt(token) == "Jane Doe, +44 20 7946 0958"  # still readable during rotation
    rotated = crypto.reencrypt(token)

    settings.LOOPLABEL_ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(rotated) == "Jane Doe, +44 20 7946 0958"
    with pytest.raises(ValueError, match="cannot be read"):
        crypto.decrypt(token)


def test_keyed_hash_depends_on_key_and_scope(settings):
    settings.LOOPLABEL_HMAC_KEY = "a" * 64
    first = crypto.keyed_hash("value", scope="1")
    assert first == crypto.keyed_hash("value", scope="1")
    assert first != crypto.keyed_hash("value", scope="2")
    settings.LOOPLABEL_HMAC_KEY = "b" * 64
    assert first != crypto.keyed_hash("value", scope="1")
