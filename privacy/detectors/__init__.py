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
from .base import ALWAYS_MASKED, DEFAULT_MASKED_TYPES, ENTITY_TYPES, Detector, Span
from .recurring import with_recurring_names

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
    "privacy.detectors.entities.EntityDetector",
)

__all__ = [
    "ALWAYS_MASKED", "DEFAULT_DETECTORS", "DEFAULT_MASKED_TYPES", "ENTITY_TYPES",
    "Detector", "Span", "detect", "detect_many", "get_detectors",
]


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


def detect(text: str, detectors=None, entity_types=DEFAULT_MASKED_TYPES) -> list[Span]:
    """All entities in `text`, overlaps resolved, in text order (see `detect_many`)."""
    return detect_many([text], detectors, entity_types)[0]


def detect_many(texts, detectors=None, entity_types=DEFAULT_MASKED_TYPES) -> list[list[Span]]:
    """The entities of each text, overlaps resolved, in text order.

    A person's name found in one text of the batch is found wherever it recurs in the batch
    (`recurring`). `entity_types` keeps only those types, before overlaps are resolved: a
    person's name that a dropped place name overlapped is still masked. By default they are
    the types a new project masks; `ENTITY_TYPES` keeps all.
    """
    texts = [_unescape_breaks(text) for text in texts]
    found = [[] for _ in texts]
    for detector in get_detectors() if detectors is None else detectors:
        for spans, more in zip(found, detector.detect_many(texts)):
            spans.extend(more)
    found = with_recurring_names(texts, found)
    kept = frozenset(entity_types)
    found = [[span for span in spans if span.type in kept] for spans in found]
    return [resolve_overlaps(spans, text) for spans, text in zip(found, texts)]


def _unescape_breaks(text):
    """Detectors read each escape as the break it stands for; two characters for two, so
    the spans' offsets hold for the original text."""
    if "\\" not in text:
        return text
    return _ESCAPED_BREAK.sub(lambda escape: " " + _BREAKS[escape.group(1)], text)
