"""What every detector returns and promises, so that rule-based and model detectors mix."""
import re
from dataclasses import dataclass
from functools import lru_cache

# The entity types Looplabel knows. Detectors may only emit these, so that masking,
# surrogates and the UI have one vocabulary.
ENTITY_TYPES = (
    "PERSON",
    "EMAIL",
    "PHONE",
    "CREDIT_CARD",
    "IBAN",
    "IP_ADDRESS",
    "URL",
    "US_SSN",
    "CN_RESIDENT_ID",
    "DATE",
    "ADDRESS",
    "LOCATION",
    "ORGANIZATION",
)

# What no project can show an annotator: names, street addresses and the identifiers that
# point at one person or account.
ALWAYS_MASKED = (
    "PERSON", "ADDRESS", "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "CN_RESIDENT_ID", "IP_ADDRESS",
)
# A project's masked types unless its lead chooses otherwise. Dates (a birth date
# identifies) and links (profile pages) too; places and organisations not: they are often
# the very signal a classifier learns from ("a complaint about Lufthansa"), and name no one.
DEFAULT_MASKED_TYPES = (*ALWAYS_MASKED, "DATE", "URL")

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Span:
    """A detected entity in the text it was found in: text[start:end].

    `score` (0..1) is how sure the detector is; it decides between overlapping spans.
    `locale` is a Faker locale the value looks like it comes from ("de_DE"), or "" when
    the detector cannot tell; surrogates use it to fake a value of the same kind.
    """

    type: str
    start: int
    end: int
    score: float
    locale: str = ""


class Detector:
    """Finds entities of `entity_types` in a text.

    `detect` must accept any string and return spans inside it; spans of one detector
    may overlap (resolution happens once, in `privacy.spans`). Detectors are built once
    per process and shared between threads, so they keep no per-call state.
    """

    entity_types: tuple = ()

    def detect(self, text: str) -> list[Span]:
        raise NotImplementedError

    def detect_many(self, texts: list[str]) -> list[list[Span]]:
        """Spans per text. Model detectors override this to run a batch at once."""
        return [self.detect(text) for text in texts]


def has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


@lru_cache(maxsize=8)  # detectors run one after another on the same text
def count_digits(text: str) -> int:
    """Cheap prefilter: most detectors need a minimum number of digits to match at all."""
    return len(_DIGIT.findall(text))
