"""The model detector (spaCy en_core_web_sm): names the rules miss, what it reports, when it skips the model."""
import pytest

from privacy.detectors import DEFAULT_DETECTORS
from privacy.detectors.entities import EntityDetector
from privacy.masking import mask

ALL_TYPES = ("PERSON", "LOCATION", "ORGANIZATION")


@pytest.fixture(scope="module")
def everything():
    return EntityDetector(entity_types=ALL_TYPES)


def _found(detector, text):
    return [(text[span.start:span.end], span.type) for span in detector.detect(text)]


def test_a_name_no_rule_knows_is_masked_once_the_model_is_configured(settings):
    text = "Erkki Tuomioja said the talks would go on."
    assert mask(text).masked_text == text  # the rules alone let the name through
    settings.LOOPLABEL_PII_DETECTORS = [*DEFAULT_DETECTORS, "privacy.detectors.entities.EntityDetector"]
    assert mask(text).masked_text == "[PERSON] said the talks would go on."


def test_it_reports_person_names_only_unless_asked_for_more(everything):
    text = "Shares of Siemens rose after Joe Kaeser spoke in Munich."
    assert _found(EntityDetector(), text) == [("Joe Kaeser", "PERSON")]
    assert _found(everything, text) == [("Siemens", "ORGANIZATION"), ("Joe Kaeser", "PERSON"), ("Munich", "LOCATION")]


def test_batches_keep_each_text_its_own_spans(everything):
    texts = ["nothing capitalised here", "Shimon Peres arrived.", "", "Erkki Tuomioja left."]
    found = everything.detect_many(texts)
    assert [[(text[s.start:s.end], s.type) for s in spans] for text, spans in zip(texts, found)] == [
        [], [("Shimon Peres", "PERSON")], [], [("Erkki Tuomioja", "PERSON")]]


def test_unknown_entity_types_are_refused():
    with pytest.raises(ValueError, match="EMAIL"):
        EntityDetector(entity_types=("PERSON", "EMAIL"))
