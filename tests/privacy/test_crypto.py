"""Key rotation: old ciphertexts stay readable while the old key is listed; reencrypt
moves them to the newest key, after which the old key can go. Encrypted streams (uploads)
read back whole, or not at all."""
import io

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


def _encrypted(chunks):
    return io.BytesIO(b"".join(crypto.encrypt_stream(chunks)))


def test_a_stream_decrypts_to_what_was_written_and_holds_no_plaintext(monkeypatch):
    monkeypatch.setattr(crypto, "STREAM_RECORD_BYTES", 5)  # records cut chunks and reads cut records
    chunks = [b"Jane Doe, ", b"", b"bob@example.com\n", b"second line\n"]
    ciphertext = _encrypted(chunks)
    assert b"Jane" not in ciphertext.getvalue() and b"example" not in ciphertext.getvalue()
    with crypto.decrypt_stream(ciphertext) as plaintext:
        assert plaintext.read(3) == b"Jan"
        assert plaintext.readline() == b"e Doe, bob@example.com\n"
        assert plaintext.read() == b"second line\n"
    assert ciphertext.closed


@pytest.mark.parametrize("tamper", [
    lambda lines: lines[:-1],  # cut off before the last record
    lambda lines: [lines[1], lines[0], *lines[2:]],  # reordered
    lambda lines: [lines[0], *lines[2:]],  # a record dropped
    lambda lines: [lines[0][:-5] + b"AAAA\n", *lines[1:]],  # changed
])
def test_a_tampered_stream_fails_rather_than_reading_as_another_file(monkeypatch, tamper):
    monkeypatch.setattr(crypto, "STREAM_RECORD_BYTES", 4)
    lines = _encrypted([b"abcdefghijkl"]).readlines()
    with pytest.raises(ValueError), crypto.decrypt_stream(io.BytesIO(b"".join(tamper(lines)))) as plaintext:
        plaintext.read()
