"""Email addresses, URLs and IP addresses."""
import ipaddress
import re

from .base import Detector, Span, count_digits

EMAIL_PATTERN = re.compile(
    r"(?<![\w.%+-])"
    r"[\w%+-]+(?:\.[\w%+-]+)*"  # local part: no leading, trailing or doubled dots
    r"@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+"
    r"[^\W\d_]{2,24}"  # top-level domain: letters only
    r"(?![\w-])",
    re.ASCII,  # ASCII addresses only: "邮箱bob@example.com" must not take the Han characters along
)


class EmailDetector(Detector):
    entity_types = ("EMAIL",)

    def detect(self, text):
        if "@" not in text:
            return []
        return [Span("EMAIL", m.start(), m.end(), 0.95) for m in EMAIL_PATTERN.finditer(text)]


# Bare domains ("shop.example.de") count as URLs only under these top-level domains:
# the common generic ones and every two-letter country code. The TLD must be lowercase,
# so a missing space after a full stop ("end.It") is not taken for a domain.
GENERIC_TLDS = (
    "com|org|net|edu|gov|mil|int|info|biz|name|pro|mobi|app|dev|io|ai|co|shop|online|"
    "site|tech|store|blog|cloud|xyz|top|club|news|live|email|link|page|art|design"
)
# Characters a URL keeps unescaped, less quotes and brackets that usually surround it.
_URL_CHARACTER = r"[\w!#$%&()*+,\-./:;=?@~]"
_URL_TAIL = rf"(?:[/?#]{_URL_CHARACTER}*)?"
URL_PATTERN = re.compile(
    r"(?<![\w@.-])(?:"
    rf"(?:https?|ftp)://{_URL_CHARACTER}+"
    r"|www\.(?:[^\W_][\w-]*\.)+[^\W\d_]{2,}" + _URL_TAIL
    + r"|(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:" + GENERIC_TLDS + r"|[a-z]{2})(?![\w@-]|\.[^\W_])" + _URL_TAIL
    + r")",
    re.ASCII,
)
# Punctuation that usually ends the sentence rather than the URL.
_TRAILING_PUNCTUATION = ".,;:!?'\"”’»"


def _trim_url(text, start, end):
    while end > start and text[end - 1] in _TRAILING_PUNCTUATION:
        end -= 1
    # A closing bracket belongs to the URL only if the URL opened one: (see http://x.y/a_(b)).
    while end > start and text[end - 1] == ")" and text.count("(", start, end) < text.count(")", start, end):
        end -= 1
    return end


# Every URL form has one of these; most texts have none, which spares the full pattern.
URL_HINT = re.compile(r"://|www\.|[^\W_]\.[a-z]{2}", re.ASCII)


class UrlDetector(Detector):
    entity_types = ("URL",)

    def detect(self, text):
        if not URL_HINT.search(text):
            return []
        spans = []
        for m in URL_PATTERN.finditer(text):
            start, value = m.start(), m.group()
            end = _trim_url(text, start, m.end())
            if "://" in value or value[:4].lower() == "www.":
                score = 0.9
            else:
                score = 0.5  # a bare domain: likely, but file names and typos look alike
            if end > start:
                spans.append(Span("URL", start, end, score))
        return spans


IPV4_PATTERN = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)", re.ASCII)
# Candidates only; `ipaddress` decides. Covers full, compressed (::) and IPv4-suffixed forms.
IPV6_PATTERN = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:]|\.\d)",
    re.ASCII,
)


class IpAddressDetector(Detector):
    entity_types = ("IP_ADDRESS",)

    def detect(self, text):
        spans = []
        if "." in text and count_digits(text) >= 4:
            for m in IPV4_PATTERN.finditer(text):
                if _is_ip(m.group(), ipaddress.IPv4Address):
                    spans.append(Span("IP_ADDRESS", m.start(), m.end(), 0.9))
        if text.count(":") >= 2:
            for m in IPV6_PATTERN.finditer(text):
                value = m.group()
                # "::" alone or clock times ("14:56:41") are not addresses worth masking.
                if sum(c.isalnum() for c in value) >= 3 and _is_ip(value, ipaddress.IPv6Address):
                    spans.append(Span("IP_ADDRESS", m.start(), m.end(), 0.9))
        return spans


def _is_ip(value, address_class):
    try:
        address_class(value)
    except ValueError:
        return False
    return True
