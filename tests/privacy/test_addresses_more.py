"""The ways of writing a street address the detector reads, and ordinary text it must leave alone.

Sources, none of them an evaluation set: the address formats of presidio-research's data
generator (`AddressProviderNew` of its faker_extensions, its sentence templates, and the kinds of
street addresses of its FakeNameGenerator people: 30 countries, most writing the street name
before the house number), Faker's address providers, and sentences with numbers that name no
place (Financial PhraseBank and movie-review sentences among them).
"""
import pytest

from privacy.detectors import detect
from privacy.detectors.addresses import AddressDetector
from privacy.spans import resolve_overlaps


def found(text):
    """The addresses the detector finds, its overlapping readings settled as masking settles them."""
    return [text[span.start:span.end] for span in resolve_overlaps(AddressDetector().detect(text), text)]


@pytest.mark.parametrize("text, address", [
    ("Avenida Noruega 42", "Avenida Noruega 42"),  # Portugal
    ("lives at Via Pisanelli 104.", "Via Pisanelli 104"),  # Italy
    ("ul. Elbląska 97", "ul. Elbląska 97"),  # Poland, the type written small
    ("Apáczai Csere János u. 52", "Apáczai Csere János u. 52"),  # Hungary
    ("Árpád fejedelem útja 28", "Árpád fejedelem útja 28"),  # a lower-case word before the type
    ("Ingelbrecht Knudssøns gate 222", "Ingelbrecht Knudssøns gate 222"),  # Norway
    ("Kerkkolankatu 83", "Kerkkolankatu 83"),  # Finland
    ("Hendrik Casimirstraat 46", "Hendrik Casimirstraat 46"),  # the Netherlands
    ("Östra Förstadsgatan 43", "Östra Förstadsgatan 43"),  # Sweden
    ("Rua Vinte e Cinco de Setembro 1257", "Rua Vinte e Cinco de Setembro 1257"),  # Brazil
    ("Trg revolucije 95", "Trg revolucije 95"),  # Slovenia
    ("πλατεία Καραισκάκη 137", "πλατεία Καραισκάκη 137"),  # Cyprus
    ("Rue du Château 414", "Rue du Château 414"),  # Belgium, the number after the name
    ("Vicolo Gagliano, 6", "Vicolo Gagliano, 6"),  # Italy, a comma before the number
])
def test_a_street_written_name_first_with_its_type(text, address):
    assert address in found(text)


@pytest.mark.parametrize("text, address", [
    # A building number before it, after a word that leads to a place or a line's start.
    ("The restaurant is at 58 Tacuarembo 2365", "58 Tacuarembo 2365"),
    ("his address: 83 Velký průhon 426, Opocnice", "83 Velký průhon 426"),
    ("Jane Roe\n\n45 Družstevní 1163", "45 Družstevní 1163"),
    # "Street" or a flat after it.
    ("Dana lives on Osvobození 1019 street.", "Osvobození 1019 street"),
    ("Send it to 3928 Blanshard Suite 701", "3928 Blanshard Suite 701"),
])
def test_a_bare_street_name_with_a_sign_that_it_is_one(text, address):
    assert address in found(text)


@pytest.mark.parametrize("address", [
    # AddressProviderNew's formats: flat and town on the street's line, ", town, country",
    # the town on the next line with its state and ZIP code, even a line each.
    "12 Via Pisanelli 104 Apt. 123 Traversara Ravenna",
    "36 Unter den Linden 13 Suite 717 Bremen Arbergen HB",
    "58 Vesturgata 66, Reykjavík, Iceland",
    "17 Kennedy Street Apt. 123, Clifford Ville, Niger 12345",
    "17 Kennedy Street\nClifford Ville, MH 69074",
    "81 Trenerys gate 232\nHirvli\n, HA\n 58965",
    "49 Romero Street\nMelinda Ville\n, TX\n Uzbekistan 47730",
    "PSC 3608, Box 3778\nAPO AE 33740",
    "USNS van der Vlist\nFPO AA 16026",
    # Other countries' localities: Australia, Italy, Spain, Britain.
    "29 Miller Trail, St. Leslieton, SA, 9063",
    "Vicolo Ferdinando, 3\n32014, Polpet (BL)",
    "Rambla Jeremías Hurtado 51 Puerta 6\nSalamanca, 33065",
    "Studio 3, Bethany Shore, Port Kirsty, BT8 7PR",
    "923\nDeol Ganj, Chandrapur-881973",
])
def test_a_whole_address_is_one_span(address):
    assert found(f"Please send it to {address} by Friday.") == [address]


@pytest.mark.parametrize("text, address", [
    ("Meet me at the corner of Main Street and Elm Street.", "Main Street and Elm Street"),
    ("at the corner of 199 Beach Road and Mendoza Street", "199 Beach Road and Mendoza Street"),
    ("the corner of Tacuarembo 2365 and Reyes Street", "Tacuarembo 2365 and Reyes Street"),
])
def test_a_street_corner_is_one_place(text, address):
    assert found(text) == [address]


def test_the_flat_and_building_number_before_a_street_belong_to_it():
    text = "Mrs. Jane Roe Suite 838 62 Algade 49\nHaderslev SY 56308"
    assert found(text) == ["Suite 838 62 Algade 49\nHaderslev SY 56308"]
    # The flat keeps its word from a name the name detector reads on into it.
    assert ("ADDRESS", "Suite 838 62 Algade 49\nHaderslev SY 56308") in [
        (span.type, text[span.start:span.end]) for span in detect(text)]


def test_the_town_after_a_flat_is_no_street_of_its_own():
    text = "46 1727 Lady Bug Drive Suite 734 Colorado Springs Tonga"  # not "734 Colorado Springs"
    assert found(text) == [text]


@pytest.mark.parametrize("text, parts", [
    # The lines of a postal block: the street, the flat, the region and the postcode are
    # addresses; the town and the country are places.
    ("Jane Roe\n\n58 Vesturgata 66\n Apt. 856\n Reykjavík\n\n Saint Vincent and the Grenadines 30124",
     ["58 Vesturgata 66", "Apt. 856", "30124"]),
    ("> Jane Roe\n> 76 12 Rue Hubert de Lisle\n> Apt. 574\n> LORMONT\n> Bosnia and Herzegovina 11777",
     ["76 12 Rue Hubert de Lisle", "Apt. 574", "11777"]),
    ("Billing address: Jane Roe\n    37 Paul-Nevermann-Platz 78 Suite 172\n   Schweinfurt\n    BY\n    19601\n",
     ["37 Paul-Nevermann-Platz 78", "Suite 172", "BY", "19601"]),
    ("Dana Roe\n\n76 Svépomoc 219\n Apt. 937\n Bystré u Policky\n Germany 62987",
     ["76 Svépomoc 219", "Apt. 937", "62987"]),
])
def test_a_postal_block_is_read_line_by_line(text, parts):
    assert found(text) == parts


@pytest.mark.parametrize("text, code", [
    ("My zip code is 94105", "94105"),
    ("ZIP: 94105-1234", "94105-1234"),
    ("zip: 08082", "08082"),
    ("Postcode: SW1A 2AA", "SW1A 2AA"),
])
def test_a_postcode_after_its_label(text, code):
    assert found(text) == [code]


@pytest.mark.parametrize("text, address", [
    ("Write to P.O. Box 255, please", "P.O. Box 255"),
    ("Postbox 23", "Postbox 23"),
])
def test_a_post_office_box(text, address):
    assert found(text) == [address]


@pytest.mark.parametrize("text, address", [
    ("i live at 12 main street, springfield, il 62701 now", "12 main street, springfield, il 62701"),
    ("please return to 55 pilekrogen 55\npoznań, pl 48619", "55 pilekrogen 55\npoznań, pl 48619"),
    ("my zip code is 36449", "36449"),
    ("unit 7883 box 7814\ndpo aa 15741", "unit 7883 box 7814\ndpo aa 15741"),
])
def test_lower_case_text(text, address):
    assert found(text) == [address]


@pytest.mark.parametrize("text", [
    # Names and numbers that make no street.
    "Windows 7 Service Pack 1 is out",
    "Meet me at Gate 12 at 5 pm.",
    "The iPhone 12 Pro Max costs 999 dollars.",
    "the 5th Brigade 2 battalion",
    "Visit us at booth 5 Hall 3.",
    "see page 12 Figure 3",
    "Route 66 is famous.",
    "For my take, see Guilty Pleasures: 5 Musicians Of The 70s You're Supposed To Hate",
    "which was arranged and sung by Katie Robbins in 2024 (though",
    "He was born on 5 May 1990 in Oslo.",
    # Financial news.
    "Deliveries by Outotec will take place over 30 months .",
    "The incident happened at 2:30 p.m. on Avenue 192 at Road 196 .",
    "The upgrade is intended to raise the network capacity from 450 MHz to 630 MHz in several cities",
    "Please inform IR of your participation no later than 20 April at 10 a.m.",
    "M-real Corporation Press release on 3 November at 10:35 am",
    "the second-quarter report at around 12:00 EET on 5 August 2010 .",
    "Revenue rose to EUR 12.5 mn from EUR 10 mn in 2008 .",
    # Lower-case movie reviews, read capitalised.
    "while it regards 1967 as the key turning point of the 20th century",
    "stuart little 2 is a light , fun cheese puff of a movie .",
    "mostly martha could have used a little trimming -- 10 or 15 minutes could be cut",
    "the 1999 guy ritchie caper lock stock and two smoking barrels .",
    "with or without ballast tanks , k-19 sinks to a harrison ford low .",
    "for anyone who grew up on disney 's 1950 treasure island",
])
def test_ordinary_sentences_stay_unmasked(text):
    assert found(text) == []
