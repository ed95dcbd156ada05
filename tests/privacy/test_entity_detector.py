"""The model detector (spaCy en_core_web_sm) and what the default set makes of its output:
names the rules miss, names the model mistypes, names that recur in a batch, and what a
project masks by default."""
import pytest

from privacy.detectors import DEFAULT_DETECTORS, ENTITY_TYPES, Detector, Span, detect_many
from privacy.detectors.entities import EntityDetector, may_name_something
from privacy.detectors.names import PersonDetector
from privacy.masking import mask

RULES_ONLY = [path for path in DEFAULT_DETECTORS if not path.endswith("EntityDetector")]


@pytest.fixture(scope="module")
def model():
    return EntityDetector()


def _found(detector, text):
    return [(text[span.start:span.end], span.type) for span in detector.detect(text)]


def test_a_name_no_rule_knows_is_masked_by_default(settings):
    text = "Erkki Tuomioja said the talks would go on."
    assert mask(text).masked_text == "[PERSON] said the talks would go on."
    settings.LOOPLABEL_PII_DETECTORS = RULES_ONLY
    assert mask(text).masked_text == text  # the rules alone let the name through


def test_places_and_organisations_are_found_but_masked_only_when_asked(model):
    text = "Shares of Siemens rose after Joe Kaeser spoke in Munich."
    assert _found(model, text) == [("Siemens", "ORGANIZATION"), ("Joe Kaeser", "PERSON"), ("Munich", "LOCATION")]
    assert _found(EntityDetector(entity_types=("PERSON",)), text) == [("Joe Kaeser", "PERSON")]
    assert mask(text).masked_text == "Shares of Siemens rose after [PERSON] spoke in Munich."
    assert mask(text, entity_types=ENTITY_TYPES).masked_text == (
        "Shares of [ORGANIZATION] rose after [PERSON] spoke in [LOCATION]."
    )


@pytest.mark.parametrize("text, name", [
    ("Tarango said he was tired after the match.", "Tarango"),  # the model: an organisation that speaks
    ("Brunswijk , 35 , denied the charge.", "Brunswijk"),  # an organisation with an age
    ("Todd Van Poppel pitched a five-hitter for Detroit.", "Todd Van Poppel"),  # starts with a first name
])
def test_people_the_model_calls_organisations_are_people(model, text, name):
    assert (name, "PERSON") in _found(model, text)


def test_a_place_after_said_is_a_place_when_the_sentence_goes_on(model):
    text = "Cotti said Chechnya must remain part of Russia."
    assert _found(model, text) == [("Cotti", "PERSON"), ("Chechnya", "LOCATION"), ("Russia", "LOCATION")]


def test_unknown_capitalised_words_are_names_but_common_words_are_not(model):
    found = _found(model, "Yesterday Kowalczyk signed for the Scorers of the Series, the President said.")
    assert ("Kowalczyk", "PERSON") in found
    assert not {"Yesterday", "Scorers", "Series", "President"} & {text for text, _ in found}


def test_headlines_and_other_languages_get_no_guessed_names(model):
    # In capitals every word looks like a proper noun; German capitalises every noun.
    assert _found(model, "SOCCER - SHEARER NAMED AS ENGLAND CAPTAIN .") == []
    assert all(kind != "PERSON" or text == "Herrn Müller" for text, kind in
               _found(model, "Die Rechnung wurde gestern bezahlt, sagte Herrn Müller."))


def test_a_name_found_once_is_masked_wherever_it_recurs_in_the_batch():
    texts = ["Dear Tamara Kowalczyk, thanks.", "Kowalczyk replied late.", "KOWALCZYK WINS", "no names here"]
    rules = [PersonDetector()]
    alone = [detect_many([text], rules) for text in texts[1:3]]
    assert alone == [[[]], [[]]]  # no rule finds the surname on its own
    found = detect_many(texts, rules)
    assert [[text[s.start:s.end] for s in spans] for text, spans in zip(texts, found)] == [
        ["Tamara Kowalczyk"], ["Kowalczyk"], ["KOWALCZYK"], []]


def test_texts_without_a_capitalised_content_word_skip_the_model():
    assert not may_name_something("the movie was dull. It had no plot and the acting was flat.")
    assert may_name_something("the movie was dull. Kowalczyk was flat.")


def test_batches_keep_each_text_its_own_spans(model):
    texts = ["nothing capitalised here", "Shimon Peres arrived.", "", "Erkki Tuomioja left."]
    found = model.detect_many(texts)
    assert [[(text[s.start:s.end], s.type) for s in spans] for text, spans in zip(texts, found)] == [
        [], [("Shimon Peres", "PERSON")], [], [("Erkki Tuomioja", "PERSON")]]


def test_unknown_entity_types_are_refused():
    with pytest.raises(ValueError, match="EMAIL"):
        EntityDetector(entity_types=("PERSON", "EMAIL"))


def test_companies_are_not_people_even_when_the_model_says_so(model):
    found = _found(model, "Marimekko Oyj said its net sales rose, and Alma Media Group cut jobs.")
    assert not [text for text, kind in found if kind == "PERSON"], found


class _Guess(Detector):
    """Sure, to `score`, that given words are people, in texts that end with "!"."""

    def __init__(self, words, score):
        self.words, self.score = words, score

    def detect(self, text):
        return [Span("PERSON", text.index(word), text.index(word) + len(word), self.score)
                for word in self.words if word in text and text.endswith("!")]


def test_only_sure_names_that_are_no_english_word_recur():
    texts = ["Kowalczyk and Finland and Baker and Nowak!", "Kowalczyk, Finland, Baker, Nowak"]
    found = detect_many(texts, [_Guess(["Kowalczyk", "Finland", "Baker"], 0.5), _Guess(["Nowak"], 0.4)])
    # Not a place that is an English word, nor a guess: a surname known as one, and an unknown word.
    assert [texts[1][s.start:s.end] for s in found[1]] == ["Kowalczyk", "Baker"]
