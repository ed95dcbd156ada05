"""mask(): the strategies, offsets in both texts, overlap resolution, pluggable detectors."""
import pytest

from privacy.detectors import ENTITY_TYPES, Detector, Span, detect
from privacy.masking import REDACTION_CHARACTER, mask
from privacy.services import protect_texts
from privacy.spans import resolve_overlaps

TEXT = "Mail jane@example.com or call +44 20 7946 0958, thanks."


def test_tag_replaces_each_entity_with_its_type():
    result = mask(TEXT, strategy="tag")
    assert result.masked_text == "Mail [EMAIL] or call [PHONE], thanks."
    assert result.spans == [{"type": "EMAIL", "start": 5, "end": 21}, {"type": "PHONE", "start": 30, "end": 46}]


@pytest.mark.parametrize("strategy", ["tag", "surrogate", "redact"])
def test_spans_point_at_the_entity_in_both_texts(strategy):
    result = mask(TEXT, strategy=strategy, scope="project-1")
    assert len(result.spans) == len(result.masked_spans) == 2
    for original, masked in zip(result.spans, result.masked_spans):
        assert original["type"] == masked["type"]
        assert TEXT[original["start"]:original["end"]] not in result.masked_text
        replaced = result.masked_text[masked["start"]:masked["end"]]
        assert replaced and replaced != TEXT[original["start"]:original["end"]]
    # Text between the entities is untouched.
    assert result.masked_text.startswith("Mail ") and result.masked_text.endswith(", thanks.")


def test_redact_keeps_length_and_offsets():
    result = mask(TEXT, strategy="redact")
    assert len(result.masked_text) == len(TEXT)
    assert result.masked_spans == result.spans
    assert result.masked_text[5:21] == REDACTION_CHARACTER * 16


def test_text_without_personal_data_comes_back_unchanged():
    result = mask("the delivery was late and the box was damaged", strategy="surrogate", scope="x")
    assert result.masked_text == "the delivery was late and the box was damaged"
    assert result.spans == result.masked_spans == []


def test_unknown_strategy_is_refused():
    with pytest.raises(ValueError, match="unknown masking strategy"):
        mask(TEXT, strategy="scramble")


def test_protect_text_returns_masked_text_spans_and_ciphertext():
    from privacy import crypto

    [protected] = protect_texts([TEXT], strategy="tag", scope="7")
    assert protected.masked_text == mask(TEXT).masked_text
    assert protected.spans == mask(TEXT).masked_spans
    assert crypto.decrypt(protected.original_encrypted) == TEXT


def test_overlaps_prefer_score_then_length():
    spans = [
        Span("PHONE", 0, 10, 0.55),  # inside the card: dropped
        Span("CREDIT_CARD", 0, 19, 0.9),  # highest score wins although it starts the same
        Span("DATE", 15, 25, 0.85),  # overlaps the card: keeps what the card leaves
        Span("PERSON", 30, 34, 0.5),
        Span("ADDRESS", 30, 40, 0.5),  # same score, longer: wins
        Span("URL", 40, 45, 0.3),  # touches, does not overlap: kept
        Span("EMAIL", 50, 50, 0.9),  # empty: dropped
    ]
    assert [(s.type, s.start, s.end) for s in resolve_overlaps(spans)] == [
        ("CREDIT_CARD", 0, 19), ("DATE", 19, 25), ("ADDRESS", 30, 40), ("URL", 40, 45)
    ]


def test_a_span_that_loses_an_overlap_keeps_its_uncovered_parts():
    text = "Call 0660 475 13 89, Main Street 4 or 555"
    phone = Span("PHONE", 5, 19, 0.55)  # "0660 475 13 89"
    address = Span("ADDRESS", 17, 32, 0.7)  # "89, Main Street": an address from the phone's last group
    wide = Span("PERSON", 0, 41, 0.1)  # around both: what they leave, trimmed of spaces
    resolved = [(s.type, text[s.start:s.end]) for s in resolve_overlaps([phone, address, wide], text)]
    assert resolved == [
        ("PERSON", "Call"), ("PHONE", "0660 475 13"), ("ADDRESS", "89, Main Street"), ("PERSON", "4 or 555")
    ]


def test_no_digit_of_a_number_that_an_address_overlaps_is_left_unmasked():
    result = mask("Anna Berg, 0660 475 13 89, Main Street 4", strategy="tag")
    assert not any(digit in result.masked_text for digit in "0635"), result.masked_text


def test_email_inside_a_url_like_string_is_one_entity():
    # The URL detector sees "example.com" too; resolution keeps the e-mail address whole.
    assert [(s.type, s.start) for s in detect("bob@example.com")] == [("EMAIL", 0)]


class OrderNumberDetector(Detector):
    """A stand-in for a plugged-in detector (a model, say)."""

    entity_types = ("ORGANIZATION",)

    def detect(self, text):
        start = text.find("ACME")
        return [Span("ORGANIZATION", start, start + 4, 0.99)] if start >= 0 else []


def test_detector_set_comes_from_settings(settings):
    settings.LOOPLABEL_PII_DETECTORS = [f"{__name__}.OrderNumberDetector", "privacy.detectors.internet.EmailDetector"]
    result = mask("ACME, bob@example.com, +44 20 7946 0958", strategy="tag", entity_types=("ORGANIZATION", "EMAIL"))
    assert result.masked_text == "[ORGANIZATION], [EMAIL], +44 20 7946 0958"


def test_detectors_can_be_passed_directly():
    result = mask("ACME and bob@example.com", detectors=[OrderNumberDetector()], entity_types=ENTITY_TYPES)
    assert result.masked_text == "[ORGANIZATION] and bob@example.com"
