"""The detector set, pluggable through settings.

`settings.LOOPLABEL_PII_DETECTORS` is a list of dotted paths to `Detector` subclasses
(or factories returning one); it defaults to `DEFAULT_DETECTORS`. A model-based
detector slots in by adding its path: it only has to return `Span`s.
"""
import re
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from ..spans import resolve_overlaps
from .base import ENTITY_TYPES, Detector, Span

DEFAULT_DETECTORS = (
    "privacy.detectors.internet.EmailDetector",
    "privacy.detectors.internet.UrlDetector",
    "privacy.detectors.internet.IpAddressDetector",
    "privacy.detectors.phone.PhoneDetector",
    "privacy.detectors.financial.CreditCardDetector",
    "privacy.detectors.financial.IbanDetector",
    "privacy.detectors.national_id.UsSsnDetector",
    "privacy.detectors.national_id.CnResidentIdDetector",
    "privacy.detectors.dates.DateDetector",
    "privacy.detectors.addresses.AddressDetector",
    "privacy.detectors.names.PersonDetector",
)

__all__ = ["DEFAULT_DETECTORS", "ENTITY_TYPES", "Detector", "Span", "detect", "get_detectors"]


def get_detectors() -> tuple:
    """The configured detectors, built once per process (per configuration)."""
    paths = getattr(settings, "LOOPLABEL_PII_DETECTORS", None) if settings.configured else None
    return _build(tuple(paths or DEFAULT_DETECTORS))


@lru_cache(maxsize=8)
def _build(paths):
    return tuple(import_string(path)() for path in paths)


# Line breaks and tabs written as escapes, as texts exported from JSON or code keep them
# ("Anna Berg\\nMobile: 321 2345"): glued to the escape's letter, a number or a context
# word would not stand on its own.
_ESCAPED_BREAK = re.compile(r"\\([nrt])")
_BREAKS = {"n": "\n", "r": "\r", "t": "\t"}


def detect(text: str, detectors=None) -> list[Span]:
    """All entities in `text`, overlaps resolved, in text order."""
    if "\\" in text:
        # Detectors read each escape as the break it stands for; two characters for two, so
        # the spans' offsets hold for `text` itself.
        text = _ESCAPED_BREAK.sub(lambda escape: " " + _BREAKS[escape.group(1)], text)
    found = []
    for detector in get_detectors() if detectors is None else detectors:
        found.extend(detector.detect(text))
    return resolve_overlaps(found, text)
