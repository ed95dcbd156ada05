"""Phone numbers, found and validated by `phonenumbers` against several home regions."""
import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from .base import Detector, Span, count_digits

# Regions a number written without a country code is tried in, most likely first. Numbers
# written with "+" and a country code are recognised for every country whatever this says.
DEFAULT_REGIONS = ("US", "GB", "DE", "FR", "IN", "CN")

REGION_LOCALES = {
    "US": "en_US", "CA": "en_US", "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "IN": "en_IN", "CN": "zh_CN",
}

# A run of digits and the separators phone numbers are written with, plus an extension.
# `phonenumbers` is slow compared to a regex, so it only sees these windows, not the text.
PHONE_WINDOW = re.compile(
    r"(?<![\w+])(?:\+|\(\+?)?\d[\d \t\u00a0().\-/]{5,24}\d"
    r"(?:[ \t]*(?:x|ext\.?|extension|#)[ \t]*\d{1,6})?(?!\w)",
    re.IGNORECASE | re.ASCII,
)
# Words that announce a phone number shortly before it.
PHONE_CONTEXT = re.compile(
    r"(?:phone|tel|mobile|cell|call|fax|whatsapp|contact|reach|number|handy|telefon|nummer|erreich|anruf|"
    r"portable|téléphone|numéro|appel|joindre|电话|手机|联系)",
    re.IGNORECASE,
)
_CONTEXT_CHARS = 40
_SEPARATOR = re.compile(r"[ \-./()]")
_EXTENSION = re.compile(r"(?:x|ext\.?|extension|#)[ \t]*\d+$", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2,4}|\d{4}([./-])\d{1,2}\2\d{1,2}")
MAX_PHONE_DIGITS = 15  # E.164
# Tables of figures ("46.3 35.8 23.2") and year ranges ("2011-2012") have a phone's digits.
_LOOKS_LIKE_FIGURES = re.compile(r"(?<!\d)\d\.|\.\d(?!\d)")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d ?[-–/] ?(?:19|20)\d\d$")
_GROUP_BEFORE = re.compile(r"\d[ \-]$", re.ASCII)
_GROUP_AFTER = re.compile(r"[ \-]\d", re.ASCII)
# Scores: valid in a numbering plan beats merely the right length.
VALID_SCORE = 0.8
POSSIBLE_SCORE = 0.55
UNPARSED_SCORE = 0.5


class PhoneDetector(Detector):
    """Every region's number plan from `phonenumbers`, not hand-written rules.

    A number valid in some region (area code and length check out) is a phone. A number
    that only has a possible length counts when it is written the way phone numbers are
    (+CC, a bracketed area code, grouped digits, an extension) or follows a word such as
    "phone"; a bare run of digits is more often an order or account number. A run of
    digits that no region accepts counts only after such a word or behind "+" and a
    country calling code.
    """

    entity_types = ("PHONE",)

    def __init__(self, regions=DEFAULT_REGIONS):
        self.regions = tuple(regions)
        # Per region, the digit counts a nationally written number can have, from the
        # `phonenumbers` metadata: with or without the trunk prefix ("0" or "1").
        self._national_lengths = {}
        for region in self.regions:
            metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
            lengths = set(metadata.general_desc.possible_length)
            prefix = len(metadata.national_prefix or "")
            self._national_lengths[region] = lengths | {length + prefix for length in lengths}

    def detect(self, text):
        if count_digits(text) < 7:
            return []
        spans = []
        for window in PHONE_WINDOW.finditer(text):
            if self._worth_parsing(window):
                spans.extend(self._numbers_in(text, window))
        return spans

    @staticmethod
    def _worth_parsing(window):
        """`phonenumbers` costs tens of microseconds per region; spare it windows that
        cannot be a phone number: too few digits, more than E.164's fifteen (card
        numbers, IBAN tails, ID numbers), or exactly a date."""
        digits = count_digits(_EXTENSION.sub("", window.group()))
        return 7 <= digits <= MAX_PHONE_DIGITS and not _NUMERIC_DATE.fullmatch(window.group())

    def _numbers_in(self, text, window):
        best = {}  # (start, end) -> Span; one number may match in several regions
        value, offset = window.group(), window.start()
        international = value.lstrip("(").startswith("+")
        for region in self.regions[:1] if international else self._plausible_regions(value):
            for match in PhoneNumberMatcher(value, region, leniency=Leniency.POSSIBLE):
                start, end = offset + match.start, offset + match.end
                span = self._score(text, start, end, match)
                previous = best.get((start, end))
                if span and (previous is None or span.score > previous.score):
                    best[(start, end)] = span
            if any(span.end - span.start == len(value) for span in best.values()):
                break  # the whole window is a number: the most likely region has it
        unparsed = not best and count_digits(value) <= MAX_PHONE_DIGITS and not _looks_like_figures(value)
        if unparsed and ((international and _has_country_code(value)) or self._announced(text, offset)):
            # "call me on 0068872995", "+54 9 3416 4388": no numbering plan accepts the
            # length, but the text or the "+country code" says it is a phone number.
            return [Span("PHONE", offset, window.end(), UNPARSED_SCORE)]
        return list(best.values())

    def _plausible_regions(self, value):
        """Regions whose numbers can have this many digits: parsing in the others is wasted."""
        digits = count_digits(_EXTENSION.sub("", value))
        plausible = [region for region in self.regions if digits in self._national_lengths[region]]
        return plausible or self.regions  # several numbers in one window: let the matcher split them

    @staticmethod
    def _announced(text, start):
        return PHONE_CONTEXT.search(text, max(0, start - _CONTEXT_CHARS), start) is not None

    def _score(self, text, start, end, match):
        raw = match.raw_string
        if _looks_like_figures(raw) or _YEAR_RANGE.match(raw) or _inside_longer_number(text, start, end):
            return None
        announced = self._announced(text, start)
        international = raw.lstrip("(").startswith("+")
        if count_digits(raw) < 8 and not (announced or international):
            return None  # seven digits without an area code are too often something else
        number = match.number
        locale = REGION_LOCALES.get(phonenumbers.region_code_for_number(number), "")
        if phonenumbers.is_valid_number(number):
            return Span("PHONE", start, end, VALID_SCORE, locale)
        formatted = raw.startswith(("+", "(")) or "x" in raw.lower() or len(_SEPARATOR.findall(raw)) >= 2
        if formatted or announced:
            return Span("PHONE", start, end, POSSIBLE_SCORE, locale)
        return None


def _looks_like_figures(value):
    # "+61.7.5378.3830" has a one-digit group too, but no figure starts with "+".
    return not value.startswith("+") and _LOOKS_LIKE_FIGURES.search(value) is not None


def _has_country_code(value):
    try:
        phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    return True


def _inside_longer_number(text, start, end):
    """A match that continues a digit group sequence ("4111 [1111 1111 1112]") is a piece
    of some longer number, not a phone number of its own."""
    return bool(_GROUP_BEFORE.search(text[max(0, start - 2):start]) or _GROUP_AFTER.match(text, end))
