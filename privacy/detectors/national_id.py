"""National identity numbers: US Social Security numbers and Chinese resident IDs."""
import datetime
import re

from stdnum.cn import ric
from stdnum.exceptions import ValidationError
from stdnum.us import ssn

from .base import Detector, Span, count_digits

# "123-45-6789" or "123 45 6789" with one separator used throughout. Nine digits
# written together count only after a word that announces an SSN.
SSN_GROUPED = re.compile(r"(?<![\w\-.])\d{3}([- ])\d{2}\1\d{4}(?![\w\-]|\.\d)", re.ASCII)
SSN_COMPACT = re.compile(r"(?<![\w\-.)+])\d{9}(?![\w\-]|\.\d)", re.ASCII)  # not "+44(0)289018937"
SSN_CONTEXT = re.compile(r"\b(?:ssn|social security|soc\.? sec\.?|ss#)", re.IGNORECASE)
_CONTEXT_CHARS = 40


class UsSsnDetector(Detector):
    """Valid areas, groups and serials (no 000, 666 or 9xx area) per `python-stdnum`."""

    entity_types = ("US_SSN",)

    def detect(self, text):
        if count_digits(text) < 9:
            return []
        spans = [
            Span("US_SSN", m.start(), m.end(), 0.85, "en_US")
            for m in SSN_GROUPED.finditer(text)
            if ssn.is_valid(m.group().replace(" ", "-"))
        ]
        for m in SSN_COMPACT.finditer(text):
            announced = SSN_CONTEXT.search(text, max(0, m.start() - _CONTEXT_CHARS), m.start())
            if announced and ssn.is_valid(m.group()):
                spans.append(Span("US_SSN", m.start(), m.end(), 0.85, "en_US"))
        return spans


# Six-digit region, eight-digit birth date, three-digit sequence, check digit (0-9 or X).
CN_RESIDENT_ID = re.compile(r"(?<![\w])\d{17}[\dXx](?!\w)", re.ASCII)
_EARLIEST_BIRTH_YEAR = 1900


class CnResidentIdDetector(Detector):
    """ISO 7064 check digit and a real, past birth date (the region code is not checked:
    codes are retired and renamed, and old cards stay valid)."""

    entity_types = ("CN_RESIDENT_ID",)

    def detect(self, text):
        if count_digits(text) < 17:
            return []
        return [
            Span("CN_RESIDENT_ID", m.start(), m.end(), 0.95, "zh_CN")
            for m in CN_RESIDENT_ID.finditer(text)
            if is_valid_cn_resident_id(m.group())
        ]


def is_valid_cn_resident_id(number):
    number = number.upper()
    if ric.calc_check_digit(number) != number[-1]:
        return False
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        return False
    return _EARLIEST_BIRTH_YEAR <= born.year and born <= datetime.date.today()
