"""The pagination of every list endpoint (settings.py names it for DRF): DRF's limit and offset, within bounds.

DRF passes `?limit=` and `?offset=` to the database as they come, however large, and one beyond a 64-bit
integer was an OverflowError (a 500) on SQLite. A page holds at most MAX_LIMIT items; an offset past every
row is an empty page, as it always was, so a larger one is read as MAX_OFFSET.
"""
from rest_framework import pagination

MAX_LIMIT = 1000
MAX_OFFSET = 2**62  # far past any table, and with MAX_LIMIT added still within a signed 64-bit integer


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_OFFSET)
