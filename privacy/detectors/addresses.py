"""Street addresses in English (US, UK, India), German, French and Chinese conventions.

A floor, not a parser: a house number next to a known street type ("12 Baker Street",
"Hauptstraße 5", "5, rue de la Paix", "长寿路8号"), extended by a unit, a town and a
postcode when they follow.
"""
import re

from faker.providers.address.en_US import Provider as UsAddresses
from faker.providers.address.zh_CN import Provider as ChineseAddresses

from .base import Detector, Span, has_digit

# USPS street suffixes (Faker ships the list), common abbreviations, Indian street types.
_EN_STREET_TYPES = sorted(
    set(UsAddresses.street_suffixes)
    | {"St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Ct", "Pl", "Sq", "Hwy", "Pkwy", "Ter", "Cres", "Cl", "Gdns"}
    | {"Nagar", "Marg", "Chowk", "Ganj", "Path", "Zila", "Colony", "Layout", "Mohalla"},
    key=len,
    reverse=True,  # longest first, so "Streets" is not cut to "Street"
)
_EN_STREET_TYPE = "(?:" + "|".join(map(re.escape, _EN_STREET_TYPES)) + r")\b\.?"
_INDIAN_STREET_TYPES = ("Nagar", "Marg", "Chowk", "Ganj", "Path", "Zila", "Colony", "Layout", "Mohalla")
_CAPITALISED_WORD = r"[A-Z][\w'’.-]*"
_UNIT = r"(?:,?[ \t]+(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?|Room|Studio|#)[ \t]*#?[\w-]+)"
_LINE_BREAK = r"(?:,[ \t]*\n?[ \t]*|[ \t]*\n[ \t]*)"
_TOWN = rf"{_CAPITALISED_WORD}(?:[ \t-]{_CAPITALISED_WORD}){{0,2}}"
US_LOCALITY = rf"{_LINE_BREAK}{_TOWN},?[ \t]+[A-Z]{{2}}[ \t]+\d{{5}}(?:-\d{{4}})?"
UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}\b"
UK_LOCALITY = rf"(?:{_LINE_BREAK}{_TOWN})?{_LINE_BREAK}{UK_POSTCODE}"
INDIAN_LOCALITY = rf"{_LINE_BREAK}{_TOWN}(?:-|[ \t])\d{{6}}\b"

ENGLISH_ADDRESS = re.compile(
    r"(?<![\w/])(?:(?:H\.?[ \t]?No\.?|House[ \t]No\.?|Plot[ \t]No\.?)[ \t]*)?"
    r"\d{1,6}(?:[A-Za-z]\b|[-/]\d{1,4})?,?[ \t]+"
    rf"(?:(?:{_CAPITALISED_WORD}|\d+(?:st|nd|rd|th))[ \t]+){{0,3}}?"
    rf"(?:{_CAPITALISED_WORD}[ \t]+)?{_EN_STREET_TYPE}"
    rf"{_UNIT}?"
    rf"(?P<locality>(?P<us>{US_LOCALITY})|(?P<uk>{UK_LOCALITY})|(?P<india>{INDIAN_LOCALITY}))?"
)

_DE_TOWN = (
    r"(?:,[ \t]*|[ \t]*\n[ \t]*|[ \t]+)(?:D-)?\d{5}[ \t]+"
    r"[A-ZÄÖÜ][\wäöüß-]*(?:[ \t](?:an[ \t]der|am|im|[A-ZÄÖÜ][\wäöüß-]*)){0,2}"
)
# US military mail: "Unit 2036 Box 0018, DPO AA 66184", "USNS Miller, FPO AP 72700".
US_MILITARY_ADDRESS = re.compile(
    r"\b(?:Unit[ \t]\d{4}[ \t]Box[ \t]\d{4}|PSC[ \t]\d{4},?[ \t]Box[ \t]\d{4}|(?:USNS|USNV|USS|USCGC)[ \t][A-Z][\w-]+)"
    r",?[ \t\n]+[ADF]PO[ \t]A[AEP][ \t]\d{5}\b"
)

# A house number right after another group of digits may be a phone number's last group
# ("0660 475 13 89, Main Street"): the phone number's reading of it wins.
AFTER_A_DIGIT_GROUP = re.compile(r"[\d)][ \t.\-]$")  # "13 89", "(88) 158-170"
DOUBTFUL_HOUSE_NUMBER_SCORE = 0.5

# "Hauptstraße 5", "Berliner Straße 5", "Oda-Preiß-Weg 5". ("-ring" is left out: "Spring 2021".)
_DE_STREET_TYPES = "straße|strasse|str\\.|weg|allee|gasse|platz|damm|ufer|chaussee|steig|pfad|markt"
_DE_STREET_HINTS = tuple(_DE_STREET_TYPES.replace("\\", "").split("|")) + ("ring",)
GERMAN_ADDRESS = re.compile(
    r"(?<![\w-])(?:[A-ZÄÖÜ][\wäöüß.]*[- ]){0,3}"
    rf"(?:[A-ZÄÖÜ][\wäöüß]*(?:{_DE_STREET_TYPES})|(?:{_DE_STREET_TYPES.title()}))"
    r"[ \t]+\d{1,4}[ \t]?[a-zA-Z]?(?:[-/]\d{1,4})?(?!\w)"
    rf"(?:{_DE_TOWN})?"
)
# "-ring" streets ("Kaiserring 5") only with a postcode and town after them.
GERMAN_RING_ADDRESS = re.compile(
    r"(?<![\w-])(?:[A-ZÄÖÜ][\wäöüß.]*[- ]){0,3}(?:[A-ZÄÖÜ][\wäöüß]*ring|Ring)"
    rf"[ \t]+\d{{1,4}}[ \t]?[a-zA-Z]?(?:[-/]\d{{1,4}})?(?!\w){_DE_TOWN}"
)

_FR_TOWN = r"(?:,[ \t]*|[ \t]*\n[ \t]*|[ \t]+)\d{5}[ \t]+[A-ZÀ-Ý][\w'’-]*(?:[ \t-][A-ZÀ-Ýa-zà-ÿ][\w'’-]*){0,3}"
_FR_STREET_TYPES = "rue|avenue|av\\.|boulevard|bd|chemin|allée|allee|place|impasse|quai|route|cours|passage|square"
_FR_STREET_HINTS = tuple(_FR_STREET_TYPES.replace("\\", "").split("|"))
# A house number, or failing that a postcode and town after the street ("rue Didier, 81233 Torres").
FRENCH_ADDRESS = re.compile(
    r"(?:(?<![\w])(?P<number>\d{1,4})(?:[ \t]?(?:bis|ter))?,?[ \t]+|\b)"
    rf"(?i:{_FR_STREET_TYPES})[ \t]+"
    r"(?:(?:de[ \t]+la|de[ \t]+l'|des|du|de|la|le|l'|d')[ \t]*)?"
    r"[A-ZÀ-Ý][\w'’-]*(?:[ \t]+(?:de[ \t]+)?[A-ZÀ-Ý][\w'’-]*){0,3}"
    rf"(?P<town>{_FR_TOWN})?"
)

# "H.No. 698, Sandal, Nagercoil-034081", "518, Chanda, Muzaffarnagar 361481": with a PIN code.
INDIAN_ADDRESS = re.compile(
    r"(?<![\w/])(?:(?:H\.?[ \t]?No\.?|House[ \t]No\.?|Flat[ \t]No\.?|Plot[ \t]No\.?)[ \t]*)?\d{1,4}(?:/\d{1,4})?,"
    rf"(?:[ \t]+{_CAPITALISED_WORD}(?:[ \t]{_CAPITALISED_WORD}){{0,2}},){{1,2}}"
    rf"[ \t]+{_TOWN}(?:-|[ \t])\d{{6}}\b"
)

_HAN = r"\u4e00-\u9fff"
_PROVINCES = "|".join(sorted(ChineseAddresses.provinces, key=len, reverse=True))
_ZH_REGION = (
    rf"(?:(?:{_PROVINCES})(?:省|自治区|特别行政区|市)?)?"
    rf"(?:[{_HAN}]{{1,7}}?[市州盟])?(?:[{_HAN}]{{1,7}}?[区县旗])?"
)
CHINESE_ADDRESS = re.compile(
    rf"(?P<region>{_ZH_REGION})"
    rf"[{_HAN}\w]{{1,10}}?(?:大道|路|街|道|巷|胡同|弄)"
    rf"(?P<number>(?:[\w{_HAN}]{{0,6}}?(?:号|座|栋|幢|楼|室|单元))*)"
    r"(?:[ \t]?\d{6}(?!\d))?"
)
# Han text has no spaces, so the lazy region match can start a few characters early
# ("我住在上海市..."): an address starts at its province, else after a label such as 地址.
CHINESE_PROVINCE = re.compile(_PROVINCES)
# Cheap checks that spare the full patterns most texts: a Chinese address has a street
# word, an Indian one a six-digit PIN code.
CHINESE_STREET_WORD = re.compile(r"[路街道巷弄]|胡同")
PIN_CODE_DIGITS = re.compile(r"\d{6}")
CHINESE_ADDRESS_LABEL = re.compile(r"(?:家庭住址|通讯地址|地址|住址|地点|位于|住在|家住)[:：]?\s*")


class AddressDetector(Detector):
    entity_types = ("ADDRESS",)

    def detect(self, text):
        spans = []
        if has_digit(text):
            for m in ENGLISH_ADDRESS.finditer(text):
                score = 0.75 if m.group("locality") else 0.7
                if AFTER_A_DIGIT_GROUP.search(text, max(0, m.start() - 2), m.start()):
                    score = DOUBTFUL_HOUSE_NUMBER_SCORE
                spans.append(Span("ADDRESS", m.start(), m.end(), score, _english_locale(m)))
            if "PO A" in text:
                spans.extend(_spans(US_MILITARY_ADDRESS, text, 0.8, "en_US"))
            lowered = text.lower()  # substring checks are far cheaper than the full patterns
            if any(hint in lowered for hint in _DE_STREET_HINTS):
                spans.extend(_spans(GERMAN_ADDRESS, text, 0.7, "de_DE"))
                spans.extend(_spans(GERMAN_RING_ADDRESS, text, 0.7, "de_DE"))
            if any(hint in lowered for hint in _FR_STREET_HINTS):
                spans.extend(
                    Span("ADDRESS", m.start(), m.end(), 0.7, "fr_FR")
                    for m in FRENCH_ADDRESS.finditer(text)
                    if m.group("number") or m.group("town")
                )
            if PIN_CODE_DIGITS.search(text):
                spans.extend(_spans(INDIAN_ADDRESS, text, 0.75, "en_IN"))
        if not text.isascii() and CHINESE_STREET_WORD.search(text):
            for m in CHINESE_ADDRESS.finditer(text):
                # A street name alone ("长寿路") is too little; a region or a house number makes it an address.
                if m.group("region") or m.group("number"):
                    spans.append(Span("ADDRESS", _chinese_address_start(text, m), m.end(), 0.7, "zh_CN"))
        return spans


def _spans(pattern, text, score, locale):
    return [Span("ADDRESS", m.start(), m.end(), score, locale) for m in pattern.finditer(text)]


def _chinese_address_start(text, match):
    province = CHINESE_PROVINCE.search(text, match.start(), match.end())
    if province:
        return province.start()
    labels = list(CHINESE_ADDRESS_LABEL.finditer(text, match.start(), match.end()))
    return labels[-1].end() if labels else match.start()


def _english_locale(match):
    if match.group("uk"):
        return "en_GB"
    value = match.group()
    if match.group("india") or value.startswith(("H", "Plot")) or any(kind in value for kind in _INDIAN_STREET_TYPES):
        return "en_IN"
    return "en_US"
