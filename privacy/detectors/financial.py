"""Payment card numbers and IBANs, confirmed by their check digits."""
import re

from stdnum import iban, luhn

from .base import Detector, Span, count_digits

# 12 to 19 digits, optionally grouped by single spaces or dashes ("4111 1111 1111 1111",
# "3782-822463-10005"). A leading "+" means an international phone number instead.
CARD_CANDIDATE = re.compile(r"(?<![\w+\-])\d(?:[ \-]?\d){11,18}(?![\w\-]|[ \-]\d)")
_CARD_SEPARATORS = str.maketrans("", "", " -")


def _has_card_issuer_prefix(digits):
    """Issuer ranges in use: Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37,
    Diners/JCB 30/35/36/38/39, Discover/UnionPay/Maestro 5 and 6, old JCB 1800/2131.
    Luhn alone lets one random number in ten through; the prefix cuts that further."""
    if digits[0] in "3456":
        return True
    return 2221 <= int(digits[:4]) <= 2720 or digits[:4] in ("1800", "2131", "2014", "2149")


class CreditCardDetector(Detector):
    entity_types = ("CREDIT_CARD",)

    def detect(self, text):
        if count_digits(text) < 12:
            return []
        spans = []
        for m in CARD_CANDIDATE.finditer(text):
            digits = m.group().translate(_CARD_SEPARATORS)
            if _has_card_issuer_prefix(digits) and len(set(digits)) > 1 and luhn.is_valid(digits):
                spans.append(Span("CREDIT_CARD", m.start(), m.end(), 0.9))
        return spans


# Country code, check digits, then up to 30 upper-case letters or digits, written compact
# or in groups of four. Lower case is not accepted: it keeps a following word such as
# "DE89 3704 0044 0532 0130 00 is mine" out of the candidate.
IBAN_CANDIDATE = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}")
IBAN_COUNTRY_LOCALES = {"DE": "de_DE", "FR": "fr_FR", "GB": "en_GB"}


class IbanDetector(Detector):
    """Mod-97 and the country's BBAN layout, via `python-stdnum`.

    The candidate may run on into a following upper-case word or number, so the longest
    prefix that validates and ends at a word boundary wins.
    """

    entity_types = ("IBAN",)

    def detect(self, text):
        if count_digits(text) < 8:
            return []
        spans = []
        for m in IBAN_CANDIDATE.finditer(text):
            end = self._longest_valid_end(text, m.start(), m.end())
            if end:
                spans.append(Span("IBAN", m.start(), end, 0.95, IBAN_COUNTRY_LOCALES.get(text[m.start():m.start() + 2], "")))
        return spans

    @staticmethod
    def _longest_valid_end(text, start, end):
        for stop in range(end, start + 14, -1):
            at_boundary = stop == len(text) or not text[stop].isalnum()
            if at_boundary and text[stop - 1] != " " and iban.is_valid(text[start:stop].replace(" ", ""), check_country=False):
                return stop
        return None
