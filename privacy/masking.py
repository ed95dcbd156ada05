"""Replace detected personal data in a text, by one of three strategies.

- ``tag``: the entity type in brackets, ``[EMAIL]``.
- ``surrogate``: a Faker value of the same type and locale, the same for the same
  original within a scope (a project), see `privacy.surrogates`.
- ``redact``: one ``█`` per character. Chosen over a fixed ``[REDACTED]`` because it
  keeps the text's length and layout, so masked-text offsets equal the original ones;
  the cost is that the length of the value shows.
"""
from dataclasses import dataclass

from .detectors import DEFAULT_MASKED_TYPES, detect_many
from .surrogates import surrogate

STRATEGIES = ("tag", "surrogate", "redact")
REDACTION_CHARACTER = "█"


@dataclass(frozen=True)
class MaskResult:
    masked_text: str
    spans: list  # [{"type", "start", "end"}] in original-text offsets
    masked_spans: list  # the same entities, in masked-text offsets


def mask(text, *, strategy="tag", scope="", detectors=None, entity_types=DEFAULT_MASKED_TYPES) -> MaskResult:
    """Mask every detected entity of `text` (see `mask_many`)."""
    return mask_many([text], strategy=strategy, scope=scope, detectors=detectors, entity_types=entity_types)[0]


def mask_many(
    texts, *, strategy="tag", scope="", detectors=None, entity_types=DEFAULT_MASKED_TYPES
) -> list[MaskResult]:
    """Mask every detected entity of each text; a batch lets model detectors run at their speed.

    `scope` only matters for surrogates; `detectors` overrides the configured set;
    `entity_types` masks only those types (`DEFAULT_MASKED_TYPES`: what a new project masks).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown masking strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    texts = list(texts)
    found = detect_many(texts, detectors, entity_types)
    return [_masked(text, spans, strategy, scope) for text, spans in zip(texts, found)]


def _masked(text, found, strategy, scope) -> MaskResult:
    if not found:
        return MaskResult(text, [], [])
    pieces, spans, masked_spans = [], [], []
    position = masked_position = 0
    for span in found:
        pieces.append(text[position:span.start])
        masked_position += span.start - position
        replacement = _replacement(strategy, span, text[span.start:span.end], scope)
        pieces.append(replacement)
        spans.append({"type": span.type, "start": span.start, "end": span.end})
        masked_spans.append({"type": span.type, "start": masked_position, "end": masked_position + len(replacement)})
        masked_position += len(replacement)
        position = span.end
    pieces.append(text[position:])
    return MaskResult("".join(pieces), spans, masked_spans)


def _replacement(strategy, span, value, scope):
    if strategy == "tag":
        return f"[{span.type}]"
    if strategy == "redact":
        return REDACTION_CHARACTER * len(value)
    return surrogate(span.type, value, scope=scope, locale=span.locale)
