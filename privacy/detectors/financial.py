"""Payment card numbers and IBANs, confirmed by their check digits."""
import re

from faker.providers.address import Provider as Addresses
from stdnum import luhn, numdb
from stdnum.iso7064 import mod_97_10

from .base import Detector, Span, count_digits

# 12 to 19 digits, optionally grouped by single spaces or dashes ("4111 1111 1111 1111",
# "3782-822463-10005"). A leading "+" means an international phone number instead, and a
# group right before ("DE89 3704 ...") means the digits are the tail of something longer.
CARD_CANDIDATE = re.compile(r"(?<![\w+\-])(?<!\d[ \-])\d(?:[ \-]?\d){11,18}(?![\w\-]|[ \-]\d)", re.ASCII)
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


# Country code, check digits, then up to 30 letters or digits, written compact or grouped
# by spaces or dashes. The candidate may run on into the following words ("... 0130 00
# is mine"); the detector cuts it back to the longest prefix that validates.
IBAN_CANDIDATE = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){11,30}", re.ASCII)
_IBAN_SEPARATORS = str.maketrans("", "", " -")
IBAN_COUNTRY_LOCALES = {"DE": "de_DE", "FR": "fr_FR", "GB": "en_GB"}
# Countries in python-stdnum's IBAN registry, and any other ISO 3166 country: registries
# trail the countries that start issuing IBANs.
COUNTRY_CODES = frozenset(Addresses.alpha_2_country_codes) | frozenset(
    low for _, low, high, _, _ in numdb.get("iban").prefixes if low == high
)


def is_valid_iban(compact):
    """Mod-97 check digits (ISO 7064) behind a country code.

    Neither the country's IBAN length nor its BBAN layout is required: the check digits
    already let only one random string in 97 through, and a number with an unusual
    layout is still better masked than shown.
    """
    return 15 <= len(compact) <= 34 and compact[:2] in COUNTRY_CODES and mod_97_10.is_valid(compact[4:] + compact[:4])


class IbanDetector(Detector):
    """The longest prefix of a candidate that validates and ends at a word boundary."""

    entity_types = ("IBAN",)

    def detect(self, text):
        if count_digits(text) < 8:
            return []
        spans = []
        for m in IBAN_CANDIDATE.finditer(text):
            end = self._longest_valid_end(text, m.start(), m.end())
            if end:
                locale = IBAN_COUNTRY_LOCALES.get(m.group()[:2], "")
                spans.append(Span("IBAN", m.start(), end, 0.95, locale))
        return spans

    @staticmethod
    def _longest_valid_end(text, start, end):
        for stop in range(end, start + 14, -1):
            at_boundary = stop == len(text) or not (text[stop].isascii() and text[stop].isalnum())
            if not at_boundary or text[stop - 1] in " -":
                continue
            if is_valid_iban(text[start:stop].translate(_IBAN_SEPARATORS).upper()):
                return stop
        return None
