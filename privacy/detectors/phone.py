"""Phone numbers, found and validated by `phonenumbers` against several home regions."""
import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from .base import Detector, Span, count_digits

# Regions a number written without a country code is tried in, most likely first.
# Numbers written with +CC or 00CC are recognised for every country whatever this says.
DEFAULT_REGIONS = ("US", "GB", "DE", "FR", "IN", "CN")

REGION_LOCALES = {"US": "en_US", "CA": "en_US", "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "IN": "en_IN", "CN": "zh_CN"}

# A run of digits and the separators phone numbers are written with, plus an extension.
# `phonenumbers` is slow compared to a regex, so it only sees these windows, not the text.
PHONE_WINDOW = re.compile(
    r"(?<![\w+])(?:\+|\(\+?)?\d[\d \t\u00a0().\-/]{5,24}\d"
    r"(?:[ \t]*(?:x|ext\.?|extension|#)[ \t]*\d{1,6})?(?!\w)",
    re.IGNORECASE,
)
# Words that announce a phone number shortly before it.
PHONE_CONTEXT = re.compile(
    r"(?:phone|tel|mobile|cell|call|fax|whatsapp|contact|reach|number|handy|telefon|"
    r"portable|téléphone|numéro|appel|电话|手机|联系)",
    re.IGNORECASE,
)
_CONTEXT_CHARS = 40
_SEPARATOR = re.compile(r"[ \-./()]")

# Scores: valid in a numbering plan beats merely the right length.
VALID_SCORE = 0.8
POSSIBLE_SCORE = 0.55


class PhoneDetector(Detector):
    """Every region's number plan from `phonenumbers`, not hand-written rules.

    A number valid in some region (area code and length check out) is a phone. A number
    that only has a possible length counts when it is written the way phone numbers are
    (+CC, a bracketed area code, grouped digits, an extension) or follows a word such as
    "phone"; a bare run of digits is more often an order or account number.
    """

    entity_types = ("PHONE",)

    def __init__(self, regions=DEFAULT_REGIONS):
        self.regions = tuple(regions)

    def detect(self, text):
        if count_digits(text) < 7:
            return []
        spans = []
        for window in PHONE_WINDOW.finditer(text):
            if count_digits(window.group()) >= 7:
                spans.extend(self._numbers_in(text, window))
        return spans

    def _numbers_in(self, text, window):
        best = {}  # (start, end) -> Span; one number may match in several regions
        value, offset = window.group(), window.start()
        international = value.lstrip("(").startswith("+")
        for region in self.regions[:1] if international else self.regions:
            for match in PhoneNumberMatcher(value, region, leniency=Leniency.POSSIBLE):
                start, end = offset + match.start, offset + match.end
                span = self._score(text, start, end, match)
                previous = best.get((start, end))
                if span and (previous is None or span.score > previous.score):
                    best[(start, end)] = span
            if any(span.score >= VALID_SCORE and span.end - span.start == len(value) for span in best.values()):
                break  # the whole window is a valid number: other regions cannot do better
        return list(best.values())

    def _score(self, text, start, end, match):
        number = match.number
        region = phonenumbers.region_code_for_number(number)
        locale = REGION_LOCALES.get(region, "")
        if phonenumbers.is_valid_number(number):
            return Span("PHONE", start, end, VALID_SCORE, locale)
        raw = match.raw_string
        formatted = raw.startswith(("+", "(")) or "x" in raw.lower() or len(_SEPARATOR.findall(raw)) >= 2
        announced = PHONE_CONTEXT.search(text, max(0, start - _CONTEXT_CHARS), start) is not None
        if formatted or announced:
            return Span("PHONE", start, end, POSSIBLE_SCORE, locale)
        return None
