"""Phone numbers, found and validated by `phonenumbers` against several home regions."""
import re
import unicodedata

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from .base import Detector, Span, count_digits

# Regions a number written without a country code is tried in, most likely first: ours,
# and the rest of Presidio's default set (IL, BR; CA shares the US plan). Numbers written
# with "+" or "00" and a country code are recognised for every country whatever this says.
DEFAULT_REGIONS = ("US", "GB", "DE", "FR", "IN", "CN", "IL", "BR")

REGION_LOCALES = {
    "US": "en_US", "CA": "en_US", "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "IN": "en_IN", "CN": "zh_CN",
}

# A run of digits and the separators phone numbers are written with, plus an extension.
# `phonenumbers` is slow compared to a regex, so it only sees these windows, not the text.
PHONE_WINDOW = re.compile(
    r"(?<![\w+])(?:\+\(?|\(\+?)?\d[\d \t\u00a0().\-/\u2010-\u2015\u2212]{4,60}\d"
    r"(?:[ \t]*(?:x|ext\.?|extension|#)[ \t]*\d{1,6})?(?!\w)",
    re.IGNORECASE | re.ASCII,
)
# Words that announce a phone number shortly before it, in the languages we see most.
PHONE_CONTEXT = re.compile(
    r"phone|number|nummer|"  # inside words too: smartphone, phonenumber, Telefonnummer, Kontaktnummer
    r"\b(?:tel\b|mobile?|mob\b|cell|call|fax|whatsapp|sms|messag|dial|contact|reach|hotline|helpline|"
    r"landline|ph\b|answer|desk|"  # "they're not answering at ...", "Desk: ..."
    r"handy|telefon|mobil|anruf|ruf|erreich|festnetz|kontakt|"  # German: Rufnummer, rufen Sie ... an
    r"portable|t[ée]l\b|num[ée]ro|appel|joindre|fixe|"  # French
    r"tel[ée]fono|m[óo]vil|celular|llam)"  # Spanish
    r"|电话|手机|联系|致电|拨打|電話|携帯|전화",
    re.IGNORECASE,
)
# A word right after the number that says which line it is, as signatures and letterheads
# write them: "321 2345 office", "321 2345-Fax", "321 2345 (mobile)". Only where the line or
# the phrase ends there: "12 345 678 mobile phones" goes on and is a count.
PHONE_CONTEXT_AFTER = re.compile(
    r"[ \t]*[-(/]?[ \t]*(?:office|fax|mobile|cell|home|work|landline|direct|tel|phone)\)?"
    r"(?=[ \t]*(?:[\r\n,;.\\)]|\Z))",
    re.IGNORECASE,
)
# Words that name some other kind of number right before it ("order no. 555-0100",
# "ISBN ...", "Kontonummer 0123456789"); they overrule a context word further back. Most
# only with "number", "no.", "#" or "ID" after them ("the number on the card is ..." is
# still a phone number); the unambiguous ones alone too ("Order: ...", "ISBN ...").
_ID_WORD = r"(?:number|nr|no|num|n°|#|id|code)"
NOT_PHONE_CONTEXT = re.compile(
    r"(?:\b(?:order|invoice|inv|ref|reference|tracking|serial|s/n|isbn|issn|ean|upc|sku|ssn|passport|routing|aba|"
    r"iban|bic|swift|zip|postcode|plz|vat|ein|nhs|receipt|transaction|batch|patent|doi|vin)s?"
    r"|\b(?:account|acct|a/c|card|policy|ticket|claim|customer|client|member|membership|employee|student|patient|"
    r"case|contract|project|meter|vehicle|file|record|licen[cs]e|permit|sort|postal|tax|tin|lot|model|part|item|"
    rf"company|product|version|registration|booking|reservation|confirmation|plate)s?\W{{0,3}}(?={_ID_WORD}(?!\w))"
    r"|\b(?<!caller )id"
    r"|\b(?:konto|kunden|bestell|rechnung|auftrag|vertrag|steuer|ausweis|"  # German compounds: Kontonummer, ...
    r"commande|facture|compte|dossier|contrat|pedido|factura|cuenta)\w*"
    r"|订单|账号|帐号|账户|卡号|身份证|编号|单号)"
    rf"\W{{0,5}}(?:{_ID_WORD}(?!\w)\W{{0,5}}){{0,2}}(?:(?<=\W)(?:is|was)\W{{1,3}})?$",
    re.IGNORECASE,
)
# An amount: a currency right before or right after the number.
CURRENCY_BEFORE = re.compile(r"(?:[$€£¥₹]|\b(?:usd|eur|gbp|chf|jpy|inr|cny|rmb|rs)\.?)\s?$", re.IGNORECASE)
CURRENCY_AFTER = re.compile(
    r"\s?(?:[$€£¥₹%]|(?:usd|eur|gbp|chf|jpy|inr|cny|rmb|dollars?|euros?|pounds?|yuan|rupees?)\b)", re.IGNORECASE
)
_CONTEXT_CHARS = 40
# Six digits (Greenland's and the Faroes' numbers, small towns' local numbers) are also
# PIN codes, amounts and counts: they need a context word right before them.
SHORT_NUMBER_DIGITS = 6
_SHORT_NUMBER_CONTEXT_CHARS = 16  # "reach her on 32 17 77"
_EXTENSION = re.compile(r"[ \t]*(?:x|ext\.?|extension|#)[ \t]*\d+$", re.IGNORECASE)
_DIGIT_GROUP = re.compile(r"\d+", re.ASCII)
_SPACED_PAIRS = re.compile(r"\d\d(?: \d\d)+", re.ASCII)
_WRITTEN_EXTENSION = re.compile(r"\d[ \t]*(?:x|ext\.?|extension)[ \t]*\d+$", re.IGNORECASE)
_DROP_DIGITS = str.maketrans("", "", "0123456789")
_NUMERIC_DATE = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2,4}|\d{4}([./-])\d{1,2}\2\d{1,2}")
MAX_PHONE_DIGITS = 15  # E.164
# Tables of figures ("46.3 35.8 23.2") and year ranges ("2011-2012") have a phone's digits.
_LOOKS_LIKE_FIGURES = re.compile(r"(?<!\d)\d\.|\.\d(?!\d)")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d ?[-–/] ?(?:19|20)\d\d$")
_GROUP_BEFORE = re.compile(r"\d[ \-]$", re.ASCII)
_GROUP_AFTER = re.compile(r"[ \-]\d+(?![\d/:.])", re.ASCII)  # not "24/7", "9:00"
_UNMISTAKABLE_START = re.compile(r"\+|\(\d{1,5}\)")
# A number of its own next to a phone number: a ZIP/PIN code or year, a card or account number.
_NUMBER_APART = re.compile(r"\d{4,6}|\d{12,}")
_FRACTION_AFTER = re.compile(r"\s+24/7$")  # "Hotline 030/901820 24/7"
# "0131 496 0031 6 Sykes Road": a phone number and a house number of one digit.
_TRUNK_NUMBER_AND_A_DIGIT = re.compile(r"\(?0[1-9][\d ()\-/.]+\d\s\d")
_FIRST_WORD = re.compile(r"\S+\s+")
_LAST_WORD = re.compile(r"\s+\S+$")
# Several numbers in one window ("030 901820 / 030 901821"): split where a list would be.
_LIST_SEPARATOR = re.compile(r"\s+/\s+|\s{2,}|\t")

# How phone numbers are written; a number written so needs no context word.
# North American: (650) 253-0000, 650-253-0000, 650.253.0000, 1-650-253-0000, 001-650-...
_NANP_SHAPE = re.compile(
    r"(?:(?:1|001|011)[ .\-]?)?(?:\(\d{3}\) ?|\d{3}[ .\-/]?)\d{3}[ .\-\u2010-\u2015\u2212]\d{4}"
    r"|(?:1[ .\-])?\d{3}([\u2010-\u2015\u2212])\d{3}\1\d{4}",
    re.ASCII,
)
# The same digits unseparated: area code and exchange start with 2-9, maybe the trunk "1".
_NANP_DIGITS = re.compile(r"1?[2-9]\d\d[2-9]\d{6}", re.ASCII)
# A bracketed area code anywhere: (030) 901820, +49 (0)30 901820, (11) 91234-5678.
_BRACKETED_AREA_CODE = re.compile(r"\(\d{1,5}\)[\s/\-]?\d", re.ASCII)
# How other numbers are written; without a context word such a number is not a phone.
# Dates: 23.03.1940, 07 10 1971, 1940-03-23.
_DATE_SHAPE = re.compile(
    r"(?:0?[1-9]|[12]\d|3[01])([ ./\-])(?:0?[1-9]|[12]\d|3[01])\1(?:1[6-9]|20)?\d\d"
    r"|(?:1[6-9]|20)\d\d([ ./\-])(?:0?[1-9]|1[0-2])\2(?:0?[1-9]|[12]\d|3[01])",
    re.ASCII,
)
# A date and the hour of a time after it, cut at the colon: 1993-01-04 14, 23.03.1940 14.
_DATE_AND_HOUR = re.compile(
    r"(?:(?:1[6-9]|20)\d\d([./-])\d\d?\1\d\d?|\d\d?([./-])\d\d?\2(?:1[6-9]|20)\d\d)[ T]\d\d?", re.ASCII
)
# Amounts grouped by thousands: 598.686.270, 12,345,678, 12 345 678 (a phone group does
# not start with 0). Three-digit groups after a space are also how Spain, Poland or
# Portugal write phone numbers (612 345 678): a lead group of three is not an amount.
_THOUSANDS_SHAPE = re.compile(r"[1-9]\d{0,2}([.,'\u00a0])\d{3}(?:\1\d{3})*|[1-9]\d?(?: \d{3})+", re.ASCII)
# Decimals and coordinates: 16003.900002, 43.078973.
_DECIMAL_SHAPE = re.compile(r"\d+[.,]\d+", re.ASCII)
# Card and account fragments in fours (8123-5531-2603), ZIP+4 (57197-1844), ISBN-10's
# check digit alone at the end (0-689-51097-7), runs of years (1955 1910 1987).
_FOURS_SHAPE = re.compile(r"[1-9]\d{3}(?:[ \-]\d{4}){2,}", re.ASCII)  # no card starts with 0
_IN_FOURS = re.compile(r"\d{4}(?:[ \-]\d{4})+(?:[ \-]\d{1,3})?", re.ASCII)  # card numbers, IBAN tails
_ZIP_PLUS_FOUR = re.compile(r"\d{5}-\d{4}", re.ASCII)
_LAST_DIGIT_ALONE = re.compile(r"\D\d$", re.ASCII)
_YEARS = re.compile(r"(?:19|20)\d\d(?:[ ,;/\-]+(?:19|20)\d\d)+", re.ASCII)
# A number glued to a code before it: INV-1699-618531, a UUID's last group.
_CODE_BEFORE = re.compile(r"[A-Za-z0-9][\-/._]$", re.ASCII)
# Bare digits count without context only with a whole number's length: ten to twelve
# digits (US, with or without the 1; Indian and Chinese mobiles; 0 + area code; a country
# code without its "+"). Thirteen are as often an EAN barcode or an ISBN.
BARE_DIGITS = (10, 11, 12)

# Numbers no rule takes for a phone number without a context word: an IPv4 address, one
# run of 13 to 15 digits without an international call prefix (cards, EANs, accounts).
# Spared the parse in every plausible region, the costliest part of a text without phones.
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4_SHAPE = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}", re.ASCII)
_LONG_BARE_DIGITS = re.compile(r"(?!00|011)\d{13,15}", re.ASCII)

# International call prefixes, and regions that dial abroad with them.
_INTERNATIONAL_PREFIX = re.compile(r"\(?(011|00)")
_DIALLING_REGIONS = {"011": ("US",), "00": ("GB", "DE", "FR", "IN", "CN")}

NEVER = object()  # what `_score` says of another kind of number, whatever the region

# Scores: valid in a numbering plan beats merely the right length.
VALID_SCORE = 0.8
POSSIBLE_SCORE = 0.55
UNPARSED_SCORE = 0.5


def _digit_count(value):
    """ASCII digits in a piece of the text (`count_digits` caches whole texts for all detectors)."""
    return len(value) - len(value.translate(_DROP_DIGITS))


def _digit_translation():
    """Every decimal digit of the common scripts -> its ASCII digit ("٠١٢", "০১২", "０１２")."""
    table = {}
    for zero in (0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
                 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0xFF10):
        for value in range(10):
            if unicodedata.digit(chr(zero + value), None) == value:
                table[zero + value] = str(value)
    return table


_ASCII_DIGITS = _digit_translation()
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")


class PhoneDetector(Detector):
    """Every region's number plan from `phonenumbers`, and how the number is written.

    `phonenumbers` finds the numbers of a possible length; what else one needs depends
    on the evidence around it:
    - "+" and a country code, "00"/"011" and a country code with a valid number, a word
      such as "phone", "call", "Rufnummer" shortly before, or a line's name right after
      at the end of a line or phrase ("321 2345 office", "-Fax"): nothing more;
    - six digits (Greenland's numbers, local numbers without their area code) only with
      such a word right next to them ("Tel: 32 17 77", "32 17 77 office"); they are not parsed;
    - a currency next to it, or a word naming another kind of number right before it
      ("order no.", "ISBN", "Kontonummer"): it is not a phone number;
    - otherwise seven digits are too few, the shapes of other numbers (dates, amounts,
      decimals, groups of four, ZIP+4, an ISBN's lone check digit, years, the tail of a
      code such as "INV-2023-...") are not phone numbers, and the rest must be written
      as phone numbers are: "+", a bracketed area code, North American grouping or an
      extension, three groups or more, two groups after a trunk "0" or valid, or ten to
      twelve bare digits (North American, or valid in a home region).
    Other digits in the same run (a ZIP code or year before, a house number after) are
    split off when the rest is a phone number on its own.
    A run of digits that no region accepts counts only after a context word or behind
    "+" and a country calling code. Digits of other scripts are read as their ASCII
    value, with the offsets unchanged.
    """

    entity_types = ("PHONE",)

    def __init__(self, regions=DEFAULT_REGIONS):
        # `phonenumbers` otherwise looks its metadata patterns up through `re.compile` on every
        # use (thousands of calls per thousand texts); its own cache is a plain dict lookup.
        phonenumbers.enable_pattern_cache()
        self.regions = tuple(regions)
        # Per region, the digit counts a nationally written number can have, from the
        # `phonenumbers` metadata: with or without the trunk prefix ("0" or "1").
        self._national_lengths = {}
        for region in self.regions:
            metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
            lengths = set(metadata.general_desc.possible_length)
            prefix = len(metadata.national_prefix or "")
            self._national_lengths[region] = lengths | {length + prefix for length in lengths}

    def detect(self, text):
        if count_digits(text) < SHORT_NUMBER_DIGITS:
            return []
        if not text.isascii() and _NON_ASCII_DIGIT.search(text):
            text = text.translate(_ASCII_DIGITS)  # one character for one: offsets stay
        spans = []
        for window in PHONE_WINDOW.finditer(text):
            for start, end in self._pieces(text, window):
                # Neighbouring words are worth a look only where some could be a number of
                # their own: most windows (runs of figures, IBAN tails) are spared it.
                neighbours = _may_have_neighbours(text[start:end]) and not _inside_longer_number(text, start, end)
                apart = ()
                if neighbours:
                    start, end, apart = _without_neighbours(text, start, end)
                worth_parsing = self._worth_parsing(text[start:end]) and not _unannounced_other_number(text, start, end)
                found = self._numbers_in(text, start, end, apart) if worth_parsing else []
                if (found and max(span.score for span in found) < VALID_SCORE) or (
                    not found and _TRUNK_NUMBER_AND_A_DIGIT.fullmatch(text, start, end)
                ):
                    found = self._valid_without_a_neighbour(text, start, end) or found
                if not found and neighbours:
                    found = self._without_a_neighbour(text, start, end)
                if not found and _short_number_announced(text, start, end):
                    found = [Span("PHONE", start, end, UNPARSED_SCORE)]
                spans.extend(found)
        return spans

    def _valid_without_a_neighbour(self, text, start, end):
        """Only a possible number in the window (or none, for a trunk number and one more
        digit), but all the rest of it a valid one without its first or last word
        ("0131 496 0031 6 Sykes Road": the house number is not the phone's)."""
        value = text[start:end]
        first = _FIRST_WORD.match(value)
        if first is None:
            return None
        last = _LAST_WORD.search(value)
        for piece_start, piece_end in ((start + first.end(), end), (start, start + last.start())):
            piece = text[piece_start:piece_end]
            if self._worth_parsing(piece) and not _looks_like_figures(piece):
                found = self._numbers_in(text, piece_start, piece_end, apart=(piece_start, piece_end))
                whole = [
                    s for s in found if s.score >= VALID_SCORE and s.start <= piece_start + 1 and s.end == piece_end
                ]
                if whole:
                    return whole
        return None

    def _without_a_neighbour(self, text, start, end):
        """No number in the window, but one without its first or its last word, where that
        word is a number apart (a ZIP code, PIN code or year; a card or account number)
        next to a whole national number ("IL 62704 020 7946 0958", "06571992416 720695"),
        or any word next to a number written unmistakably as one ("since 1999
        1.555.123.4567"). Other windows (runs of figures) are not parsed again."""
        value = text[start:end]
        first = _FIRST_WORD.match(value)
        if first is None or _digit_count(value) < 10:
            return []
        last = _LAST_WORD.search(value)
        pieces = (
            (start + first.end(), end, _NUMBER_APART.fullmatch(first.group().rstrip())),
            (start, start + last.start(), _NUMBER_APART.fullmatch(last.group().lstrip())),
        )
        for piece_start, piece_end, number_apart in pieces:
            piece = _EXTENSION.sub("", text[piece_start:piece_end])
            unmistakable = _NANP_SHAPE.fullmatch(piece) or _UNMISTAKABLE_START.match(piece)
            if not unmistakable and not (number_apart and _whole_number(piece)):
                continue
            if self._worth_parsing(piece):
                # Where the neighbour was cut off, digits next to the number are that neighbour's.
                apart = (piece_start,) if piece_end == end else (piece_end,)
                found = self._numbers_in(text, piece_start, piece_end, apart=apart if number_apart else ())
                if found:
                    return found
        return []

    @staticmethod
    def _pieces(text, window):
        """The window less a "24/7" after it, or where it lists several numbers, each of them."""
        start, end = window.span()
        fraction = _FRACTION_AFTER.search(text, start, end)
        if fraction:
            end = fraction.start()
        if _digit_count(text[start:end]) <= MAX_PHONE_DIGITS or not _LIST_SEPARATOR.search(text, start, end):
            return [(start, end)]
        pieces = []
        for separator in _LIST_SEPARATOR.finditer(text, start, end):
            pieces.append((start, separator.start()))
            start = separator.end()
        pieces.append((start, end))
        return pieces

    @staticmethod
    def _worth_parsing(value):
        """`phonenumbers` costs tens of microseconds per region; spare it windows that
        cannot be a phone number: too few digits, more than E.164's fifteen (card
        numbers, IBAN tails, ID numbers), or exactly a date."""
        digits = _digit_count(_EXTENSION.sub("", value))
        return 7 <= digits <= MAX_PHONE_DIGITS and not _NUMERIC_DATE.fullmatch(value)

    def _numbers_in(self, text, offset, end, apart=()):
        best = {}  # (start, end) -> Span; one number may match in several regions
        value = text[offset:end]
        international = value.lstrip("(").startswith("+")
        for region in self.regions[:1] if international else self._plausible_regions(value):
            never = False
            for match in PhoneNumberMatcher(value, region, leniency=Leniency.POSSIBLE):
                start, stop = offset + match.start, offset + match.end
                span = self._score(text, start, stop, match, apart)
                if span is NEVER:
                    never = never or (match.start == 0 and match.end == len(value))
                    continue
                previous = best.get((start, stop))
                if span and (previous is None or span.score > previous.score):
                    best[(start, stop)] = span
            if never or any(span.end - span.start == len(value) for span in best.values()):
                # The whole window is a number (the most likely region has it), or it is
                # another kind of number whatever the region.
                break
        unparsed = not best and _digit_count(value) <= MAX_PHONE_DIGITS and not _looks_like_figures(value)
        announced = unparsed and _announced(text, offset, end) and not _is_amount(text, offset, end)
        if unparsed and ((international and _has_country_code(value)) or announced):
            # "call me on 0068872995", "+54 9 3416 4388": no numbering plan accepts the
            # length, but the text or the "+country code" says it is a phone number.
            return [Span("PHONE", offset, end, UNPARSED_SCORE)]
        return list(best.values())

    def _plausible_regions(self, value):
        """Regions whose numbers can have this many digits: parsing in the others is wasted."""
        digits = _digit_count(_EXTENSION.sub("", value))
        plausible = [region for region in self.regions if digits in self._national_lengths[region]]
        # Dialled abroad ("011 44 20 ...", "0044 20 ..."): a region whose call prefix it is.
        abroad = _INTERNATIONAL_PREFIX.match(value)
        if abroad:
            dialling = _DIALLING_REGIONS[abroad.group(1)]
            plausible = [r for r in self.regions if r in dialling] + [r for r in plausible if r not in dialling]
        return plausible or self.regions  # several numbers in one window: let the matcher split them

    @staticmethod
    def _score(text, start, end, match, apart=()):
        raw = match.raw_string
        if raw.startswith("(") and ")" not in raw:
            raw, start = raw[1:], start + 1  # "(555-123-4567)": the brackets are around the number
        number = match.number
        core = _EXTENSION.sub("", raw)
        plus = core.lstrip("(").startswith("+")
        # Unmistakable phone writing: "+", a bracketed area code, North American grouping, an
        # extension. Such a number may stand right next to other digits ("IL 62704 555-...").
        unmistakable = bool(
            plus or number.extension or _BRACKETED_AREA_CODE.search(core) or _NANP_SHAPE.fullmatch(core)
        )
        # NEVER: not a phone number whatever the region; None: not in this region.
        if not unmistakable and (
            _looks_like_figures(raw) or _YEAR_RANGE.match(raw)
            or _inside_longer_number(text, start, end, apart)
        ):
            return NEVER
        named_otherwise = _named_otherwise(text, start)
        if not plus and (named_otherwise or _is_amount(text, start, end)):
            return NEVER
        digits = "".join(_DIGIT_GROUP.findall(core))
        announced = not named_otherwise and _context_word_near(text, start, end)
        if not (plus or announced):
            glued = _CODE_BEFORE.search(text, max(0, start - 2), start)
            if glued or (not unmistakable and _looks_like_other_number(core)):
                return NEVER
        # What is_valid_number does, with the region looked up once (the lookup tries every
        # region of a shared country code, 25 for +1) and kept for the locale below.
        region = phonenumbers.region_code_for_number(number)
        valid = phonenumbers.is_valid_number_for_region(number, region)
        # "+" and a country code; "00"/"011" and a country code only for a valid number.
        international = plus or (valid and _dialled_abroad(digits, number.country_code))
        if not (international or announced):
            if len(digits) < 8 and not _WRITTEN_EXTENSION.search(raw):
                return None  # seven digits, no area code, no extension: too often something else
            if not (unmistakable or _written_like_a_phone(core, valid)):
                return None
        locale = REGION_LOCALES.get(region, "")
        return Span("PHONE", start, end, VALID_SCORE if valid else POSSIBLE_SCORE, locale)


def _unmistakable(value):
    """Written as only phone numbers are: "+", a bracketed area code first, North American grouping."""
    core = _EXTENSION.sub("", value)
    return core.lstrip("(").startswith("+") or _UNMISTAKABLE_START.match(core) or _NANP_SHAPE.fullmatch(core)


def _whole_number(piece):
    """Ten to twelve digits, or eight and more in three groups or after a trunk "0"
    ("910 188 308", "07303/61397912"); not more figures."""
    groups = _DIGIT_GROUP.findall(piece)
    digits = sum(map(len, groups))
    grouped = digits >= 8 and (len(groups) > 2 or (len(groups) > 1 and piece[0] == "0"))
    return (10 <= digits <= 12 or grouped) and not _looks_like_figures(piece)


def _may_have_neighbours(value):
    """Several words, one of them maybe a number apart: a "+", a bracket, North American
    grouping, or a first or last word that is a number of its own."""
    words = value.split()
    if len(words) < 2 or _IN_FOURS.fullmatch(value):
        return False  # one word, or a card number or an IBAN's tail
    if "+" in value or "(" in value or _NANP_SHAPE.search(value):
        return True
    digits = _digit_count(value)
    return any(
        _NUMBER_APART.fullmatch(word) and 8 <= digits - len(word) <= MAX_PHONE_DIGITS
        for word in (words[0], words[-1])
    )


def _without_neighbours(text, start, end):
    """Where the phone number in the window starts and ends, and whether a number stands
    next to it: in "MD 45466 519-761-0562" the ZIP code is not part of the phone number,
    in "193-466-5462 273 Courtney Ports" the house number is not."""
    value = text[start:end]
    first = _FIRST_WORD.match(value)
    if first is None:
        return start, end, ()
    apart = ()
    # The word before: not a trunk-prefixed area code ("072 578 246 7778"), unless a ZIP code.
    word = first.group().rstrip()
    if (word[0] != "0" or len(word) == 5) and not _unmistakable(value) and _unmistakable(value[first.end():]):
        start, value, apart = start + first.end(), value[first.end():], (start + first.end(),)
    last = _LAST_WORD.search(value)
    if last is not None:
        rest = _EXTENSION.sub("", value[:last.start()])
        if _NANP_SHAPE.fullmatch(rest) and not _NANP_SHAPE.fullmatch(_EXTENSION.sub("", value)):
            end, apart = start + last.start(), apart + (start + last.start(),)
    return start, end, apart


def _context_word_near(text, start, end, within=_CONTEXT_CHARS):
    """A context word shortly before the number, or a line's name right after it ("... office")."""
    before = PHONE_CONTEXT.search(text, max(0, start - within), start)
    return before is not None or PHONE_CONTEXT_AFTER.match(text, end) is not None


def _announced(text, start, end, within=_CONTEXT_CHARS):
    """A context word near the number, and no other kind of number named right before it."""
    return _context_word_near(text, start, end, within) and not _named_otherwise(text, start)


def _short_number_announced(text, start, end):
    """"Tel: 32 17 77", "call me on 842330", "32 17 77 office": six digits with a context word right next to them."""
    value = text[start:end]
    return (
        _digit_count(value) == SHORT_NUMBER_DIGITS and _announced(text, start, end, _SHORT_NUMBER_CONTEXT_CHARS)
        and not (_is_amount(text, start, end) or _looks_like_figures(value) or _NUMERIC_DATE.fullmatch(value))
    )


def _unannounced_other_number(text, start, end):
    """An IPv4 address or a card-length run of digits, with no context word near it."""
    value = text[start:end]
    other = _IPV4_SHAPE.fullmatch(value) or _LONG_BARE_DIGITS.fullmatch(value)
    return other is not None and not _announced(text, start, end)


def _named_otherwise(text, start):
    """"order no. 555-0100", "ISBN 0-689-51097-7", "Kontonummer 0123456789"."""
    return NOT_PHONE_CONTEXT.search(text, max(0, start - _CONTEXT_CHARS), start) is not None


def _is_amount(text, start, end):
    before = CURRENCY_BEFORE.search(text, max(0, start - 5), start)
    return before is not None or CURRENCY_AFTER.match(text, end) is not None


def _written_like_a_phone(core, valid):
    """Whether digits that look like no other kind of number are written as phone numbers
    are, short of the unmistakable ways ("+", brackets, North American grouping).

    Grouped in three or more (920 96 654, 41 6580-7355, 8 209 665 42 87), or in two after
    a trunk "0" (030 901820): a possible length is enough. Two groups otherwise: valid in
    a home region. Bare digits: ten as a North American number has them, its area code
    assigned or not (Faker's en_US numbers often are not), or ten to twelve valid in a
    home region (a country code without its "+" included). Eight or nine bare digits are
    as often a driver's licence, an SSN or a routing number: those need a context word.
    Masking errs towards the phone: a bare ten-digit account number valid somewhere gets
    masked too. Rows of figures (`_row_of_figures`) are not phone numbers.
    """
    groups = _DIGIT_GROUP.findall(core)
    if len(groups) == 1:
        return _NANP_DIGITS.fullmatch(core) is not None or (valid and len(core) in BARE_DIGITS)
    if _row_of_figures(core, groups):
        return False
    # A trunk prefix and groups: 030 901820, 059-943014, 0171-1234567.
    trunk = groups[0][0] == "0" and groups[0][:2] != "00" and min(map(len, groups)) >= 2
    return len(groups) > 2 or valid or trunk


def _row_of_figures(core, groups):
    """Scores and table rows: two groups of one digit ("4 3 1 0 9 4 10", "15-6 15-9"), or
    nothing but pairs of digits apart by spaces, with no trunk "0" ("69 78 71 70", a golfer's
    rounds). Phone numbers have at most one one-digit group, and pairs written so only after a
    trunk "0" (06 12 34 56 78) or a context word, which this is not asked about."""
    pairs_only = (
        len(groups) > 2 and all(len(group) == 2 for group in groups) and groups[0][0] != "0"
        and _SPACED_PAIRS.fullmatch(core) is not None
    )
    return pairs_only or sum(len(group) == 1 for group in groups) >= 2


def _looks_like_other_number(core):
    return bool(
        _DATE_SHAPE.fullmatch(core) or _DATE_AND_HOUR.fullmatch(core) or _THOUSANDS_SHAPE.fullmatch(core)
        or _DECIMAL_SHAPE.fullmatch(core)
        or _FOURS_SHAPE.fullmatch(core) or _ZIP_PLUS_FOUR.fullmatch(core) or _LAST_DIGIT_ALONE.search(core)
        or _YEARS.fullmatch(core)
    )


def _dialled_abroad(digits, country_code):
    """Written with an international call prefix: 0049 30 ..., 001-650-..., 011 44 ..."""
    code = str(country_code)
    return digits.startswith("00" + code) or digits.startswith("011" + code)


def _looks_like_figures(value):
    # "+61.7.5378.3830" has a one-digit group too, but no figure starts with "+".
    return not value.startswith("+") and _LOOKS_LIKE_FIGURES.search(value) is not None


def _has_country_code(value):
    try:
        phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    return True


def _inside_longer_number(text, start, end, apart=()):
    """A match that continues a digit group sequence ("4111 [1111 1111 1112]") is a piece
    of some longer number, not a phone number of its own; except where the neighbouring
    digits were found to be a number apart (`apart`: positions, "45466 [519-761-0562]")."""
    before = start not in apart and _GROUP_BEFORE.search(text[max(0, start - 2):start])
    return bool(before or (end not in apart and _GROUP_AFTER.match(text, end)))
