"""The one place where overlapping detections are settled."""
import bisect


def resolve_overlaps(spans):
    """Keep a set of non-overlapping spans, most trusted first.

    Spans are taken by descending score, then by length (a longer match of equal trust
    covers more of the entity), then by position; a span is dropped when it overlaps one
    already kept. Empty spans are dropped. The result is sorted by start.
    """
    starts, kept = [], []  # kept sorted by start; non-overlapping, so ends are sorted too
    for span in sorted(spans, key=lambda s: (-s.score, s.start - s.end, s.start)):
        if span.end <= span.start:
            continue
        at = bisect.bisect_left(starts, span.start)
        overlaps_next = at < len(kept) and kept[at].start < span.end
        overlaps_previous = at > 0 and kept[at - 1].end > span.start
        if not (overlaps_next or overlaps_previous):
            starts.insert(at, span.start)
            kept.insert(at, span)
    return kept
