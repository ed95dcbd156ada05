"""The one place where overlapping detections are settled."""
import bisect
import dataclasses


def resolve_overlaps(spans, text=None):
    """Non-overlapping spans that cover everything any detector found, most trusted first.

    Spans are taken by descending score, then by length (a longer match of equal trust
    covers more of the entity), then by position. A span that overlaps spans already
    taken keeps the parts of it they leave uncovered: where two detectors disagree on a
    boundary ("0660 475 13 89, Main Street" read as a phone number and as an address from
    "89"), the rest of the phone number is still masked. With `text`, such a part is
    trimmed of spaces and punctuation, and dropped when nothing else is left. Empty spans
    are dropped. The result is sorted by start.
    """
    starts, kept = [], []  # kept sorted by start; non-overlapping, so ends are sorted too
    for span in sorted(spans, key=lambda s: (-s.score, s.start - s.end, s.start)):
        for start, end in _uncovered(kept, starts, span.start, span.end):
            piece = span
            if (start, end) != (span.start, span.end):
                if text is not None:
                    start, end = _trimmed(text, start, end)
                piece = dataclasses.replace(span, start=start, end=end)
            if piece.end > piece.start:
                at = bisect.bisect_left(starts, piece.start)
                starts.insert(at, piece.start)
                kept.insert(at, piece)
    return kept


def _uncovered(kept, starts, start, end):
    """The pieces of [start, end) that no kept span covers."""
    pieces = []
    at = max(bisect.bisect_right(starts, start) - 1, 0)
    for other in kept[at:]:
        if other.start >= end:
            break
        if other.end <= start:
            continue
        if other.start > start:
            pieces.append((start, other.start))
        start = max(start, other.end)
    if start < end:
        pieces.append((start, end))
    return pieces


def _trimmed(text, start, end):
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end
