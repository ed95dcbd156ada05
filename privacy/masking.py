"""Placeholder masking (emails only) until the detector set lands."""
import re
from dataclasses import dataclass

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@dataclass(frozen=True)
class MaskResult:
    masked_text: str
    spans: list  # in original offsets
    masked_spans: list  # in masked-text offsets


def mask(text, *, strategy="tag", scope=""):
    out, spans, masked_spans, pos = [], [], [], 0
    for m in EMAIL.finditer(text):
        out.append(text[pos:m.start()])
        start = sum(len(p) for p in out)
        out.append("[EMAIL]")
        spans.append({"type": "EMAIL", "start": m.start(), "end": m.end()})
        masked_spans.append({"type": "EMAIL", "start": start, "end": start + 7})
        pos = m.end()
    out.append(text[pos:])
    return MaskResult("".join(out), spans, masked_spans)
