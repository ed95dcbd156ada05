"""Street addresses in the writings of Europe and the Americas, India and China.

A floor, not a parser. An address starts from a street:

- a house number before a known street type ("12 Baker Street", "5, rue de la Paix");
- a street name before its house number, as most of Europe and Latin America write it, with a
  street type in it ("Hauptstraße 5", "Via Pisanelli 104", "ul. Elbląska 97", "Rákóczi út 66")
  or, for a bare name ("Tacuarembo 2365", "Družstevní 1163"), with another sign that it is one:
  a building number before it ("58 Tacuarembo 2365"), "Street" after it, or a flat after it;
- a post-office box ("P.O. Box 255"), a street corner ("the corner of Main Street and Elm
  Street"), US military mail, an Indian or a Chinese address.

The street grows by what goes with it: a building number or a flat in front ("Suite 12,
58 Via Pisanelli 104"), a flat after it, and a locality: "Springfield, IL 62701" on the same line
or the next ones, ", Springfield, Canada", a postcode and town, or after a flat the rest of its
line. Where the lines after a street are the parts of a postal block (a flat, a town, a region,
a country and postcode), the flat, the region and the postcode each become an address of their
own; the town and country are places, not addresses.
"""
import re

from faker.providers.address import Provider as WorldAddresses
from faker.providers.address.en import Provider as EnglishAddresses
from faker.providers.address.en_US import Provider as UsAddresses
from faker.providers.address.zh_CN import Provider as ChineseAddresses

from .base import Detector, Span, has_digit


def _alternatives(words):
    """A regex alternation of `words`, longest first, so that "Streets" is not cut to "Street"."""
    return "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))


# Capital letters of the Latin, Greek and Cyrillic scripts, for names written in them.
_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x530)) if c.isupper())
# A capitalised word: letters, and the dots, hyphens, apostrophes and slashes of names and
# their abbreviations ("Paul-Nevermann-Platz", "St.", "D'El", "C/"); no digit.
_NAME_WORD = rf"[{_UPPER}][^\s\d,;:!?()\"<>]*"
# Lower-case words inside a name: "Via delle Viole", "Carry van Bruggenweg", "Rečica ob Savinji".
_PARTICLES = ("de", "da", "do", "dos", "das", "del", "della", "delle", "dei", "degli", "di", "du", "des", "la",
              "le", "les", "van", "der", "den", "von", "vom", "zum", "zur", "am", "an", "im", "e", "y", "i", "och",
              "og", "na", "pod", "ob", "pri", "el", "en", "sur", "t")
_PARTICLE = rf"(?:{_alternatives(_PARTICLES)})\b"

# USPS street suffixes (Faker ships the list), common abbreviations, Indian street types.
_INDIAN_STREET_TYPES = ("Nagar", "Marg", "Chowk", "Ganj", "Path", "Zila", "Colony", "Layout", "Mohalla")
_EN_STREET_TYPE = "(?:" + _alternatives(
    set(UsAddresses.street_suffixes)
    | {"St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Ct", "Pl", "Sq", "Hwy", "Pkwy", "Ter", "Cres", "Cl", "Gdns", "Str"}
    | set(_INDIAN_STREET_TYPES)
) + r")\b\.?"
_CAPITALISED_WORD = r"[A-Z][\w'’.-]*"
_UNIT_WORD = r"(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?|Room|Studio)"
_UNIT = rf"(?:,?[ \t]+(?:{_UNIT_WORD}|#)[ \t]*#?[\w-]+)"
_LINE_BREAK = r"(?:,[ \t]*\n?[ \t]*|[ \t]*\n[ \t]*)"
_TOWN = rf"{_CAPITALISED_WORD}(?:[ \t-]{_CAPITALISED_WORD}){{0,2}}"
UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}\b"
US_ZIP = r"\d{5}(?:-\d{4})?\b"

# A house number first: "12 Baker Street", "H.No. 5 Gandhi Marg", "5, rue de la Paix" (below).
ENGLISH_STREET = re.compile(
    r"(?<![\w/])(?:(?:H\.?[ \t]?No\.?|House[ \t]No\.?|Plot[ \t]No\.?)[ \t]*)?"
    r"\d{1,6}(?:[A-Za-z]\b|[-/]\d{1,4})?,?[ \t]+"
    rf"(?:(?:{_CAPITALISED_WORD}|\d+(?:st|nd|rd|th))[ \t]+){{0,3}}?"
    rf"(?:{_CAPITALISED_WORD}[ \t]+)?{_EN_STREET_TYPE}"
)

# Street types of Europe and Latin America that come first ("Via Roma", "ul. Biała"), and the
# endings (or separate words) that come last ("Parijsstraat", "Opplands gate", "Bécsi utca").
_PREFIX_STREET_TYPES = (
    "via", "viale", "piazza", "piazzale", "corso", "largo", "vicolo", "strada", "discesa", "salita", "contrada",
    "lungomare", "borgo", "rua", "r", "rúa", "avenida", "av.", "avda.", "calle", "c/", "ctra.", "carretera",
    "plaza", "plazuela", "paseo", "camino", "travesía", "ronda", "carrer", "passeig", "avinguda", "estrada",
    "travessa", "praça", "alameda", "rodovia", "ul.", "al.", "pl.", "os.", "trg", "λ.", "λεωφ.", "λεωφόρος",
    "οδός", "πλατεία", "rue", "r.", "avenue", "boulevard", "bd", "chemin", "chaussée", "place", "quai", "allée",
    "impasse", "route", "cours", "passage", "square",
)
_SUFFIX_STREET_TYPES = (
    "straat", "weg", "laan", "plein", "gracht", "kade", "dijk", "singel", "steenweg", "dreef", "strasse",
    "straße", "str.", "gasse", "platz", "allee", "ufer", "damm", "chaussee", "vej", "gade", "stræde", "plads",
    "vænget", "vei", "veien", "vegen", "gata", "gate", "gatan", "vägen", "väg", "braut", "stræti", "straeti",
    "stígur", "vegur", "katu", "tie", "kuja", "polku", "utca", "út", "u.", "körút", "tér", "rakpart", "fasor",
    "ulica", "cesta", "tänav", "põik", "maantee", "puiestee",
)
_STREET_TYPE_WORD = re.compile(rf"(?:{_alternatives(_PREFIX_STREET_TYPES + _SUFFIX_STREET_TYPES)})\Z",
                               re.IGNORECASE)
_STREET_TYPE_ENDING = re.compile(rf"\w(?:{_alternatives(_SUFFIX_STREET_TYPES)})\Z", re.IGNORECASE)
_LOWER_STREET_WORD = rf"(?:{_alternatives(w for w in _PREFIX_STREET_TYPES + _SUFFIX_STREET_TYPES if w.islower())})"
# A street name, then its house number: up to six words, the first capitalised or a street
# type ("rue", "πλατεία"); the number not part of a larger one ("Windows 7.1", "EUR 12,5").
NAME_FIRST_STREET = re.compile(
    rf"(?<![\w.-])(?P<name>(?:{_NAME_WORD}|{_LOWER_STREET_WORD}(?=[ \t]))"
    rf"(?:[ \t]+(?:{_NAME_WORD}|{_PARTICLE}|{_LOWER_STREET_WORD}(?=[ \t]))){{0,5}})"
    r"[ \t]+(?P<number>\d{1,4}[A-Za-z]?)(?![\w%]|[.,]\d)"
)
# Signs that a bare name before a number is a street: "Street" after it, or a flat.
STREET_WORD_AFTER = re.compile(r"[ \t]+(?:[Ss]treet|St\.)")
UNIT_AFTER = re.compile(_UNIT)
BUILDING_NUMBER_BEFORE = re.compile(r"(?<![\w.,/-])(?P<number>\d{1,5})[ \t]+\Z")
UNIT_BEFORE = re.compile(rf"(?<![\w.-]){_UNIT_WORD}[ \t]*#?\d[\w-]*,?[ \t]+\Z")
YEAR = re.compile(r"(?:19|20)\d\d\Z")

PO_BOX = re.compile(r"\b(?:P\.?[ \t]?O\.?[ \t]?Box|Post[ \t]?[Oo]ffice[ \t][Bb]ox|Postbox)[ \t]*#?\d{1,6}\b")

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

# --- what follows a street ------------------------------------------------------------
# A town: capitalised words, with the particles and district numbers of town names
# ("Carmignano Di Brenta", "Rečica ob Savinji", "Ostrava 3", "KRISTIANSAND S").
_PLACE = rf"{_NAME_WORD}(?:[ \t-](?:{_NAME_WORD}|{_PARTICLE}|\d{{1,2}}\b)){{0,3}}"
_COUNTRIES = set(WorldAddresses.countries) | set(EnglishAddresses.countries)
_REGION_NAME = rf"(?:{_alternatives(_COUNTRIES | set(UsAddresses.states))})"
_REGION_CODE = r"[A-Z]{2,3}\b"  # "IL", "NSW"
_POSTCODE = rf"(?:{US_ZIP}|{UK_POSTCODE}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d\b|\d{{4}}[ \t]?[A-Z]{{2}}\b|\d{{3}}[ \t]\d{{2}}\b" \
            r"|\d{4}-\d{3}\b|\d{2}-\d{3}\b|\d{5}-\d{3}\b|\d{4}\b)"
LOCALITIES = (
    # "\nSpringfield, IL 62701", ", Springfield\n, IL\n 62701", "... IL\n Canada 62701": US and Canada.
    ("en_US", re.compile(
        rf"{_LINE_BREAK}{_PLACE}(?:,[ \t]*|[ \t]*\n[ \t]*,[ \t]*|[ \t]+){_REGION_CODE}"
        rf"(?:[ \t]*\n?[ \t]*{_REGION_NAME})?[ \t]*\n?[ \t]*(?:{US_ZIP}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d\b)")),
    ("en_GB", re.compile(rf"(?:{_LINE_BREAK}{_TOWN})?{_LINE_BREAK}{UK_POSTCODE}")),
    ("en_IN", re.compile(rf"{_LINE_BREAK}{_TOWN}(?:-|[ \t])\d{{6}}\b")),
    # ", Lyon, France", ", Springfield, Illinois 62701": a town, then a country or a state.
    ("", re.compile(rf",[ \t]*{_PLACE},[ \t]*{_REGION_NAME}\b(?:[ \t]+{_POSTCODE})?")),
    # ", 10115 Berlin", "\n75002 Paris": a postcode and town.
    ("", re.compile(rf"{_LINE_BREAK}(?:\d{{4,5}}|\d{{2}}-\d{{3}}|\d{{3}}[ \t]\d{{2}})[ \t]+{_PLACE}")),
)
# After a flat, the rest of its line names the town and region: "... Suite 717 Bremen Arbergen HB".
REST_OF_LINE = re.compile(rf"[ \t]+{_PLACE}(?:[ \t]+(?:{_REGION_NAME}\b|{_REGION_CODE}))?")
# The lines of a postal block after its street: "\n Apt. 856\n Reykjavík\n Iceland 30124", each
# after an optional quotation mark ("> ").
BLOCK_LINE = re.compile(r"[ \t]*\n[ \t>?]*(?P<line>[^\n]*)")
BLOCK_UNIT = re.compile(rf"(?:{_UNIT_WORD}|#)[ \t]*#?\d[\w-]*\Z", re.IGNORECASE)
BLOCK_POSTCODE = re.compile(rf"(?:\A|(?<=[ \t])){_POSTCODE}\Z")
BLOCK_REGION = re.compile(r"[A-Z]{2,3}\Z")
BLOCK_PLACE = re.compile(rf"{_PLACE}\Z")
BLOCK_LINES = 4

# "the corner of Main Street and Elm Street": one place.
_CORNER_STREET = rf"{_NAME_WORD}(?:[ \t]+(?:{_NAME_WORD}|{_PARTICLE}|\d{{1,4}}\b)){{0,5}}"
STREET_CORNER = re.compile(rf"\b[Cc]orner[ \t]+of[ \t]+(?:the[ \t]+)?(?P<streets>{_CORNER_STREET}[ \t]+and[ \t]+{_CORNER_STREET})")

# A postcode after its label: "My zip code is 94105", "ZIP: 94105-1234", "Postcode: 10115".
LABELLED_POSTCODE = re.compile(
    rf"\b(?i:zip(?:[ \t]?code)?|postal[ \t]code|post[ \t]?code)(?:[ \t]+is)?[ \t]*[:#]?[ \t]*(?P<code>{_POSTCODE})")

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
            for m in ENGLISH_STREET.finditer(text):
                spans.extend(_street(text, m.start(), m.end(), 0.7, _english_locale(m.group())))
            for m in NAME_FIRST_STREET.finditer(text):
                spans.extend(_name_first_street(text, m))
            lowered = text.lower()  # substring checks are far cheaper than the full patterns
            if "box" in lowered:
                spans.extend(span for m in PO_BOX.finditer(text) for span in _street(text, *m.span(), 0.7, ""))
            if "PO A" in text:
                spans.extend(_spans(US_MILITARY_ADDRESS, text, 0.8, "en_US"))
            if "zip" in lowered or "post" in lowered:
                spans.extend(Span("ADDRESS", *m.span("code"), 0.7, "") for m in LABELLED_POSTCODE.finditer(text))
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
        if "orner" in text:
            spans.extend(Span("ADDRESS", *m.span("streets"), 0.7, "") for m in STREET_CORNER.finditer(text)
                         if has_digit(m.group("streets")) or ENGLISH_STREET_TYPE_AT_END.search(m.group("streets")))
        if not text.isascii() and CHINESE_STREET_WORD.search(text):
            for m in CHINESE_ADDRESS.finditer(text):
                # A street name alone ("长寿路") is too little; a region or a house number makes it an address.
                if m.group("region") or m.group("number"):
                    spans.append(Span("ADDRESS", _chinese_address_start(text, m), m.end(), 0.7, "zh_CN"))
        return spans


ENGLISH_STREET_TYPE_AT_END = re.compile(rf"{_EN_STREET_TYPE}\Z")


def _name_first_street(text, match):
    """A street written name first: typed, or bare with a sign that it is a street."""
    words = match.group("name").split()
    typed = [i for i, word in enumerate(words) if _STREET_TYPE_WORD.match(word) or _STREET_TYPE_ENDING.search(word)]
    start, end = match.start(), match.end()
    if typed:
        first = typed[0]
        if _STREET_TYPE_WORD.match(words[first]) and words[first].lower() in _PREFIX_TYPES_LOWER:
            start = match.start("name") + _offset_of_word(match.group("name"), first)
        elif first > 3:  # at most three words of name before the type ("Dronning Åsas vei")
            start = match.start("name") + _offset_of_word(match.group("name"), first - 3)
        return _street(text, start, end, 0.7, _european_locale(words[first]))
    before = BUILDING_NUMBER_BEFORE.search(text, max(0, start - 8), start)
    if (before and not YEAR.match(before.group("number"))) \
            or STREET_WORD_AFTER.match(text, end) or UNIT_AFTER.match(text, end):
        return _street(text, start, end, 0.65, "")
    return []


_PREFIX_TYPES_LOWER = frozenset(_PREFIX_STREET_TYPES)


def _offset_of_word(name, index):
    return [m.start() for m in re.finditer(r"\S+", name)][index]


def _street(text, start, end, score, locale):
    """The address spans of a street at text[start:end], grown by what goes with it."""
    if AFTER_A_DIGIT_GROUP.search(text, max(0, start - 2), start):
        score = DOUBTFUL_HOUSE_NUMBER_SCORE
    else:
        unit = UNIT_BEFORE.search(text, max(0, start - 16), start)
        number = BUILDING_NUMBER_BEFORE.search(text, max(0, (unit.start() if unit else start) - 8),
                                               unit.start() if unit else start)
        if number and not AFTER_A_DIGIT_GROUP.search(text, max(0, number.start() - 2), number.start()):
            start = number.start()
        if unit:
            start = min(start, unit.start())
    unit = UNIT_AFTER.match(text, end)
    if unit:
        end = unit.end()
    for kind, pattern in LOCALITIES:
        locality = pattern.match(text, end)
        if locality:
            return [Span("ADDRESS", start, locality.end(), max(score, 0.75), locale or kind)]
    if unit:
        rest = REST_OF_LINE.match(text, end)
        if rest:
            end = rest.end()
    return [Span("ADDRESS", start, end, score, locale), *_block_parts(text, end, score)]


def _block_parts(text, end, score):
    """The flat, region and postcode among the lines after a street, while they read as a postal block."""
    parts = []
    for _ in range(BLOCK_LINES):
        line = BLOCK_LINE.match(text, end)
        if not line:
            break
        value, at = line.group("line").rstrip(" \t.,"), line.start("line")
        postcode = BLOCK_POSTCODE.search(value)
        if BLOCK_UNIT.match(value) or BLOCK_REGION.match(value):
            parts.append(Span("ADDRESS", at, at + len(value), score, ""))
        elif postcode and (postcode.start() == 0 or BLOCK_PLACE.match(value[:postcode.start()].rstrip())):
            parts.append(Span("ADDRESS", at + postcode.start(), at + postcode.end(), score, ""))
            break
        elif not BLOCK_PLACE.match(value):
            break
        end = at + len(value)
    return parts


def _spans(pattern, text, score, locale):
    return [Span("ADDRESS", m.start(), m.end(), score, locale) for m in pattern.finditer(text)]


def _chinese_address_start(text, match):
    province = CHINESE_PROVINCE.search(text, match.start(), match.end())
    if province:
        return province.start()
    labels = list(CHINESE_ADDRESS_LABEL.finditer(text, match.start(), match.end()))
    return labels[-1].end() if labels else match.start()


def _english_locale(value):
    if value.startswith(("H", "Plot")) or any(kind in value for kind in _INDIAN_STREET_TYPES):
        return "en_IN"
    return ""


def _european_locale(street_type):
    lowered = street_type.lower()
    if any(lowered.endswith(ending) for ending in _DE_STREET_HINTS):
        return "de_DE"
    if lowered in _FR_STREET_HINTS:
        return "fr_FR"
    return ""
