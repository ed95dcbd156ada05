"""Encryption at rest (of texts, and of files as streams) and keyed fingerprints; keys come from settings (the environment)."""
import hashlib
import hmac
import io
import struct
from collections.abc import Iterable, Iterator
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


# A file is encrypted in records of at most this many bytes: Fernet takes a whole message at once.
STREAM_RECORD_BYTES = 1024 * 1024
# What each record's plaintext starts with: its position in the file, and whether it is the last.
_RECORD_HEADER = struct.Struct(">Q?")


def encrypt_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of an encrypted file, for byte chunks that could hold personal data (an upload).

    Each record is a Fernet token on a line of its own, so neither side holds more than a record
    in memory. Records are numbered and the last one is marked: a file with records dropped,
    reordered or cut off does not decrypt to a different file, it fails (`decrypt_stream`).
    """
    fernet, position = _current(), 0
    for chunk in chunks:
        for start in range(0, len(chunk), STREAM_RECORD_BYTES):
            record = _RECORD_HEADER.pack(position, False) + chunk[start:start + STREAM_RECORD_BYTES]
            yield fernet.encrypt(record) + b"\n"
            position += 1
    yield fernet.encrypt(_RECORD_HEADER.pack(position, True)) + b"\n"


def decrypt_stream(ciphertext) -> io.BufferedReader:
    """A binary stream of the plaintext of `ciphertext`, a binary file of `encrypt_stream`'s lines.

    It decrypts a record at a time as it is read, so no plaintext is written anywhere; closing it
    closes `ciphertext`. A record that cannot be read, or records out of order or missing, raise ValueError.
    """
    return io.BufferedReader(_DecryptingReader(ciphertext))


class _DecryptingReader(io.RawIOBase):
    def __init__(self, ciphertext):
        self._ciphertext = ciphertext
        self._records = self._plaintext_records()
        self._pending = memoryview(b"")

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self._pending:
            record = next(self._records, None)
            if record is None:
                return 0
            self._pending = memoryview(record)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self):
        self._ciphertext.close()
        super().close()

    def _plaintext_records(self):
        fernet = _current()
        for expected, line in enumerate(self._ciphertext):
            try:
                record = fernet.decrypt(line.rstrip(b"\n"))
            except InvalidToken as exc:
                raise ValueError("ciphertext cannot be read with the configured keys") from exc
            position, last = _RECORD_HEADER.unpack_from(record)
            if position != expected:
                raise ValueError("the encrypted file's records are out of order")
            yield record[_RECORD_HEADER.size:]
            if last:
                return
        raise ValueError("the encrypted file ends before its last record")


def keyed_hash(value: str, scope: str = "") -> str:
    """HMAC-SHA256 of a value, so equal values match without storing a plain hash of them."""
    key = settings.LOOPLABEL_HMAC_KEY.encode()
    return hmac.new(key, f"{scope}\x00{value}".encode("utf-8"), hashlib.sha256).hexdigest()
