"""Street addresses in the writings of Europe and the Americas, India and China.

A floor, not a parser. An address starts from a street:

- a house number before a known street type ("12 Baker Street", "5, rue de la Paix");
- a street name before its house number, as most of Europe and Latin America write it, with a
  street type in it ("Hauptstraße 5", "Via Pisanelli 104", "ul. Elbląska 97", "Rákóczi út 66")
  or, for a bare name ("Tacuarembo 2365", "Družstevní 1163"), with another sign that it is one:
  a building number before it ("at 58 Tacuarembo 2365"), "Street" or a flat after it;
- a post-office box ("P.O. Box 255"), a street corner ("the corner of Main Street and Elm
  Street"), US military mail, an Indian or a Chinese address; a labelled postcode ("ZIP: 94105").

The street grows by what goes with it: a building number or a flat in front ("Suite 12,
58 Via Pisanelli 104"), a flat after it, and a locality: "Springfield, IL 62701" on the same line
or the next ones, ", Springfield, Canada", a postcode and town, or after a flat the rest of its
line. Where the lines after a street are the parts of a postal block (a flat, a town, a region,
a country and postcode), the flat, the region and the postcode each become an address of their
own; the town and country are places, not addresses.

A text all in lower case is read with its words capitalised, English streets then only with the
common street types ("12 main street", not "the 1950 treasure island").
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


# --- words -----------------------------------------------------------------------------
# Capital letters of the Latin, Greek and Cyrillic scripts, for names written in them.
_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x530)) if c.isupper())
# A capitalised word: letters, and the dots, hyphens, apostrophes and slashes of names and
# their abbreviations ("Paul-Nevermann-Platz", "St.", "D'El", "C/"); no digit.
_NAME_WORD = rf"[{_UPPER}][^\s\d,;:!?()\"<>]*"
_UNIT_WORD = r"(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?|Room|Studio|Appartamento|Puerta|Piso)"
# A capitalised word that is not a flat's ("Apt. 217" ends a street, it is no part of its name).
_NAME = rf"(?!{_UNIT_WORD}(?![a-z])){_NAME_WORD}"
_CAPITALISED_WORD = r"[A-Z][\w'’.-]*"
# Lower-case words inside a name: "Via delle Viole", "Carry van Bruggenweg", "Rečica ob Savinji".
_PARTICLES = ("de", "da", "do", "dos", "das", "del", "della", "delle", "dei", "degli", "di", "du", "des", "la",
              "le", "les", "van", "der", "den", "von", "vom", "zum", "zur", "am", "an", "im", "e", "y", "i", "och",
              "og", "na", "pod", "ob", "pri", "el", "en", "sur", "t", "u", "nad", "à", "au", "aux")
_PARTICLE = rf"(?:{_alternatives(_PARTICLES)})\b"
# English words that a title capitalises and no street name holds: "5 Musicians Of The 70s",
# and lower-case text read capitalised ("stuart little 2 is a light ...").
_TITLE_CASE_WORDS = frozenset((
    "The", "Of", "And", "Or", "But", "For", "To", "On", "At", "By", "With", "From", "As", "If", "So", "Than", "A",
    "Is", "Are", "Was", "Were", "Be", "It", "I", "You", "He", "She", "We", "They", "Your", "My", "Our", "Their",
    "His", "Her", "Its", "This", "That", "These", "Those", "Not", "No", "All", "Top", "Best", "Only", "Just",
))
_FUNCTION_WORDS = frozenset(word.lower() for word in _TITLE_CASE_WORDS) | {"in", "an", "into", "near"}
_CALENDAR_WORDS = frozenset((
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
))
# Words after which a building number may open an address: "lives at 58 ...", "is 58 ...".
_ADDRESS_CUES = frozenset(("at", "to", "in", "on", "is", "of", "and", "with", "from", "address"))

# --- street types ----------------------------------------------------------------------
# USPS street suffixes (Faker ships the list), other English ones, abbreviations, Indian types.
_INDIAN_STREET_TYPES = ("Nagar", "Marg", "Chowk", "Ganj", "Path", "Zila", "Colony", "Layout", "Mohalla")
_EN_STREET_TYPE = "(?:" + _alternatives(
    set(UsAddresses.street_suffixes)
    | {"Boulevard", "Close", "Rise", "Parade", "Esplanade", "Quay", "Wharf"}
    | {"St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Ct", "Pl", "Sq", "Hwy", "Pkwy", "Ter", "Cres", "Cl", "Gdns"}
    | {"Str", "str"}
    | set(_INDIAN_STREET_TYPES)
) + r")\b\.?"
# Without capitals to go by, only the common street types count: "5 minute walk", "the 1950
# treasure island" have a USPS suffix too.
_COMMON_EN_STREET_TYPE = (r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Highway|Hwy|Parkway"
                          r"|Pkwy|Terrace|Crescent|Place|Court|Way)\b\.?")
# Street types of Europe and Latin America that come first ("Via Roma", "ul. Biała")...
_PREFIX_STREET_TYPES = (
    "via", "viale", "piazza", "piazzale", "corso", "largo", "vicolo", "strada", "discesa", "salita", "contrada",
    "lungomare", "borgo", "rua", "r", "rúa", "avenida", "av.", "avda.", "calle", "c.", "c/", "ctra.", "carretera",
    "plaza", "plazuela", "paseo", "camino", "travesía", "ronda", "carrer", "passeig", "avinguda", "estrada",
    "travessa", "praça", "alameda", "rodovia", "ul.", "al.", "pl.", "os.", "trg", "λ.", "λεωφ.", "λεωφόρος",
    "οδός", "πλατεία", "rue", "r.", "avenue", "boulevard", "bd", "chemin", "chaussée", "place", "quai", "allée",
    "impasse", "route", "cours", "passage", "square", "faubourg", "rambla", "pasaje", "glorieta", "cuesta",
    "acceso", "trevo", "viela", "vereda", "ladeira", "rotonda", "aleja", "plac", "ulica",
)
# ... those that open a name in lower case ("ul. Biała 135", "πλατεία Καραισκάκη 137") ...
_LOWER_FIRST_WORDS = ("ul.", "al.", "os.", "pl.", "aleja", "plac", "ulica", "rue", "πλατεία", "οδός")
# ... the endings, or words of their own, that come last ("Parijsstraat", "Bécsi utca") ...
_SUFFIX_STREET_TYPES = (
    "straat", "weg", "laan", "plein", "gracht", "kade", "dijk", "singel", "steenweg", "dreef", "strasse",
    "straße", "str.", "gasse", "platz", "allee", "ufer", "damm", "chaussee", "vej", "gade", "stræde", "plads",
    "vænget", "vei", "veien", "vegen", "gata", "gatan", "vägen", "väg", "braut", "stræti", "straeti",
    "stígur", "vegur", "katu", "tie", "kuja", "polku", "utca", "út", "útja", "körút", "tér", "tere", "rakpart",
    "fasor", "kapu", "köz", "sétány", "ulica", "cesta", "tänav", "põik", "maantee", "puiestee", "plass", "plassen",
    "stien", "bakken", "svingen", "løkka", "veita", "torget", "vænge", "veg", "allé", "etorbidea", "kalea",
    "gränd", "backe", "torg",
)
# ... and those that are never endings: Hungarian abbreviations, the Norwegian "gate"
# ("Opplands gate"; not "Colgate").
_WORD_STREET_TYPES = ("u.", "krt.", "rkp.", "gate")
_PREFIX_TYPES = frozenset(_PREFIX_STREET_TYPES)
_NOT_STREETS = frozenset(("brigade", "renegade"))  # English words with a street type's ending
_LOWER_FIRST_WORD = rf"(?:{_alternatives(_LOWER_FIRST_WORDS)})"
_LOWER_STREET_WORD = rf"(?:{_alternatives([*(w for w in _SUFFIX_STREET_TYPES if w.islower()), *_WORD_STREET_TYPES])})"
STREET_TYPE_WORD = re.compile(
    rf"(?:{_alternatives(_PREFIX_STREET_TYPES + _SUFFIX_STREET_TYPES + _WORD_STREET_TYPES)})\Z", re.IGNORECASE)
# An ending after a stem: "Koskikatu", "Algade"; "-tie" after a longer one ("Laukaantie", not "Katie").
STREET_TYPE_ENDING = re.compile(
    rf"(?:\w(?:{_alternatives(t for t in _SUFFIX_STREET_TYPES if t != 'tie')})|\w{{4}}tie)\Z", re.IGNORECASE)

# --- streets ---------------------------------------------------------------------------


def _english_street(street_type):
    """A house number first: "12 Baker Street", "H.No. 5\\nGandhi Marg", "5, rue de la Paix" (below);
    or a flat without one: "Studio 3, Bethany Shore"."""
    return re.compile(
        r"(?<![\w/])(?:(?:(?:H\.?[ \t]?No\.?|House[ \t]No\.?|Plot[ \t]No\.?)[ \t]*)?"
        rf"\d{{1,6}}(?:[A-Za-z]\b|[-/]\d{{1,4}})?(?:,?[ \t]+|,?[ \t]*\n[ \t]*)|{_UNIT_WORD}[ \t]*#?\d[\w-]*,[ \t]*)"
        rf"(?P<name>(?:(?:{_CAPITALISED_WORD}|\d+(?:st|nd|rd|th))[ \t]+){{1,4}}){street_type}"
    )


ENGLISH_STREET = _english_street(_EN_STREET_TYPE)
COMMON_ENGLISH_STREET = _english_street(_COMMON_EN_STREET_TYPE)
ENGLISH_STREET_TYPE_AT_END = re.compile(rf"{_EN_STREET_TYPE}\Z")

# A house number that may close a street name written first: after a space, not part of a
# larger number ("Windows 7.1", "EUR 12,5") nor a decade ("the 70s").
HOUSE_NUMBER = re.compile(r"(?<=[ \t])\d{1,4}(?:(?!s\b)[A-Za-z]|/\d{1,4})?(?![\w%/]|[.,]\d)")
# The words of such a name: the first capitalised or a street type written small, the others any
# ("Trg revolucije"); `_street_name_words` keeps the name's own.
NAME_CHAIN_WORD = re.compile(rf"(?:{_NAME}|{_LOWER_FIRST_WORD}|{_LOWER_STREET_WORD}|[^\W\d_]+(?:['’][^\W\d_]+)?)\Z")
NAME_CHAIN_START = re.compile(rf"(?:{_NAME}|{_LOWER_FIRST_WORD})\Z")
NAME_WORDS = 6
# A house number and a bare name, then a flat, "Street" or a locality: "3928 Blanshard Suite 701".
NUMBER_FIRST_BARE_STREET = re.compile(
    rf"(?<![\w/.,-])(?P<number>\d{{1,5}})[ \t]+{_NAME}(?:[ \t]+{_NAME}){{0,2}}(?![^\s,])")
STREET_WORD_AFTER = re.compile(r"[ \t]+(?:[Ss]treet\b|St\.)")
YEAR = re.compile(r"(?:19|20)\d\d\Z")

PO_BOX = re.compile(r"\b(?:P\.?[ \t]?O\.?[ \t]?Box|Post[ \t]?[Oo]ffice[ \t][Bb]ox|Postbox)[ \t]*#?\d{1,6}\b")
# US military mail: "Unit 2036 Box 0018, DPO AA 66184", "USNS van der Vlist\nFPO AP 72700".
US_MILITARY_ADDRESS = re.compile(
    r"\b(?:Unit[ \t]\d{4}[ \t]Box[ \t]\d{4}|PSC[ \t]\d{4},?[ \t]Box[ \t]\d{4}"
    rf"|(?:USNS|USNV|USS|USCGC)(?:[ \t](?:{_NAME_WORD}|{_PARTICLE}))+)"
    r",?[ \t\n]+[ADF]PO[ \t]A[AEP][ \t]\d{5}\b",
    re.IGNORECASE,  # in lower-case text too
)

_DE_TOWN = (
    r"(?:,[ \t]*|[ \t]*\n[ \t]*|[ \t]+)(?:D-)?\d{5}[ \t]+"
    r"[A-ZÄÖÜ][\wäöüß-]*(?:[ \t](?:an[ \t]der|am|im|[A-ZÄÖÜ][\wäöüß-]*)){0,2}"
)
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
_FR_STREET_TYPES = ("rue|avenue|av\\.?|boulevard|bd|chemin|allée|allee|place|impasse|quai|route|cours|passage|square"
                    "|faubourg")
_FR_STREET_HINTS = ("rue", "av.", "av ", "avenue", "boulevard", "bd", "chemin", "allée", "allee", "place", "impasse",
                    "quai", "route", "cours", "passage", "square", "faubourg")
_FR_STREET = (
    rf"(?i:{_FR_STREET_TYPES})[ \t]+"
    r"(?:(?:de[ \t]+la|de[ \t]+l'|des|du|de|la|le|l'|d')[ \t]*)?"
    rf"[A-ZÀ-Ý][\w'’-]*(?:[ \t]+(?:de[ \t]+)?(?!{_UNIT_WORD}(?![a-z]))[A-ZÀ-Ý][\w'’-]*){{0,3}}"
)
# A house number, or failing that a postcode and town after the street ("rue Didier, 81233 Torres").
FRENCH_ADDRESS = re.compile(rf"(?<![\w])\d{{1,4}}(?:[ \t]?(?:bis|ter))?,?[ \t]+{_FR_STREET}")
FRENCH_STREET_AND_TOWN = re.compile(rf"\b{_FR_STREET}{_FR_TOWN}")
POSTCODE_DIGITS = re.compile(r"\d{5}")

_TOWN = rf"{_CAPITALISED_WORD}(?:[ \t-]{_CAPITALISED_WORD}){{0,2}}"
# "H.No. 698, Sandal, Nagercoil-034081", "518, Chanda, Muzaffarnagar 361481": with a PIN code.
INDIAN_ADDRESS = re.compile(
    r"(?<![\w/])(?:(?:H\.?[ \t]?No\.?|House[ \t]No\.?|Flat[ \t]No\.?|Plot[ \t]No\.?)[ \t]*)?\d{1,4}(?:/\d{1,4})?,"
    rf"(?:[ \t]+{_CAPITALISED_WORD}(?:[ \t]{_CAPITALISED_WORD}){{0,2}},){{1,2}}"
    rf"[ \t]+{_TOWN}(?:-|[ \t])\d{{6}}\b"
)

# "the corner of Main Street and Elm Street": one place.
_CORNER_STREET = (rf"(?:\d{{1,5}}[ \t]+)?(?:{_NAME_WORD}|{_LOWER_FIRST_WORD})"
                  rf"(?:[ \t]+(?:{_NAME_WORD}|{_PARTICLE}|{_LOWER_STREET_WORD}|\d{{1,4}}\b\.?)){{0,5}}")
STREET_CORNER = re.compile(
    rf"\b[Cc]orner[ \t]+(?i:of)[ \t]+(?:(?i:the)[ \t]+)?"
    rf"(?P<streets>{_CORNER_STREET}[ \t]+(?i:and)[ \t]+{_CORNER_STREET})")

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

# --- around a street -------------------------------------------------------------------
# Before it: a building number ("58 Via Pisanelli 104") and a flat ("Suite 12, ...").
BUILDING_NUMBER_BEFORE = re.compile(r"(?<![\w.,:/-])(?P<number>\d{1,5})[ \t]+\Z")
UNIT_BEFORE = re.compile(rf"(?<![\w.-]){_UNIT_WORD}[ \t]*#?\d[\w-]*,?[ \t]+\Z")
# "Suite 734 Colorado Springs": the number is the flat's, not a house number.
UNIT_WORD_BEFORE = re.compile(rf"(?<![\w.-]){_UNIT_WORD}[ \t]*#?\Z")
LOOK_BACK = 30  # characters before a street where its building number and flat may start
# A house number right after another group of digits may be a phone number's last group
# ("0660 475 13 89, Main Street"): the phone number's reading of it wins.
AFTER_A_DIGIT_GROUP = re.compile(r"[\d)][ \t.\-]$")  # "13 89", "(88) 158-170"
DOUBTFUL_HOUSE_NUMBER_SCORE = 0.5
# A street with its flat or locality is as sure as an address gets: it keeps its flat from a
# name that runs on into it ("Angel Nelson Apt").
WHOLE_ADDRESS_SCORE = 0.85

# After it: a flat (its word, not the start of a longer one: "Fl" is no flat in "Flateyri").
_UNIT = rf"(?:,?[ \t]+(?:{_UNIT_WORD}(?![a-z])|#)[ \t]*#?(?:\d[\w-]*|[A-Z]\b))"
UNIT_AFTER = re.compile(_UNIT)
# A dot after a house number that goes on to a flat or the next line: "Rákóczi út 66. Suite 636".
NUMBER_DOT = re.compile(rf"\.(?=[ \t]*\n|,|{_UNIT})")
# Then a locality. A town: capitalised words, with the particles and district numbers of town
# names ("Carmignano Di Brenta", "Rečica ob Savinji", "Ostrava 3", "KRISTIANSAND S").
_LINE_BREAK = r"(?:,[ \t]*\n?[ \t]*|[ \t]*\n[ \t]*)"
_PLACE = rf"{_NAME}(?:[ \t-](?:{_NAME}|{_PARTICLE}|\d{{1,2}}\b)){{0,3}}"
_REGION_NAME = rf"(?:{_alternatives({*WorldAddresses.countries, *EnglishAddresses.countries, *UsAddresses.states})})"
_REGION_CODE = r"[A-Z]{2,3}\b"  # "IL", "NSW"
# Where the layout leaves no doubt (between a town and a ZIP code), also lower-case ("il") and
# numbered regions (Tunisia's "14").
_REGION_SLOT = r"(?:[A-Za-z]{1,3}|\d{2})\b"
UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}\b"
US_ZIP = r"\d{5}(?:-\d{4})?\b"
_POSTCODE = (rf"(?:{US_ZIP}|{UK_POSTCODE}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d\b|\d{{4}}[ \t]?[A-Z]{{2}}\b|\d{{3}}[ \t]\d{{2}}\b"
             r"|\d{4}-\d{3}\b|\d{2}-\d{3}\b|\d{5}-\d{3}\b|\d{4}\b)")
LOCALITIES = (
    # "\nSpringfield, IL 62701", ", Springfield\n, IL\n 62701", "... IL\n Canada 62701": the US,
    # Canada ("H4J 1M9") and Australia (", QLD, 2976").
    ("en_US", re.compile(
        rf"{_LINE_BREAK}{_PLACE}(?:,[ \t]*|[ \t]*\n[ \t]*,[ \t]*|[ \t]+){_REGION_SLOT}"
        rf"(?:[ \t]*\n?[ \t]*{_REGION_NAME})?,?[ \t]*\n?[ \t]*(?:{US_ZIP}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d\b|\d{{4}}\b)")),
    ("en_GB", re.compile(rf"(?:{_LINE_BREAK}{_TOWN})?{_LINE_BREAK}{UK_POSTCODE}")),
    ("en_IN", re.compile(rf"{_LINE_BREAK}{_TOWN}(?:-|[ \t])\d{{6}}\b")),
    # ", Lyon, France", ", Springfield, Illinois 62701": a town, then a country or a state.
    ("", re.compile(rf",[ \t]*{_PLACE},[ \t]*{_REGION_NAME}\b(?:[ \t]+{_POSTCODE})?")),
    # ", 10115 Berlin", "\n32014, Polpet (BL)": a postcode and town (and Italian province).
    ("", re.compile(rf"{_LINE_BREAK}(?:\d{{4,5}}|\d{{2}}-\d{{3}}|\d{{3}}[ \t]\d{{2}}),?[ \t]+{_PLACE}"
                    r"(?:[ \t]+\([A-Z]{2}\))?")),
    # ", Ávila, 47968": a town and postcode.
    ("", re.compile(rf"{_LINE_BREAK}{_PLACE},[ \t]*\d{{5}}\b")),
)
# After a flat, the rest of its line names the town and region: "... Suite 717 Bremen Arbergen HB".
REST_OF_LINE = re.compile(rf"[ \t]+{_PLACE}(?:[ \t]+(?:{_REGION_NAME}\b|{_REGION_CODE}))?")
# The lines of a postal block after its street: "\n Apt. 856\n Reykjavík\n Iceland 30124", each
# after an optional quotation mark ("> ").
BLOCK_LINE = re.compile(r"[ \t]*\n[ \t>?]*(?P<line>[^\n]*)")
BLOCK_UNIT = re.compile(rf"(?:{_UNIT_WORD}|#)[ \t]*#?\d[\w-]*\Z", re.IGNORECASE)
BLOCK_POSTCODE = re.compile(rf"(?:\A|(?<=[ \t])){_POSTCODE}\Z")
BLOCK_REGION = re.compile(r"(?:[A-Za-z]{1,3}|\d{1,2})\Z")
BLOCK_PLACE = re.compile(rf"(?:{_REGION_NAME}|{_PLACE})\Z")
BLOCK_LINES = 4

# A postcode after its label: "My zip code is 94105", "ZIP: 94105-1234", "Postcode: 10115".
LABELLED_POSTCODE = re.compile(
    r"\b(?i:zip(?:[ \t]?code)?|postal[ \t]code|post[ \t]?code)(?:[ \t]+(?i:is))?[ \t]*[:#]?[ \t]*"
    rf"(?P<code>{_POSTCODE})")


class AddressDetector(Detector):
    entity_types = ("ADDRESS",)

    def detect(self, text):
        # A text all in lower case tells no name by its capitals ("i live at 12 main street"):
        # it is read capitalised, and only the common English street types count in it.
        if text.islower():
            titled = text.title()
            if len(titled) == len(text):  # the same offsets
                return self._detect(titled, titled=True)
        return self._detect(text)

    def _detect(self, text, titled=False):
        spans = []
        if has_digit(text):
            for m in (COMMON_ENGLISH_STREET if titled else ENGLISH_STREET).finditer(text):
                if not _TITLE_CASE_WORDS.intersection(m.group("name").split()):
                    spans.extend(_street(text, m.start(), m.end(), 0.7, _english_locale(m.group())))
            for m in HOUSE_NUMBER.finditer(text):
                spans.extend(_name_first_street(text, m))
            for m in NUMBER_FIRST_BARE_STREET.finditer(text):
                spans.extend(_number_first_bare_street(text, m))
            lowered = text.lower()  # substring checks are far cheaper than the full patterns
            if "box" in lowered:
                spans.extend(span for m in PO_BOX.finditer(text) for span in _street(text, *m.span(), 0.7, ""))
            if "po a" in lowered:
                spans.extend(_spans(US_MILITARY_ADDRESS, text, 0.8, "en_US"))
            if "zip" in lowered or "post" in lowered:
                spans.extend(Span("ADDRESS", *m.span("code"), 0.7, "") for m in LABELLED_POSTCODE.finditer(text))
            if any(hint in lowered for hint in _DE_STREET_HINTS):
                for pattern in (GERMAN_ADDRESS, GERMAN_RING_ADDRESS):
                    spans.extend(span for m in pattern.finditer(text)
                                 for span in _street(text, *m.span(), 0.7, "de_DE"))
            if any(hint in lowered for hint in _FR_STREET_HINTS):
                spans.extend(span for m in FRENCH_ADDRESS.finditer(text)
                             for span in _street(text, *m.span(), 0.7, "fr_FR"))
                if POSTCODE_DIGITS.search(text):
                    spans.extend(_spans(FRENCH_STREET_AND_TOWN, text, 0.7, "fr_FR"))
            if PIN_CODE_DIGITS.search(text):
                spans.extend(_spans(INDIAN_ADDRESS, text, 0.75, "en_IN"))
        if "orner" in text:
            spans.extend(Span("ADDRESS", m.start("streets"), _without_full_stop(text, m.end()), 0.7, "")
                         for m in STREET_CORNER.finditer(text)
                         if has_digit(m.group("streets")) or ENGLISH_STREET_TYPE_AT_END.search(m.group("streets")))
        if not text.isascii() and CHINESE_STREET_WORD.search(text):
            for m in CHINESE_ADDRESS.finditer(text):
                # A street name alone ("长寿路") is too little; a region or a house number makes it an address.
                if m.group("region") or m.group("number"):
                    spans.append(Span("ADDRESS", _chinese_address_start(text, m), m.end(), 0.7, "zh_CN"))
        return spans


# --- streets written name first ---------------------------------------------------------
def _name_first_street(text, number):
    """The street whose house number is `number`, if the words before it name one: with a
    street type in them, or bare with a sign that they name a street."""
    words, comma = _words_before(text, number.start())
    words = _street_name_words(words)
    if not words:
        return []
    start, end = words[0][0], number.end()
    # A street type that opens no name ("Avenue 192", "Route 66"), or that should close one and
    # has none before it ("Gate 12"), does not make a street.
    typed = [i for i, (_, word) in enumerate(words) if _is_street_type(word)
             and not (i == len(words) - 1 and word.lower() in _PREFIX_TYPES)
             and not (i == 0 and word.lower() not in _PREFIX_TYPES and not STREET_TYPE_ENDING.search(word))]
    if typed:
        first = typed[0]
        if first > 3:  # at most three words of name before its type ("Dronning Åsas vei")
            start = words[first - 3][0]
        return _street(text, start, end, 0.7, _european_locale(words[first][1]))
    if comma or not all(_bare_name_word(word) for _, word in words):
        return []  # "Hello Anna, 5 ...", "5 Musicians Of The 70s", "450 MHz to 630"
    after = STREET_WORD_AFTER.match(text, end)
    if after:
        return _street(text, start, after.end(), 0.7, "")
    before = BUILDING_NUMBER_BEFORE.search(text, max(0, start - 8), start)
    if before and not YEAR.match(before.group("number")) and (
            UNIT_BEFORE.search(text, max(0, before.start() - LOOK_BACK), before.start())
            or _opens_an_address(text, before.start())):
        return _street(text, start, end, 0.65, "")
    if UNIT_AFTER.match(text, end):
        return _street(text, start, end, 0.65, "")
    return []


def _words_before(text, at):
    """The (offset, word)s on the line before `at` that may name a street (up to six, the first
    capitalised or a street type written small), and whether a comma ends them ("Vicolo Gagliano, 6")."""
    line_start = max(text.rfind("\n", 0, at) + 1, at - 120)
    line = text[line_start:at]
    tokens = line.split()[-NAME_WORDS:]
    comma = bool(tokens) and tokens[-1].endswith(",")
    if comma:
        tokens[-1] = tokens[-1][:-1]
    if not tokens or tokens[-1] in _FUNCTION_WORDS:  # "rose to 12", "in 2009": the common case, cut short
        return [], comma
    words, end = [], len(line)
    for token in reversed(tokens):
        if not token or not NAME_CHAIN_WORD.match(token):
            break
        end = line.rfind(token, 0, end)
        words.insert(0, (line_start + end, token))
    while words and not NAME_CHAIN_START.match(words[0][1]):
        words.pop(0)
    return words, comma


def _street_name_words(words):
    """The (offset, word)s of the street's name among the words before its number.

    The words from a street type that opens the name ("Trg revolucije", "Via delle Viole"),
    else the name's words right before the number: capitalised ones, particles, street types
    and one lower-case word after a capitalised one ("Velký průhon"); a street type standing
    after its name takes up to three words before it whatever their case, from the first
    capitalised one ("Árpád fejedelem útja").
    """
    opening = next((i for i, (_, word) in enumerate(words[:-1]) if _opens_a_street(word)), None)
    if opening is not None:
        return words[opening:]
    first, inner_lower_word = len(words), False
    while first:
        word = words[first - 1][1]
        if _is_name_word(word):
            first -= 1
        elif not inner_lower_word and first > 1 and word.islower() and word not in _FUNCTION_WORDS \
                and words[first - 2][1][0].isupper() and _is_name_word(words[first - 2][1]):
            inner_lower_word = True
            first -= 1
        else:
            break
    if first < len(words) and words[first][1].islower():
        named = [i for i in range(max(0, first - 3), first)
                 if words[i][1][0].isupper() and words[i][1] not in _TITLE_CASE_WORDS]
        first = named[0] if named else first
    return words[first:]


def _number_first_bare_street(text, match):
    """"3928 Blanshard Suite 701", "1570 Blanshard\\nPines Beach\\n, BC\\n 30659": a house number and
    a bare name, followed by a flat, "Street" or a locality."""
    if YEAR.match(match.group("number")) or UNIT_WORD_BEFORE.search(text, max(0, match.start() - 12), match.start()) \
            or any(_is_street_type(word) for word in match.group().split()[1:]) \
            or ENGLISH_STREET_TYPE_AT_END.search(match.group()):
        return []  # a year, a flat's number; a typed street is read as such
    after = STREET_WORD_AFTER.match(text, match.end())
    if after or UNIT_AFTER.match(text, match.end()) or any(p.match(text, match.end()) for _, p in LOCALITIES):
        return _street(text, match.start(), after.end() if after else match.end(), 0.65, "")
    return []


def _opens_an_address(text, at):
    """Whether a building number at `at` may open an address before a bare street name: at the
    start of a line, after punctuation ("Address: 58 ...", "Campbell LLC, 58 ...", "> 58 ...") or
    after a word that leads to a place ("lives at 58 ..."). Not "Windows 7 Service Pack 1",
    "booth 5 Hall 3", "iPhone 12 Pro Max costs 999"."""
    before = text[text.rfind("\n", 0, at) + 1:at].rstrip()
    if not before or before[-1] in ":,;>?(\"'":
        return True
    return before.rsplit(None, 1)[-1].lower() in _ADDRESS_CUES


def _opens_a_street(word):
    """"Via", "Rue", "ul.": a street type that comes first, capitalised unless it is written small."""
    return word.lower() in _PREFIX_TYPES and (word[0].isupper() or word in _LOWER_FIRST_WORDS)


def _bare_name_word(word):
    """A word of a street name without a street type: no title word, acronym or month."""
    if word in _TITLE_CASE_WORDS or word in _CALENDAR_WORDS:
        return False
    return not word[0].isupper() or len(word) < 2 or not word[1].isupper()


def _is_name_word(word):
    return (word[0].isupper() and word not in _TITLE_CASE_WORDS) or word in _PARTICLES \
        or bool(STREET_TYPE_WORD.match(word))


def _is_street_type(word):
    return bool(STREET_TYPE_WORD.match(word) or STREET_TYPE_ENDING.search(word)) and word.lower() not in _NOT_STREETS


# --- what goes with a street -------------------------------------------------------------
def _street(text, start, end, score, locale):
    """The address spans of a street at text[start:end], grown by what goes with it."""
    number = BUILDING_NUMBER_BEFORE.search(text, max(0, start - 8), start)
    first_figure = number.start() if number else start
    if text[first_figure].isdigit() and _after_digit_group(text, first_figure):
        if text[start].isdigit():
            score = DOUBTFUL_HOUSE_NUMBER_SCORE
    else:
        start = first_figure
        unit = UNIT_BEFORE.search(text, max(0, start - LOOK_BACK), start)
        if unit:
            start = unit.start()
    dot = NUMBER_DOT.match(text, end) if text[end - 1].isdigit() else None
    if dot:
        end = dot.end()
    street_end = end
    unit = UNIT_AFTER.match(text, end)
    if unit:
        end = unit.end()
    whole = score if score == DOUBTFUL_HOUSE_NUMBER_SCORE else WHOLE_ADDRESS_SCORE
    for kind, pattern in LOCALITIES:
        locality = pattern.match(text, end)
        if locality:
            return [Span("ADDRESS", start, _without_full_stop(text, locality.end()), whole, kind or locale)]
    spans = [Span("ADDRESS", start, end, whole if unit else score, locale)]
    if unit:
        rest = REST_OF_LINE.match(text, end)
        if rest:
            spans = [Span("ADDRESS", start, _without_full_stop(text, rest.end()), whole, locale)]
        elif BLOCK_LINE.match(text, end):  # the first line of a block: the street, then its flat
            flat = unit.start() + len(unit.group()) - len(unit.group().lstrip(", \t"))
            spans = [Span("ADDRESS", start, street_end, score, locale), Span("ADDRESS", flat, end, score, "")]
    return [*spans, *_block_parts(text, spans[-1].end, score)]


def _after_digit_group(text, at):
    """Figures before a house number, unless a flat's ("Suite 838 62 Algade 49")."""
    return bool(AFTER_A_DIGIT_GROUP.search(text, max(0, at - 2), at)
                and not UNIT_BEFORE.search(text, max(0, at - LOOK_BACK), at))


def _without_full_stop(text, end):
    """A name's words keep their dots ("St.", "P.O."); a sentence's full stop after a longer word
    is not the address's."""
    word = text.rfind(" ", 0, end)
    return end - 1 if text[end - 1] == "." and end - word > 5 else end


def _block_parts(text, end, score):
    """The flat, region and postcode among the lines after a street, while they read as a postal block."""
    parts = []
    for _ in range(BLOCK_LINES):
        line = BLOCK_LINE.match(text, end)
        if not line:
            break
        value, at = line.group("line").rstrip(" \t.,"), line.start("line")
        end = at + len(value)
        if not value:
            continue
        postcode = BLOCK_POSTCODE.search(value)
        if BLOCK_UNIT.match(value) or BLOCK_REGION.match(value):
            parts.append(Span("ADDRESS", at, at + len(value), score, ""))
        elif postcode and (postcode.start() == 0 or BLOCK_PLACE.match(value[:postcode.start()].rstrip())):
            parts.append(Span("ADDRESS", at + postcode.start(), at + postcode.end(), score, ""))
            break
        elif not BLOCK_PLACE.match(value):
            break
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
    return "en_US"


def _european_locale(street_type):
    lowered = street_type.lower()
    if any(lowered.endswith(ending) for ending in _DE_STREET_HINTS):
        return "de_DE"
    if lowered in _FR_STREET_HINTS:
        return "fr_FR"
    return ""
