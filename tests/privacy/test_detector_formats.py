"""The written forms of phone numbers and IBANs the detectors must read, and look-alikes.

Sources, none of them an evaluation set: the example IBANs of Presidio's public
`test_iban_recognizer.py` (written compact, grouped, dashed, inside sentences), the
formats of Faker's phone providers (current and older en_US formats, many locales; the
samples below come from seed 4242, not the benchmark's seed), the `phonenumbers`
documentation (leniency levels, international prefixes), and number shapes that are
not phone numbers (dates, amounts, ISBNs, codes).
"""
import pytest

from privacy.detectors import detect
from privacy.detectors.financial import IbanDetector, is_registered_iban
from privacy.detectors.phone import PhoneDetector


def found(detector, text):
    return [text[span.start:span.end] for span in detector.detect(text)]


# --- IBAN ---------------------------------------------------------------------------
# One valid example per country, as in Presidio's IBAN recognizer tests.
PRESIDIO_EXAMPLE_IBANS = """
AL47212110090000000235698741 AD1200012030200359100100 AT611904300234573201 AZ21NABZ00000000137010001944
BH67BMAG00001299123456 BY13NBRB3600900000002Z00AB00 BE68539007547034 BA391290079401028494
BR9700360305000010009795493P1 BG80BNBG96611020345678 CR05015202001026284066 HR1210010051863000160
CY17002001280000001200527600 CZ6508000000192000145399 DK5000400440116243 DO28BAGR00000001212453611324
TL380080012345678910157 EE382200221020145685 FO6264600001631634 FI2112345600000785 FR1420041010050500013M02606
GE29NB0000000101904917 DE89370400440532013000 GI75NWBK000000007099453 GR1601101250000000012300695
GL8964710001000206 GT82TRAJ01020000001210029690 HU42117730161111101800000000 IS140159260076545510730339
IE29AIBK93115212345678 IL620108000000099999999 IT60X0542811101000000123456 JO94CBJO0010000000000131000302
KZ86125KZT5004100100 XK051212012345678906 KW81CBKU0000000000001234560101 LV80BANK0000435195001
LB62099900000001001901229114 LI21088100002324013AA LT121000011101001000 LU280019400644750000
MT84MALT011000012345MTLCAST001S MR1300020001010000123456753 MU17BOMM0101101030300200000MUR
MD24AG000225100013104168 MC5811222000010123456789030 ME25505000012345678951 NL91ABNA0417164300
MK07250120000058984 NO9386011117947 PK36SCBL0000001123456702 PS92PALS000000000400123456702
PL61109010140000071219812874 PT50000201231234567890154 QA58DOHB00001234567890ABCDEFG RO49AAAA1B31007593840000
SM86U0322509800000000270100 SA0380000000608010167519 RS35260005601001611379 SK3112000000198742637541
SI56263300012039086 ES9121000418450200051332 SE4550000000058398257466 CH9300762011623852957
TN5910006035183598478831 TR330006100519786457841326 AE070331234567890123456 GB29NWBK60161331926819
VA59001123000012345678 VG96VPVG0000012345678901
""".split()
# Where the IBAN sits: the ways Presidio's tests and everyday text put it.
IBAN_CONTEXTS = [
    "{}", "this is an iban {} in a sentence", "this is an iban {} X in a sentence", "{} ALL CAPS",
    "IBAN: {}.", "({})", "账号{}。", "{} 2 days from today", "{}\nthanks", "{} is mine", "IBAN_{}",
]


NBSP = "\u00a0"
FR_IBAN_GROUPS = ["FR76", "3000", "6000", "0112", "3456", "7890", "189"]


def _grouped(iban, size=4, separator=" "):
    return separator.join(iban[i:i + size] for i in range(0, len(iban), size))


@pytest.mark.parametrize("iban", PRESIDIO_EXAMPLE_IBANS)
def test_iban_examples_found_in_every_writing_and_place(iban):
    assert is_registered_iban(iban)
    writings = [iban, _grouped(iban), _grouped(iban, separator="-"), iban.lower(), _grouped(iban).lower()]
    for writing in writings:
        for context in IBAN_CONTEXTS:
            text = context.format(writing)
            assert found(IbanDetector(), text) == [writing], text


@pytest.mark.parametrize("text, value", [
    # Groups of any length, and the no-break space.
    ("IBAN DE89 370400440532 013000 bitte", "DE89 370400440532 013000"),
    ("IBAN " + NBSP.join(FR_IBAN_GROUPS) + ".", NBSP.join(FR_IBAN_GROUPS)),
    # Glued to lower-case letters, as Presidio's lookarounds allow.
    ("ibanDE89370400440532013000", "DE89370400440532013000"),
    ("DE89370400440532013000is mine", "DE89370400440532013000"),
    # A following word that happens to keep the mod-97 sum right is not taken along: the
    # registered length decides (found with Faker en_US IBANs and Presidio's sentences).
    ("my account GB36NRQF63728990595827 thanks", "GB36NRQF63728990595827"),
    ("this is an iban GI75 NWBK 0000 0000 7099 453 in a sentence", "GI75 NWBK 0000 0000 7099 453"),
    ("this is an iban ES91 2100 0418 4502 0005 1332 X in a sentence", "ES91 2100 0418 4502 0005 1332"),
    ("AE070331234567890123456 ALL CAPS", "AE070331234567890123456"),
    # Countries outside the registry: the check digits alone, but not the next word.
    ("send to PH228145384019161461 today", "PH228145384019161461"),
    ("BD70 VOXZ 1706 7349 1 DE TODO", "BD70 VOXZ 1706 7349 1"),
])
def test_iban_writings_found(text, value):
    assert found(IbanDetector(), text) == [value]


def test_ibans_next_to_each_other_are_both_found():
    text = "GB29NWBK60161331926819 DE89370400440532013000, AL47212110090000000235698741"
    assert found(IbanDetector(), text) == [
        "GB29NWBK60161331926819", "DE89370400440532013000", "AL47212110090000000235698741",
    ]


@pytest.mark.parametrize("text", [
    # Presidio's negative examples: a digit or letter changed, or one missing.
    "AL47 2121 1009 0000 0002 3569 8740", "AD12000A2030200359100100", "BE6853900754703", "IL15 0120 6900 0000",
    "AM47212110090000000235698740", "AB150120690000003111141", "G T82 TRAJ 0102 0000 0012 1002 9690",
    "EE38 2200 2210  014 5686", "Slash as iban separator: AL47/2121/1009/0000/0002/3569/8741",
    "Dalla's Pizza | 3843 Peartree Road, Bamblee, SD 20241 440-600-5124",
    "DE89370400440532013000123",  # the digits go on
    "De89370400440532013000",  # mixed case
    "xde89370400440532013000",  # lower case inside a word
    "DE89370400440532013000ABC",  # upper-case letters go on
])
def test_iban_look_alikes_ignored(text):
    assert found(IbanDetector(), text) == []


# --- phone numbers ----------------------------------------------------------------------
# Faker phone_number() samples, seed 4242 (not the benchmark's), per locale. With a
# context word every one must be found, junk Faker writes included.
FAKER_PHONE_SAMPLES = {
    "en_US": ["(420)996-6542x87072", "502-582-2512", "804.750.5285x596", "001-442-659-8747x1742", "+1-663-235-3861"],
    "en_GB": ["(0909) 8790620", "028 9018665", "+44(0)118 4960287", "+44113 496 0722", "02074960710"],
    "de_DE": ["0209665428", "00722 971028", "+49 (0) 2512 393704", "00528559665", "+49(0)2598 74717"],
    "fr_FR": ["02 57 09 66 54", "+33 7 70 72 29 71", "+33 (0)2 54 82 25 12", "+33 3 73 70 45 05"],
    "zh_CN": ["18020966542", "18470722971", "13528225123", "19193704505"],
    "en_IN": ["02096654287", "+917229710282", "+915123937045", "2474116677"],
    "es_ES": ["+34947 20 96 65", "+34846 971 028", "+34 844251239", "+34848855966"],
    "it_IT": ["03620966520", "037529710", "+39 05751239305", "+39 378392474"],
    "pl_PL": ["+48 22 620 96 65", "732 870 722", "+48 697 102 822", "791 239 370"],
    "pt_BR": ["66 2096-6542", "+55 17 2822-5123", "37 5966-5425"],
    "ru_RU": ["8 209 665 42 87", "+7 722 971 0282", "+7 (512) 393-70-45", "82474116677"],
    "nl_NL": ["+31(0)20-9665428", "+31(0)251 239370", "0505-285596", "+31742 924741"],
    "ja_JP": ["20-9665-4287", "070-7229-7102", "080-2512-3937"],
    "bn_BD": ["+৮৮০-২-২-০৯৬৬-৫৪২৮", "০১২৫১২৩৯৩৭০", "০১৭৪২-৯২৪৭৪১"],
}
CONTEXTS = {
    "en": ["Phone: {}", "Call me at {} tomorrow.", "You can reach me on {}, thanks."],
    "de": ["Rufen Sie {} an.", "Sie erreichen mich unter {}.", "Tel. {}", "Handy: {}"],
    "fr": ["Appelez le {}.", "Mon numéro est le {}.", "Tél : {}", "Portable {}"],
    "zh": ["我的电话是{}。", "联系电话{}", "手机：{}"],
    "es": ["Llame al {}.", "Teléfono: {}", "Móvil {}"],
}


def _found_covering(text, value):
    start = text.index(value)
    end = start + len(value)
    return any(min(end, s.end) - max(start, s.start) >= len(value) / 2 for s in PhoneDetector().detect(text))


@pytest.mark.parametrize("locale, number", [(loc, n) for loc, numbers in FAKER_PHONE_SAMPLES.items() for n in numbers])
def test_faker_phone_numbers_found_after_a_context_word(locale, number):
    for context in [c for language in CONTEXTS.values() for c in language]:
        assert _found_covering(context.format(number), number), context.format(number)


@pytest.mark.parametrize("text, value", [
    # Faker en_US, current and older formats: random area codes, extensions, 001.
    ("(069)555-1234x123 is mine", "(069)555-1234x123"),
    ("(123)456-789x1234 is mine", "(123)456-789x1234"),  # older Faker: nine digits and an extension
    ("069.555.1234", "069.555.1234"),
    ("1-069-555-1234 or so", "1-069-555-1234"),
    ("001-952-299-1122x0453", "001-952-299-1122x0453"),
    ("+1-952-299-1122x12345", "+1-952-299-1122x12345"),
    ("The 5272868387 is on the list.", "5272868387"),  # ten digits, unassigned area code
    ("The 2230128916 is on the list.", "2230128916"),  # older Faker: any ten digits, valid in a home region
    # Presidio's phone recognizer tests.
    ("My US number is (415) 555-0132, and my international one is +1 415 555 0132", "(415) 555-0132"),
    ("My US number is (415) 555-0132, and my international one is +1 415 555 0132", "+1 415 555 0132"),
    ("My Israeli number is 09-7625400", "09-7625400"),
    # National formats, no context word needed.
    ("Büro +49(0)1234 567890", "+49(0)1234 567890"),
    ("Büro (05555) 555555", "(05555) 555555"),
    ("bureau 01 42 68 53 00", "01 42 68 53 00"),
    ("+33 (0)1 42 68 53 00", "+33 (0)1 42 68 53 00"),
    ("+44(0)20 7946 0958", "+44(0)20 7946 0958"),
    ("Details: 07911 123456.", "07911 123456"),
    ("Details: 0301234567.", "0301234567"),  # with the trunk prefix
    ("Details: 9876543210.", "9876543210"),  # Indian mobile
    ("Details: 98765 43210.", "98765 43210"),  # grouped as India groups it (STRICT_GROUPING)
    ("Details: 13800138000.", "13800138000"),  # Chinese mobile
    ("Details: 138 0013 8000.", "138 0013 8000"),
    ("Details: 732 870 722.", "732 870 722"),  # Poland
    ("Details: 920 96 654.", "920 96 654"),  # Norway
    ("Details: 8 209 665 42 87.", "8 209 665 42 87"),  # Russia
    ("Details: (11) 91234-5678.", "(11) 91234-5678"),  # Brazil
    ("Details: (71)/742-9247.", "(71)/742-9247"),  # Hungary
    ("Details: +(370) 20966542.", "+(370) 20966542"),  # Lithuania, "+" before the bracket
    # International call prefixes (phonenumbers reads "00" and "011" as "+").
    ("Details: 0044 20 7946 0958.", "0044 20 7946 0958"),
    ("call 011 44 20 7946 0958", "011 44 20 7946 0958"),
    # Several numbers in one run of digits and separators.
    ("Berlin 030 901820 / 030 901821", "030 901820"),
    ("Berlin 030 901820 / 030 901821", "030 901821"),
    # Digits of other scripts.
    ("Phone: ০১৯১৪১৭৭৭৬৩", "০১৯১৪১৭৭৭৬৩"),
    ("电话：１３８００１３８０００", "１３８００１３８０００"),
    ("هاتف ٠٥٠١٢٣٤٥٦٧", "٠٥٠١٢٣٤٥٦٧"),
    # Next to brackets, dashes of other kinds, and other digits in the same run.
    ("Jo Bo (648-447-3097)", "648-447-3097"),
    ("Jo Bo (3288040723)", "3288040723"),
    ("Call 555–123–4567 today", "555–123–4567"),
    ("1.555.123.4567", "1.555.123.4567"),
    ("555/123-4567", "555/123-4567"),
    ("Springfield, IL 62704 1 (555) 123-4567", "1 (555) 123-4567"),
    ("London SW1A 2AA, 62704 020-7946-0958", "020-7946-0958"),
    ("since 1999 1.555.123.4567", "1.555.123.4567"),
    ("support 020-7946-0958 24/7", "020-7946-0958"),
    ("Hotline 030/901820 24/7", "030/901820"),
    # Other numbers in the same run of digits: a ZIP or PIN code before, a house number
    # after, a second number of a list, a card number before.
    ("Deborahberg, MD 45466 519-761-0562", "519-761-0562"),
    ("Kharagpur 235538 03860160097", "03860160097"),
    ("Lindsey Sanchez 193-466-5462 273 Courtney Ports", "193-466-5462"),
    ("Frances Morgan 0131 496 0031 6 Sykes Roads", "0131 496 0031"),
    ("Tel 057 090 536 / (895)587-4734", "057 090 536"),
    ("Tel 057 090 536 / (895)587-4734", "(895)587-4734"),
    ("2708275595365965 07303/61397912", "07303/61397912"),
    # A seven-digit local number with its extension; two groups after a trunk "0".
    ("678-3970x68264", "678-3970x68264"),
    ("059-943014;", "059-943014"),
    # Context words; a phone noun before "ID" is still a phone, and so is a number that
    # a sentence only mentions near a card or an account.
    ("Tél : 06 12 34 56 78", "06 12 34 56 78"),
    ("Handy 0171 1234567", "0171 1234567"),
    ("Llame al 912 345 678.", "912 345 678"),
    ("ph: 98765 43210", "98765 43210"),
    ("tel.555-123-4567", "555-123-4567"),
    ("Caller ID: 555-123-4567", "555-123-4567"),
    ("Customer: 555-123-4567", "555-123-4567"),
    ("The number on the card is 0301234567.", "0301234567"),
    ("Update the phone number on my account to 0301 234567.", "0301 234567"),
    ("My smartphone number is 0044 20 7946 0958", "0044 20 7946 0958"),
    ("Kontaktnummer: 00830 185262", "00830 185262"),
    ("I would like to stop receiving messages to 445 6271", "445 6271"),
    # Six digits (Greenland, the Faroes, local numbers) right after a context word.
    ("Tel: 32 17 77", "32 17 77"),
    ("You can reach her on 842330 after 5pm.", "842330"),
    # Short national numbers (Estonia, Iceland, Tunisia, Greenland) with the word after them,
    # as signatures write them, or after a context word of their own.
    ("Anna Berg\n321 2345 office\n410 1234 fax", "321 2345"),
    ("Anna Berg\n321 2345 office\n410 1234 fax", "410 1234"),
    ("Main Street 4, Springfield\n30 010 123-Office, 30 010 124-Fax", "30 010 123"),
    ("Main Street 4, Springfield\n30 010 123-Office, 30 010 124-Fax", "30 010 124"),
    ("Reach me at home on weekdays: 5123 4567 (mobile).", "5123 4567"),
    ("Anna Berg\n32 10 00 mobile", "32 10 00"),
    ("They're not answering at 321 2345", "321 2345"),
    ("Mobile: 0171 1234567\nDesk: 32 10 00", "32 10 00"),
])
def test_phone_writings_found(text, value):
    assert value in found(PhoneDetector(), text), found(PhoneDetector(), text)


@pytest.mark.parametrize("text", [
    # Dates and times.
    "07 10 1971", "20230611", "at 1993-01-04 14:56:41", "23.03.1940 14:30", "14:30",
    # Amounts.
    "$1,234,567.89", "567 083 557 €", "598.686.270 EUR", "38585930114 USD", "12 345 678 people",
    "call me at 12 345 678 €",
    # Decimals, coordinates, figures.
    "16003.900002", "72.922201, -43.078973", "The figures were 46.3 35.8 23.2 9.5",
    # Postal codes, ISBNs, card and account fragments, years.
    "TN 57197-1844", "978-1-159-46129-4", "0-689-51097-7", "8123-5531-2603", "**** **** **** 1234",
    "1955 1910 1987", "in 2011-2012", "4111 1111 1111 1112",
    # Codes, and numbers named as something else.
    "INV-1699-618531", "c1e5a799-f94e-4cf2-a65d-877533605295", "order no. 555-123-4567", "Order #: 415-555-0132",
    "account number 0123456789", "ISBN 0689510977", "Kontonummer 0123456789", "customer number 0301234567",
    "订单号13800138000", "My account number is 4533314789", "my order number is 212-555-0100",
    # Bare digits without context: eight or nine (driver's licences, SSNs, routing numbers).
    "373936414", "28576388", "ABA 074596171", "ref 1234567", "order 12345",
    # Six digits: without a context word right before, a date, an amount.
    "32 17 77", "Contact us at our office, 12 MG Road, Mumbai 400001", "Please call me on 12.03.21",
    "Phone bill: 123,456", "call me about the 250000 €",
    "Registered in England and Wales. Company No. 01234567",
    # A count before a word that names a line elsewhere: the phrase goes on.
    "They sold 12 345 678 mobile phones last year.", "a staff of 51234567 office workers",
])
def test_phone_look_alikes_ignored(text):
    assert found(PhoneDetector(), text) == []


def test_phone_announced_by_a_context_word_of_any_length():
    assert found(PhoneDetector(), "Rufen Sie 00830 185262 an.") == ["00830 185262"]  # no plan accepts it
    assert found(PhoneDetector(), "00830 185262") == []


def test_dates_and_card_numbers_keep_their_type_next_to_phones():
    text = "born 1993-01-04 14:56:41, card 4111 1111 1111 1111, call +44 20 7946 0958"
    assert [span.type for span in detect(text)] == ["DATE", "CREDIT_CARD", "PHONE"]


@pytest.mark.parametrize("text, phone", [
    ("Deborahberg, MD 45466 519-761-0562", "519-761-0562"),  # not a card "45466 519-761-0562"
    ("Mr Josh Walker +44(0)306 999 0198 204 Jack Shore", "+44(0)306 999 0198"),  # nor "306 999 0198 204"
    ("SSN 288-70-4722, phone +44(0)289018937", "+44(0)289018937"),  # nor an SSN "289018937"
])
def test_phone_next_to_other_digits_is_not_taken_for_a_card_or_an_ssn(text, phone):
    assert (("PHONE", phone) in [(span.type, text[span.start:span.end]) for span in detect(text)])


@pytest.mark.parametrize("text, phone, address", [
    # National writings (Denmark, Hungary, New Zealand) next to a street: the last group is
    # not a house number.
    ("Anna Berg, 28-64-27-85, Main Street 4", "28-64-27-85", "Main Street"),
    ("Anna Berg, (88) 158-170, Main Street 4", "(88) 158-170", "Main Street"),
    ("Anna Berg, (022) 7929-466, Main Street 4", "(022) 7929-466", "Main Street"),
    # A whole phone number, then a house number of its own.
    ("Frances Morgan 0131 496 0031 6 Sykes Roads", "0131 496 0031", "6 Sykes Roads"),
])
def test_phone_before_a_street_keeps_its_last_group(text, phone, address):
    spans = [(span.type, text[span.start:span.end]) for span in detect(text)]
    assert ("PHONE", phone) in spans and ("ADDRESS", address) in spans, spans


@pytest.mark.parametrize("text", [
    "Wigan 4 3 1 0 9 4 10",  # a league table row
    "288 Jose Coceres ( Argentina ) 69 78 71 70",  # a golfer's four rounds
    "Rodney Eyles beat Derek Ryan 15-6 15-9 11-15 15-10 .",  # squash games
])
def test_rows_of_figures_are_not_phone_numbers(text):
    assert "PHONE" not in [span.type for span in detect(text)]


@pytest.mark.parametrize("text, phone", [
    ("Ring mig på tel. 69 78 71 70", "69 78 71 70"),  # pairs with a context word
    ("Appelez le 06 12 34 56 78 demain", "06 12 34 56 78"),  # pairs after a trunk 0
    ("Москва: 8 209 665 42 87", "8 209 665 42 87"),  # one group of one digit
])
def test_phone_numbers_written_in_pairs_or_with_one_short_group_are_still_found(text, phone):
    assert ("PHONE", phone) in [(span.type, text[span.start:span.end]) for span in detect(text)]
