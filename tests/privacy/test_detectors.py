"""One test family per detector: values it must find, look-alikes it must leave alone."""
import pytest
from stdnum.cn import ric

from privacy.detectors import detect
from privacy.detectors.addresses import AddressDetector
from privacy.detectors.dates import DateDetector
from privacy.detectors.financial import CreditCardDetector, IbanDetector
from privacy.detectors.internet import EmailDetector, IpAddressDetector, UrlDetector
from privacy.detectors.names import PersonDetector
from privacy.detectors.national_id import CnResidentIdDetector, UsSsnDetector
from privacy.detectors.phone import PhoneDetector


def found(detector, text):
    return [(span.type, text[span.start:span.end]) for span in detector.detect(text)]


def assert_finds(detector, text, value):
    kinds = detector.entity_types
    assert (kinds[0], value) in found(detector, text), found(detector, text)


@pytest.mark.parametrize("text, value", [
    ("write to jane.doe+tag@mail.example.co.uk today", "jane.doe+tag@mail.example.co.uk"),
    ("邮箱wang@example.cn，谢谢", "wang@example.cn"),
    ("(bob@example.com)", "bob@example.com"),
])
def test_email_found(text, value):
    assert_finds(EmailDetector(), text, value)


@pytest.mark.parametrize("text", ["foo@bar", "user@localhost", "an @ sign", "a@b.c"])
def test_email_look_alikes_ignored(text):
    assert found(EmailDetector(), text) == []


@pytest.mark.parametrize("text, value", [
    ("see https://example.com/path?q=1.", "https://example.com/path?q=1"),
    ("visit www.example.org today", "www.example.org"),
    ("shop at shop.example.de", "shop.example.de"),
    ("(http://x.example/a_(b))", "http://x.example/a_(b)"),
])
def test_url_found(text, value):
    assert_finds(UrlDetector(), text, value)


@pytest.mark.parametrize("text", ["The end.It was late", "version 1.2 is out", "mail bob@example.com"])
def test_url_look_alikes_ignored(text):
    assert found(UrlDetector(), text) == []


@pytest.mark.parametrize("text, value", [
    ("from 192.168.0.1.", "192.168.0.1"),
    ("v6 2001:db8::8a2e:370:7334 here", "2001:db8::8a2e:370:7334"),
    ("loopback ::1 and fe80::1", "fe80::1"),
])
def test_ip_found(text, value):
    assert_finds(IpAddressDetector(), text, value)


@pytest.mark.parametrize("text", ["999.1.1.1", "at 14:56:41", "1.2.3", "2001:db8:::1"])
def test_ip_look_alikes_ignored(text):
    assert found(IpAddressDetector(), text) == []


@pytest.mark.parametrize("text, value", [
    ("call +1 (650) 253-0000 now", "+1 (650) 253-0000"),  # US
    ("office (650) 253-0000", "(650) 253-0000"),  # US, national format
    ("London +44 20 7946 0958", "+44 20 7946 0958"),  # UK
    ("Berlin 030 901820", "030 901820"),  # Germany
    ("Paris 01 42 68 53 00", "01 42 68 53 00"),  # France
    ("mobile +91 98765 43210", "+91 98765 43210"),  # India
    ("手机138 0013 8000", "138 0013 8000"),  # China
    ("call me on 0068872995", "0068872995"),  # unknown to every plan, but announced
])
def test_phone_found(text, value):
    assert_finds(PhoneDetector(), text, value)


@pytest.mark.parametrize("text", [
    "order 12345",
    "The figures were 46.3 35.8 23.2 9.5",
    "in 2011-2012",
    "4111 1111 1111 1112",
    "ref 1234567",
])
def test_phone_look_alikes_ignored(text):
    assert found(PhoneDetector(), text) == []


@pytest.mark.parametrize("value", [
    "4111 1111 1111 1111",  # Visa, grouped
    "4111-1111-1111-1111",
    "5555555555554444",  # Mastercard
    "2223003122003222",  # Mastercard 2-series
    "378282246310005",  # Amex, 15 digits
    "6011 1111 1111 1117",  # Discover
    "3782 822463 10005",  # Amex, 4-6-5
    "4222 2222 2222 2",  # Visa, 13 digits
])
def test_credit_card_found(value):
    assert_finds(CreditCardDetector(), f"paid with {value}.", value)


@pytest.mark.parametrize("text", [
    "4111 1111 1111 1112",  # Luhn fails
    "0000 0000 0000 0000",
    "+49 4111 1111 1111 1111",  # a phone-like prefix
    "9111111111111111",  # no issuer starts with 9... and Luhn would not save it
    "4111 1111-1111 1111",  # mixed separators
    "4111111 111111111",  # not how cards print their number (fours, or 4-6-5)
])
def test_credit_card_look_alikes_ignored(text):
    assert found(CreditCardDetector(), text) == []


@pytest.mark.parametrize("text, value", [
    ("IBAN DE89 3704 0044 0532 0130 00.", "DE89 3704 0044 0532 0130 00"),
    ("GB82WEST12345698765432", "GB82WEST12345698765432"),
    ("FR1420041010050500013M02606", "FR1420041010050500013M02606"),
    ("DE89370400440532013000 is mine", "DE89370400440532013000"),
    ("DE89 3704 0044 0532 0130 00 is mine", "DE89 3704 0044 0532 0130 00"),
    ("账号DE89370400440532013000。", "DE89370400440532013000"),
])
def test_iban_found(text, value):
    assert_finds(IbanDetector(), text, value)


def test_iban_with_bad_checksum_is_nothing():
    text = "IBAN DE89 3704 0044 0532 0130 01"
    assert found(IbanDetector(), text) == []
    assert detect(text) == []  # and its digits are not taken for a card or a phone


@pytest.mark.parametrize("text, value", [
    ("SSN 536-22-8726.", "536-22-8726"),
    ("ssn: 536 22 8726", "536 22 8726"),
    ("social security number 536228726", "536228726"),
])
def test_us_ssn_found(text, value):
    assert_finds(UsSsnDetector(), text, value)


@pytest.mark.parametrize("text", [
    "000-12-3456", "666-12-3456", "912-34-5678", "536-22-0000",  # invalid area, group or serial
    "536228726",  # nine digits with no SSN context
    "536-22 8726",  # mixed separators
])
def test_us_ssn_look_alikes_ignored(text):
    assert found(UsSsnDetector(), text) == []


def _cn_id(body17):
    return body17 + ric.calc_check_digit(body17 + "0")


def test_cn_resident_id_found():
    assert_finds(CnResidentIdDetector(), "身份证号11010519491231002X。", "11010519491231002X")
    assert_finds(CnResidentIdDetector(), "id 11010519491231002x", "11010519491231002x")


@pytest.mark.parametrize("number", [
    "110105194912310021",  # wrong check digit
    _cn_id("11010519491332002"),  # month 13, right check digit
    _cn_id("11010519490230002"),  # 30 February
    _cn_id("11010521990101002"),  # born in the future
])
def test_cn_resident_id_look_alikes_ignored(number):
    assert found(CnResidentIdDetector(), number) == []


@pytest.mark.parametrize("text, value", [
    ("born March 23, 1940 in", "March 23, 1940"),
    ("born 3/23/1940", "3/23/1940"),
    ("am 23.03.1940 geboren", "23.03.1940"),
    ("at 1993-01-04 14:56:41", "1993-01-04 14:56:41"),
    ("né le 23 mars 1940", "23 mars 1940"),
    ("geboren am 5. März 1961", "5. März 1961"),
    ("1990年3月23日出生", "1990年3月23日"),
    ("on Monday, 23rd of March, 1940", "Monday, 23rd of March, 1940"),
])
def test_date_found(text, value):
    assert_finds(DateDetector(), text, value)


@pytest.mark.parametrize("text", ["13/13/2020", "version 1.2.3", "you may 2 times", "14:56"])
def test_date_look_alikes_ignored(text):
    assert found(DateDetector(), text) == []


@pytest.mark.parametrize("text, value", [
    ("lives at 896 Wilcox Ranch, West Dillonfurt, KY 31489.", "896 Wilcox Ranch, West Dillonfurt, KY 31489"),
    ("10 Downing Street, London, SW1A 2AA", "10 Downing Street, London, SW1A 2AA"),
    ("wohnt in der Hauptstraße 5, 10115 Berlin.", "Hauptstraße 5, 10115 Berlin"),
    ("habite au 5, rue de la Paix, 75002 Paris.", "5, rue de la Paix, 75002 Paris"),
    ("H.No. 698, Sandal, Nagercoil-034081", "H.No. 698, Sandal, Nagercoil-034081"),
    ("我住在上海市浦东新区世纪大道100号。", "上海市浦东新区世纪大道100号"),
])
def test_address_found(text, value):
    assert_finds(AddressDetector(), text, value)


@pytest.mark.parametrize("text", ["I have 3 Dogs", "Spring 2021 was warm", "他走在长寿路上", "la rue Victor Hugo"])
def test_address_look_alikes_ignored(text):
    assert found(AddressDetector(), text) == []


@pytest.mark.parametrize("text, value", [
    ("Dr. Mikolčić will see you", "Mikolčić"),
    ("mrs. Smith called", "Smith"),
    ("My name is Jane Doe.", "Jane Doe"),
    ("Thanks,\nRegards,\nTamara", "Tamara"),
    ("Tamara Jones joined", "Tamara Jones"),
    ("Frank Harvey joined", "Frank Harvey"),
    ("Ludwig van Beethoven wrote", "Ludwig van Beethoven"),
    ("je m'appelle Élodie Lefèvre", "Élodie Lefèvre"),
    ("我叫王伟，你好", "王伟"),
])
def test_person_found(text, value):
    assert_finds(PersonDetector(), text, value)


@pytest.mark.parametrize("text", ["Will you come?", "MS SharePoint", "Frank talk helps", "at 3 p.m. Finnish time"])
def test_person_look_alikes_ignored(text):
    assert found(PersonDetector(), text) == []


def test_structured_values_keep_their_own_type_after_resolution():
    text = "SSN 536-22-8726, card 4111 1111 1111 1111, born 23.03.1940, IBAN DE89370400440532013000"
    assert [span.type for span in detect(text)] == ["US_SSN", "CREDIT_CARD", "DATE", "IBAN"]


def test_escaped_line_breaks_separate_entities_and_keep_offsets():
    # Exports from JSON or code keep line breaks as the two characters backslash and "n".
    text = r"Anna Berg\nMobile: 5123 4567\n+44 20 7946 0958\tanna.berg@example.com"
    spans = [(span.type, text[span.start:span.end]) for span in detect(text)]
    assert ("PHONE", "5123 4567") in spans
    assert ("PHONE", "+44 20 7946 0958") in spans
    assert ("EMAIL", "anna.berg@example.com") in spans


@pytest.mark.parametrize("text, names", [
    ("Yorkshire 290 ( R. Kettleborough 108 , J.R. Smith 61 )", ["R. Kettleborough", "J.R. Smith"]),
    ("The U.S. Army said so; see section A. Introduction.", []),  # initials before a word, not a surname
])
def test_initials_before_a_surname_are_a_name(text, names):
    assert [text[s.start:s.end] for s in PersonDetector().detect(text)] == names
