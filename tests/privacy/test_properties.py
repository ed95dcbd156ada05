"""Property tests: no text crashes a detector or mask(), spans stay inside the text, and
after resolution they never overlap and still cover every letter and digit a detector found."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy.detectors import DEFAULT_DETECTORS, Span, detect, get_detectors
from privacy.masking import STRATEGIES, mask
from privacy.spans import resolve_overlaps

# Pieces that make detectors go deep (digits, separators, names, Han text) mixed with anything.
FRAGMENTS = [
    "+44 20 7946 0958", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "536-22-8726",
    "11010519491231002X", "bob@example.com", "www.example.org", "192.168.0.1", "2001:db8::1",
    "March 23, 1940", "23.03.1940", "1990年3月23日", "896 Wilcox Ranch", "Hauptstraße 5, 10115 Berlin",
    "上海市浦东新区世纪大道100号", "Dr. ", "Jane", "Doe", "Regards,\n", "我叫王伟", " ", "-", ".", "/", "(", ")",
    "0", "1", "9", "x", ":", "@", "\n", "年", "号",
]
texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=12).map("".join),
)
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_inside(spans, text):
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)


@pytest.mark.parametrize("path", DEFAULT_DETECTORS)
@PROPERTY_SETTINGS
@given(text=texts)
def test_every_detector_takes_any_text(path, text):
    [detector] = [d for d in get_detectors() if f"{type(d).__module__}.{type(d).__name__}" == path]
    _check_inside(detector.detect(text), text)


@PROPERTY_SETTINGS
@given(text=texts)
def test_resolved_spans_are_ordered_and_disjoint(text):
    spans = detect(text)
    _check_inside(spans, text)
    for before, after in zip(spans, spans[1:]):
        assert before.end <= after.start


@PROPERTY_SETTINGS
@given(text=texts, data=st.data())
def test_resolution_leaves_nothing_found_unmasked(text, data):
    # Detectors' own spans plus arbitrary ones, so that overlaps of every shape occur.
    found = [span for detector in get_detectors() for span in detector.detect(text)]
    bounds = st.integers(0, len(text))
    for start, end, score in data.draw(st.lists(st.tuples(bounds, bounds, st.floats(0, 1)), max_size=6)):
        found.append(Span("PERSON", min(start, end), max(start, end), score))
    resolved = resolve_overlaps(found, text)
    _check_inside(resolved, text)
    for before, after in zip(resolved, resolved[1:]):
        assert before.end <= after.start
    covered = {i for span in resolved for i in range(span.start, span.end)}
    flagged = {i for span in found for i in range(span.start, span.end) if text[i].isalnum()}
    assert flagged <= covered


@PROPERTY_SETTINGS
@given(text=texts, strategy=st.sampled_from(STRATEGIES))
def test_mask_takes_any_text(text, strategy):
    result = mask(text, strategy=strategy, scope="property")
    assert len(result.spans) == len(result.masked_spans)
    position = masked_position = 0
    for original, masked in zip(result.spans, result.masked_spans):
        assert original["type"] == masked["type"]
        # Everything between entities is copied unchanged.
        assert text[position:original["start"]] == result.masked_text[masked_position:masked["start"]]
        position, masked_position = original["end"], masked["end"]
    assert text[position:] == result.masked_text[masked_position:]
