"""Payment card numbers and IBANs, confirmed by their check digits."""
import re

from faker.providers.address import Provider as Addresses
from stdnum import luhn, numdb
from stdnum.iso7064 import mod_97_10

from .base import Detector, Span, count_digits

# 12 to 19 digits, optionally grouped by single spaces or by single dashes, one kind
# throughout ("4111 1111 1111 1111", "3782-822463-10005"). A leading "+" means an
# international phone number instead, as does a trunk "(0)" right before ("+44 (0)306 999
# 0198"); a group right before ("DE89 3704 ...") means the digits are the tail of something
# longer; mixed separators ("45466 519-761-0562") are a ZIP code and a phone number.
CARD_CANDIDATE = re.compile(
    r"(?<![\w+\-])(?<!\d[ \-])(?<!\(\d\))(?<!\(\d\) )\d(?:\d{11,18}|(?: ?\d){11,18}|(?:-?\d){11,18})"
    r"(?![\w\-]|[ \-]\d)",
    re.ASCII,
)
# How cards print their number: in fours, the last group shorter for 13, 15
# or 19 digits, or 4-6-5 / 4-6-4 (American Express, Diners). A number grouped otherwise
# ("4965723429 25020", "43905 8799575401") is a phone number next to a house number or a
# ZIP code, not a card.
CARD_GROUPS = re.compile(r"\d+|\d{4}(?:[ \-]\d{4})*(?:[ \-]\d{1,4})?|\d{4}[ \-]\d{6}[ \-]\d{4,5}", re.ASCII)
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
            if (
                CARD_GROUPS.fullmatch(m.group()) and _has_card_issuer_prefix(digits) and len(set(digits)) > 1
                and luhn.is_valid(digits)
            ):
                spans.append(Span("CREDIT_CARD", m.start(), m.end(), 0.9))
        return spans


# Where an IBAN can start: a country code and the two check digits, not inside a longer
# run of letters and digits; like Presidio, an upper-case country code may follow a
# lower-case letter or "_" ("ibanDE89...", "IBAN_DE89...").
IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}|(?<=[a-z])[A-Z]{2}\d{2}", re.ASCII)
# From there, letters and digits written compact or grouped by single spaces or dashes, in
# groups of any length ("DE89 3704 0044 0532 0130 00", "FR76-30006-00001-...", "DE89370400
# 440532013000"). The run may go on into the following words; the detector picks the end.
IBAN_RUN = re.compile(r"[A-Za-z0-9](?:[ \-\u00a0]?[A-Za-z0-9]){14,33}")
_IBAN_SEPARATORS = str.maketrans("", "", " -\u00a0")
IBAN_COUNTRY_LOCALES = {"DE": "de_DE", "FR": "fr_FR", "GB": "en_GB"}
# Countries in python-stdnum's IBAN registry, and any other ISO 3166 country: registries
# trail the countries that start issuing IBANs.
_REGISTRY = [(low, props.get("bban", "")) for _, low, high, props, _ in numdb.get("iban").prefixes if low == high]
COUNTRY_CODES = frozenset(Addresses.alpha_2_country_codes) | frozenset(low for low, _ in _REGISTRY)
_BBAN_ELEMENT = re.compile(r"(\d+)!([nac])")
_BBAN_CHARACTERS = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
# Per registered country, its BBAN as a pattern: "4!a6!n8!n" -> [A-Z]{4}[0-9]{6}[0-9]{8}.
BBAN_FORMATS = {
    country: re.compile("".join(f"{_BBAN_CHARACTERS[kind]}{{{count}}}" for count, kind in _BBAN_ELEMENT.findall(bban)))
    for country, bban in _REGISTRY
    if bban
}
# "... 0130 00 DE": a last group of letters alone is the next word, not part of the number.
_LAST_GROUP_IS_A_WORD = re.compile(r"[ \-\u00a0][A-Za-z]+$")
REGISTERED_SCORE = 0.95  # the country's length and BBAN layout, and the check digits
CHECKSUM_SCORE = 0.9  # the check digits alone


def is_valid_iban(compact):
    """Mod-97 check digits (ISO 7064) behind a country code.

    Neither the country's IBAN length nor its BBAN layout is required: the check digits
    already let only one random string in 97 through, and a number with an unusual
    layout is still better masked than shown.
    """
    return 15 <= len(compact) <= 34 and compact[:2] in COUNTRY_CODES and mod_97_10.is_valid(compact[4:] + compact[:4])


def is_registered_iban(compact):
    """Check digits, and the length and BBAN layout of the country's registry entry."""
    bban = BBAN_FORMATS.get(compact[:2])
    return bban is not None and bban.fullmatch(compact, 4) is not None and mod_97_10.is_valid(compact[4:] + compact[:4])


class IbanDetector(Detector):
    """An IBAN is where its check digits work out, at the end that suits it best.

    Among the places where the run of letters and digits could end, one that gives the
    country's registered length and layout wins: the following word is then never taken
    along, even when it happens to keep the check digits right. Without a registry
    match, the longest run that passes mod 97 counts, at a lower score.

    Upper and lower case are both read, but not mixed: "DE89...3000 in" does not take the
    "in". An IBAN glued to letters ("ibanDE89...", "...3000s") or written in lower case
    must also fit its country's registered layout.
    """

    entity_types = ("IBAN",)

    def detect(self, text):
        if count_digits(text) < 8:
            return []
        spans, position = [], 0
        while (start := IBAN_START.search(text, position)) is not None:
            found = self._best_end(text, start.start())
            if found is None:
                position = start.start() + 1
                continue
            end, score = found
            country = text[start.start():start.start() + 2].upper()
            spans.append(Span("IBAN", start.start(), end, score, IBAN_COUNTRY_LOCALES.get(country, "")))
            position = end
        return spans

    @staticmethod
    def _best_end(text, start):
        run = IBAN_RUN.match(text, start)
        if run is None:
            return None
        glued_before = start > 0 and text[start - 1].isascii() and text[start - 1].isalpha()
        checksum_only = None
        for stop in range(run.end(), start + 14, -1):
            if text[stop - 1] in " -\u00a0":
                continue
            value = text[start:stop]
            following = text[stop] if stop < len(text) else " "
            if following.isascii() and following.isdigit():
                continue  # the digits go on: this is not where the number ends
            glued_after = following.isascii() and following.isalpha()
            if value.isupper():
                if glued_after and not following.islower():
                    continue  # "...3000ABC": the letters go on in the same case
            elif not value.islower() or glued_before or glued_after:
                continue  # mixed case, or a lower-case run inside a word
            compact = value.translate(_IBAN_SEPARATORS).upper()
            if is_registered_iban(compact):
                return stop, REGISTERED_SCORE
            if (
                checksum_only is None and value.isupper() and not (glued_before or glued_after)
                and not _LAST_GROUP_IS_A_WORD.search(value) and is_valid_iban(compact)
            ):
                checksum_only = stop
        return None if checksum_only is None else (checksum_only, CHECKSUM_SCORE)
