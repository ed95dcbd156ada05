"""Locale-appropriate fake values that stay the same for the same original.

The Faker seed is `crypto.keyed_hash(type + normalised value, scope)`: the same value
gets the same fake everywhere in a project (and in every process, since the HMAC key
comes from settings), a different fake in another project, and nobody without the key
can run the mapping backwards.
"""
import datetime
import re
import string
import threading

from faker import Faker
from stdnum import iban

from . import crypto

SURROGATE_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "zh_CN", "en_IN")
DEFAULT_LOCALE = "en_US"
# Types whose fakes only exist in one locale's Faker.
FIXED_LOCALES = {"US_SSN": "en_US", "CN_RESIDENT_ID": "zh_CN"}
# Attempts at a fake that differs from the original before giving up and using the last.
_ATTEMPTS = 3

_per_thread = threading.local()  # Faker instances are reseeded per call: never share them between threads
_WHITESPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def surrogate(entity_type: str, value: str, *, scope: str, locale: str = "") -> str:
    """A fake of `entity_type` for `value`, stable for (value, scope)."""
    locale = FIXED_LOCALES.get(entity_type) or (locale if locale in SURROGATE_LOCALES else DEFAULT_LOCALE)
    make = GENERATORS.get(entity_type)
    if make is None:  # a type a plugged-in detector invented: no fake to offer
        return f"[{entity_type}]"
    digest = crypto.keyed_hash(f"{entity_type}\x00{normalise(entity_type, value)}", scope=scope)
    seed = int(digest[:16], 16)
    fake = _faker(locale)
    for attempt in range(_ATTEMPTS):
        fake.seed_instance(seed + attempt)
        replacement = make(fake, value)
        if replacement != value:
            break
    return replacement


def normalise(entity_type: str, value: str) -> str:
    """The form under which two spellings of one value count as the same value."""
    if entity_type in ("PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "CN_RESIDENT_ID"):
        return "".join(c for c in value if c.isalnum()).upper()
    return _WHITESPACE.sub(" ", value).strip().casefold()


def _faker(locale):
    fakers = getattr(_per_thread, "fakers", None)
    if fakers is None:
        fakers = _per_thread.fakers = {}
    if locale not in fakers:
        fakers[locale] = Faker(locale)
    return fakers[locale]


def _in_layout(characters, original):
    """`characters` poured into the original's grouping ("4111 1111 ..."), when they fit."""
    slots = [c for c in original if c.isalnum()]
    if len(slots) != len(characters):
        return characters
    replacement = iter(characters)
    return "".join(next(replacement) if c.isalnum() else c for c in original)


def _person(fake, value):
    if _HAN.search(value):
        return fake.name()
    if fake.locales == ["zh_CN"]:  # a romanised Chinese name in Latin text
        first, last = fake.first_romanized_name(), fake.last_romanized_name()
    else:
        first, last = fake.first_name(), fake.last_name()
    return first if len(value.split()) == 1 else f"{first} {last}"


def _credit_card(fake, value):
    digits = "".join(c for c in value if c.isdigit())
    return _in_layout(fake.credit_card_number(card_type=_card_type(digits)), value)


def _card_type(digits):
    if digits[0] == "4":
        return {13: "visa13", 19: "visa19"}.get(len(digits), "visa16")
    if digits[:2] in ("34", "37"):
        return "amex"
    if digits[:2] == "35":
        return "jcb16"
    if digits[:2] in ("30", "36", "38", "39"):
        return "diners"
    if digits[0] == "6":
        return "discover"
    return "mastercard"


def _iban(fake, value):
    """Same country and BBAN layout (letters stay letters, digits digits), fresh mod-97
    check digits. Country-internal check digits (a French RIB key, say) are not kept."""
    compact = value.replace(" ", "").upper()
    pick = fake.random.choice
    bban = "".join(pick(string.digits) if c.isdigit() else pick(string.ascii_uppercase) for c in compact[4:])
    country = compact[:2]
    fake_iban = country + iban.calc_check_digits(f"{country}00{bban}") + bban
    return _in_layout(fake_iban, value)


def _ip_address(fake, value):
    return fake.ipv6() if ":" in value else fake.ipv4_public()


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y",
    "%m-%d-%Y", "%d-%m-%Y", "%m/%d/%y", "%d/%m/%y", "%d.%m.%y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y",
    "%d %b %Y", "%B %Y", "%Y年%m月%d日",
)
_EARLIEST_DATE = datetime.datetime(1940, 1, 1)
_LATEST_DATE = datetime.datetime(2020, 12, 31)


def _date(fake, value):
    """A date written like the original when its layout is a common one."""
    for layout in _DATE_FORMATS:
        try:
            datetime.datetime.strptime(value, layout)
        except ValueError:
            continue
        return fake.date_time_between_dates(_EARLIEST_DATE, _LATEST_DATE).strftime(layout)
    return fake.date()


GENERATORS = {
    "PERSON": _person,
    "EMAIL": lambda fake, value: fake.safe_email(),  # example.org & co.: never a real mailbox
    "PHONE": lambda fake, value: fake.phone_number(),
    "CREDIT_CARD": _credit_card,
    "IBAN": _iban,
    "IP_ADDRESS": _ip_address,
    "URL": lambda fake, value: fake.url(),
    "US_SSN": lambda fake, value: _in_layout(fake.ssn().replace("-", ""), value),
    "CN_RESIDENT_ID": lambda fake, value: fake.ssn(),
    "DATE": _date,
    "ADDRESS": lambda fake, value: fake.address().replace("\n", ", "),
    "LOCATION": lambda fake, value: fake.city(),
    "ORGANIZATION": lambda fake, value: fake.company(),
}
