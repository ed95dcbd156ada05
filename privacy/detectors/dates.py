"""Dates (birth dates and any other): numeric, ISO, written-out months, Chinese 年月日."""
import re

from .base import Detector, Span, has_digit

MONTHS = (
    # English, with the usual abbreviations
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    # German
    "januar|jänner|februar|märz|mai|juni|juli|oktober|dezember|"
    # French
    "janvier|février|fevrier|mars|avril|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
)
_MONTH = rf"(?i:(?:{MONTHS})\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?i:st|nd|rd|th|er|\.)?"
_YEAR = r"(?:1[6-9]|2\d)\d\d"
_WEEKDAY = (
    r"(?:(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun"
    r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\.?,?\s+)?"
)
_TIME = r"(?:[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"

# ASCII word boundaries, so that a date right after Han characters ("出生于3/23/1940") counts.
# Numeric dates score above phone numbers, which "23.03.1940" also passes for.
DATE_PATTERNS = (
    # 1993-01-04, 1993/01/04, 1993-01-04 14:56:41, 1993-01-04T14:56:41Z
    (re.compile(
        rf"(?<![\w.\-/]){_YEAR}([-/.])(?:0?[1-9]|1[0-2])\1(?:[12]\d|3[01]|0?[1-9]){_TIME}(?![\w\-/]|\.\d)", re.ASCII
    ), 0.85),
    # 3/23/1940, 23.03.1940, 23-03-40: day and month in either order, 2- or 4-digit year
    (re.compile(r"(?<![\w.\-/])(\d{1,2})([-/.])(\d{1,2})\2(?:\d{4}|\d{2})(?![\w\-/]|\.\d)", re.ASCII), 0.85),
    # March 23, 1940 / Monday, March 23rd 1940 / Mar. 23
    (re.compile(rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?(?!\w)", re.ASCII), 0.7),
    # 23 March 1940 / 23rd of March, 1940 / 23. März 1940 / 1er janvier 2020 / March 1940
    (re.compile(rf"\b{_WEEKDAY}(?:{_DAY}\s+(?:of\s+)?)?{_MONTH},?\s+{_YEAR}(?!\w)", re.ASCII), 0.7),
    (re.compile(rf"\b{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH}(?!\w)", re.ASCII), 0.6),
    # 1990年3月23日, 1990年3月
    (re.compile(r"(?:19|20)\d\d\s?年\s?(?:0?[1-9]|1[0-2])\s?月(?:\s?(?:[12]\d|3[01]|0?[1-9])\s?[日号])?", re.ASCII), 0.8),
)
# Most texts name no month: one pass for a month word decides whether the three
# written-out patterns run at all. The lookahead on first letters skips most words fast.
_MONTH_INITIALS = "".join(sorted({w[0] for w in MONTHS.split("|")}))
MONTH_WORD = re.compile(rf"\b(?=[{_MONTH_INITIALS}{_MONTH_INITIALS.upper()}]){_MONTH}(?!\w)", re.ASCII)
NUMERIC_PATTERNS = DATE_PATTERNS[:2]
WRITTEN_PATTERNS = DATE_PATTERNS[2:5]
CHINESE_PATTERNS = DATE_PATTERNS[5:]
# Numeric dates need two digits joined by a date separator somewhere.
NUMERIC_HINT = re.compile(r"\d[-/.]\d")
# "May 5" needs care: "may" is also a verb ("you may 2 times"); only a capital M counts.
_LOWERCASE_MAY = re.compile(r"may\b")


class DateDetector(Detector):
    entity_types = ("DATE",)

    def detect(self, text):
        if not has_digit(text):
            return []
        spans = []
        patterns = ()
        if NUMERIC_HINT.search(text):
            patterns += NUMERIC_PATTERNS
        if MONTH_WORD.search(text):
            patterns += WRITTEN_PATTERNS
        if "年" in text:
            patterns += CHINESE_PATTERNS
        for pattern, score in patterns:
            for m in pattern.finditer(text):
                if self._plausible(m):
                    spans.append(Span("DATE", m.start(), m.end(), score))
        return spans

    @staticmethod
    def _plausible(match):
        value = match.group()
        if _LOWERCASE_MAY.match(value):
            return False
        if match.re is DATE_PATTERNS[1][0]:
            first, second = int(match.group(1)), int(match.group(3))
            # Either month/day or day/month must make sense.
            return (1 <= first <= 12 and 1 <= second <= 31) or (1 <= first <= 31 and 1 <= second <= 12)
        return True
