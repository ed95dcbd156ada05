"""Person names by rule, and the name lists the model detector (entities.py) reads too.

A run of capitalised words is a name when context says so (a title such as "Dr.", "my
name is", "Dear", a signature after "Regards,"), or when it contains a first name from
Faker's per-locale lists; so are initials before a surname ("J. Adams"). Chinese names are a known surname followed by a known given
name, or any two or three Han characters after "我叫" and the like.
"""
import importlib
import re

from .base import Detector, Span
from .english import is_english_word

NAME_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "en_IN")


def _load_names(attribute, locales):
    """name -> locale of the first list it appears in."""
    names = {}
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for name in getattr(provider, attribute):
            names.setdefault(name, locale)
    return names


# Capitalised English, German and French words that are also in the first-name lists.
# Without them every sentence starting "May I" or "Will you" would hold a name.
COMMON_WORDS = frozenset(
    """
    A About All Also Am An And Angel Any April Art As Ash At August Autumn Be Bill Bob Brook But By Can Cash
    Chance Charity Chase Christian Christmas Clay Cliff Crystal Dale Dawn Day Deacon Destiny Dean Do Don Dusty
    Easter Eden Else Ever Faith Fern For Forest Frank From Gay Gene Ginger Glen Gold Grace Grant Guy Harmony Hazel
    Heather Her Here His Holly Honey Hope How If In Iris Is It Ivy Jack Jade Jay Joy June Justice Just King Lake
    Lane Laurel Liberty Lily Long Love Major Mark May Me Miles Misty My No Not Now Of Ok On Or Page Patience Pearl
    Penny Poppy Price Rain Ray Rich River Robin Rock Rose Ruby Rusty Sage Sandy She Sky So Star Sterling Stone
    Summer Sunny That The Then There They This To Trinity Unity Up Violet We Well When Will With Winter Wood Yes
    You Young Your Apt Apartment Suite Unit Flat
    Alle Aber Als Am Auch Bei Das Dem Den Der Die Ein Eine Er Es Ernst Für Ich Ihr Im In Ist Kai Mit Nach Nur Sie
    So Um Und Von Vor Was Wir Zu Deniz
    Avec Ce Ces Dans De Des Du Elle En Et Il Ils Je La Le Les Mais Nous On Ou Par Pour Sur Un Une Vous
    German English French Jesus Mercedes Paris London Berlin Victoria Georgia Virginia Carolina Dakota Jordan
    India China Sydney Austin Dallas
    Houston Phoenix Florence Lourdes Chelsea Camden Devon Kent Lincoln Washington Jefferson Madison
    """.split()
)
# Words that make a run of capitalised words a company or an institution, not a person:
# "Alma Media Group", "Marimekko Oyj", "Neste Oil".
ORGANIZATION_WORDS = frozenset(
    """
    AB AG ASA Agency Airlines Association Bank Bancorp Capital Co Communications Company Corp Corporation
    Council Energy Fund GmbH Group Holding Holdings Inc Industries Institute Insurance International KG Limited
    LLC LLP Ltd Media Ministry Motors NV Networks Oil Oy Oyj Partners Pharma Pharmaceuticals Plc PLC Resources
    SA SE SpA Systems Technologies Technology Telecom University
    """.split()
)
_ALL_FIRST_NAMES = _load_names("first_names", NAME_LOCALES)
FIRST_NAMES = {name: locale for name, locale in _ALL_FIRST_NAMES.items() if name not in COMMON_WORDS}
# "Frank", "Grace", "Christian": names only when a known last name follows ("Frank Harvey").
AMBIGUOUS_FIRST_NAMES = {name: locale for name, locale in _ALL_FIRST_NAMES.items() if name in COMMON_WORDS}
LAST_NAMES = frozenset(_load_names("last_names", NAME_LOCALES)) - COMMON_WORDS
# First names of every Latin-script locale Faker knows: too broad to make a capitalised word
# a name by itself, but enough to tell a person from an organisation the model found.
WORLD_NAME_LOCALES = (
    "az_AZ cs_CZ da_DK de_AT de_CH de_DE en_GB en_IE en_IN en_KE en_NZ en_PK en_TH en_US es_AR es_CO es_ES es_MX "
    "et_EE fi_FI fr_BE fr_CA fr_CH fr_DZ fr_FR ga_IE hr_HR hu_HU id_ID is_IS it_IT lt_LT lv_LV nl_BE nl_NL no_NO "
    "pl_PL pt_BR pt_PT ro_RO sk_SK sl_SI sv_SE sw tr_TR tw_GH uz_UZ yo_NG zu_ZA"
).split()
WORLD_FIRST_NAMES = frozenset(_load_names("first_names", WORLD_NAME_LOCALES)) - COMMON_WORDS
WORLD_LAST_NAMES = frozenset(_load_names("last_names", WORLD_NAME_LOCALES)) - COMMON_WORDS
# Romanised Chinese names, so that "Zhang Wei" is found in English text too.
_CHINESE_PERSON = importlib.import_module("faker.providers.person.zh_CN").Provider
FIRST_NAMES.update((name, "zh_CN") for name in _CHINESE_PERSON.first_romanized_names if name not in COMMON_WORDS)
LAST_NAMES |= frozenset(_CHINESE_PERSON.last_romanized_names) - COMMON_WORDS

_LATIN = [chr(code) for code in range(0x41, 0x250)]
_UPPER = "".join(c for c in _LATIN if c.isupper())
_LOWER = "".join(c for c in _LATIN if c.islower())
# Tamara, O'Neil, McDonald, Jean-Luc, Mikolčić
NAME_WORD = rf"[{_UPPER}](?:['’][{_UPPER}])?[{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?(?:-[{_UPPER}][{_LOWER}]+)?"
PARTICLES = r"van|von|der|den|de|da|del|della|di|du|le|la|bin|ibn|al"
NAME_RUN = re.compile(rf"(?<![\w'’-]){NAME_WORD}(?:[ \t]+(?:(?:{PARTICLES})[ \t]+){{0,2}}{NAME_WORD})*(?![\w'’])")
_WORD = re.compile(rf"{NAME_WORD}|(?:{PARTICLES})\b")

# "J. Adams", "T.O'Gorman", "J.R. Smith": the way lists, bylines and scorecards name people.
INITIALS_AND_SURNAME = re.compile(
    rf"(?<![\w.])(?:[{_UPPER}]\.[ \t]?){{1,2}}(?P<surname>{NAME_WORD})(?![\w'’])"
)

TITLES = frozenset(
    "Mr Mrs Ms Miss Mx Dr Prof Sir Dame Lady Lord Rev Herr Frau Mme Mlle Monsieur Madame Mademoiselle "
    "Univ Dipl Ing".split()
)
# Only a title's first letter may change case: "mrs. Smith" is a title, "MS SharePoint" is not.
_TITLE_SPELLINGS = TITLES | {title[0].lower() + title[1:] for title in TITLES} | {"Univ.Prof", "Dipl.-Ing"}
# Lower-case name particles, and their capitalised forms inside a name ("Alix Le Bernier").
_PARTICLES = frozenset(PARTICLES.split("|"))
# Words right before a run of capitalised words that make it a name (compared casefolded).
CONTEXT_PHRASES = (
    "my name is", "name:", "i am", "i'm", "call me", "dear", "signed", "sincerely", "regards", "best", "thanks",
    "thank you", "cheers", "grüße", "grüßen", "gruß", "ich heiße", "mein name ist", "je m'appelle", "je suis",
    "cordialement", "bien à vous", "salutations",
)
_PHRASES_BY_LAST_WORD = {}
for _phrase in CONTEXT_PHRASES:
    _PHRASES_BY_LAST_WORD.setdefault(_phrase.split()[-1], []).append(_phrase.split())
_CONTEXT_CHARS = 24


def _follows_context(text, start):
    """Does a title or a phrase such as "my name is" or "Regards,\n" end right before `start`?"""
    tail = text[max(0, start - _CONTEXT_CHARS):start].rstrip(" \t")
    if tail.endswith("\n"):
        tail = tail.rstrip()  # a signature: "Regards,\nJane Doe"
    words = tail.rstrip(",").split()
    if not words:
        return False
    last = words[-1]
    # French "M." must be capitalised and stand alone, or every "p.m." would be a title.
    if last.rstrip(".") in _TITLE_SPELLINGS or last == "M.":
        return True
    for phrase in _PHRASES_BY_LAST_WORD.get(last.casefold(), ()):
        if [word.casefold() for word in words[-len(phrase):]] == phrase:
            return True
    return False


_HAN_SURNAMES = sorted(_CHINESE_PERSON.last_names, key=len, reverse=True)
_HAN_GIVEN = sorted(_CHINESE_PERSON.first_names, key=len, reverse=True)
CHINESE_NAME = re.compile("(?:" + "|".join(_HAN_SURNAMES) + ")(?:" + "|".join(_HAN_GIVEN) + ")")
CHINESE_NAME_AFTER_CONTEXT = re.compile(r"(?:我叫|名叫|姓名[:：]?|联系人[:：]?)\s*([\u4e00-\u9fff]{2,3})")
_HAN = re.compile(r"[\u4e00-\u9fff]")

CONTEXT_SCORE = 0.85
FULL_NAME_SCORE = 0.65
FIRST_NAME_ONLY_SCORE = 0.5


class PersonDetector(Detector):
    entity_types = ("PERSON",)

    def detect(self, text):
        spans = []
        for run in NAME_RUN.finditer(text):
            span = self._name_in_run(text, run)
            if span:
                spans.append(span)
        for name in INITIALS_AND_SURNAME.finditer(text):
            surname = name.group("surname")  # not "U.S. Army"
            if surname not in ORGANIZATION_WORDS and (not is_english_word(surname) or is_known_name(surname)):
                spans.append(Span("PERSON", name.start(), name.end(), FIRST_NAME_ONLY_SCORE))
        if not text.isascii() and _HAN.search(text):
            for m in CHINESE_NAME.finditer(text):
                spans.append(Span("PERSON", m.start(), m.end(), FIRST_NAME_ONLY_SCORE, "zh_CN"))
            for m in CHINESE_NAME_AFTER_CONTEXT.finditer(text):
                spans.append(Span("PERSON", m.start(1), m.end(1), CONTEXT_SCORE, "zh_CN"))
        return spans

    def _name_in_run(self, text, run):
        words = [(m.start() + run.start(), m.end() + run.start(), m.group()) for m in _WORD.finditer(run.group())]
        titled = False
        while words and words[0][2] in TITLES:
            words, titled = words[1:], True  # "Mr Smith": the title is context, not part of the name
        while words and words[-1][2].islower():
            words = words[:-1]  # a trailing particle
        if not words or any(word in ORGANIZATION_WORDS for _, _, word in words):
            return None
        if titled or _follows_context(text, words[0][0]):
            words = words[:3]
            return Span("PERSON", words[0][0], words[-1][1], CONTEXT_SCORE, self._locale(words))
        for index, (_, _, word) in enumerate(words):
            given = word.split("-")[0]  # "Jean-Luc": the first part is the one in the lists
            following = words[index + 1][2] if index + 1 < len(words) else ""
            if given in FIRST_NAMES or (given in AMBIGUOUS_FIRST_NAMES and following in LAST_NAMES):
                first = index - 1 if index and words[index - 1][2] in LAST_NAMES else index  # "Zhang Wei"
                last = self._surname_end(words, index)
                score = FULL_NAME_SCORE if last > first else FIRST_NAME_ONLY_SCORE
                locale = FIRST_NAMES.get(given) or AMBIGUOUS_FIRST_NAMES[given]
                return Span("PERSON", words[first][0], words[last][1], score, locale)
        return None

    @staticmethod
    def _surname_end(words, index):
        """Index of the last word of the name whose given name is words[index]: up to two
        more capitalised words, particles allowed in between ("Ludwig van Beethoven")."""
        last, taken = index, 0
        for position in range(index + 1, len(words)):
            word = words[position][2]
            if word.casefold() in _PARTICLES:
                continue
            if taken == 2 or word in COMMON_WORDS:
                break
            last, taken = position, taken + 1
        return last

    @staticmethod
    def _locale(words):
        return next((FIRST_NAMES[word] for _, _, word in words if word in FIRST_NAMES), "")


def is_known_name(word) -> bool:
    """A first or last name in Faker's lists of any Latin-script locale."""
    return word in WORLD_FIRST_NAMES or word in WORLD_LAST_NAMES or word in LAST_NAMES
