"""The request parsers of every REST endpoint, whichever app it belongs to (settings.py names them
for DRF): JSON with a nesting limit, file uploads with a size limit.

The limits live here, before any view runs, so that no endpoint can forget them: such a body is a
4xx with a message, never a 500 or a file left on disk. Other bodies are held to Django's own
DATA_UPLOAD_MAX_MEMORY_SIZE (DRF reads them through `request.body`; config/views.py answers 413).
No views are imported here: DRF loads this module while it defines its APIView.
"""
from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

MAX_JSON_DEPTH = 64
TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "upload_too_large"


class JSONParser(parsers.JSONParser):
    """JSON nested at most MAX_JSON_DEPTH levels deep.

    Python's json module and the serializers after it recurse once per level, so a body of 10,000
    nested brackets was a RecursionError (a 500).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # the json module's own guard, at Python's recursion limit
            raise ParseError(TOO_DEEP) from None
        if _nesting_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        return data


def _nesting_depth(value) -> int:
    """Levels of arrays and objects in parsed JSON (0 for a scalar), counted without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending and deepest <= MAX_JSON_DEPTH:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in children)
    return deepest


class MultiPartParser(parsers.MultiPartParser):
    """Uploads up to LOOPLABEL_MAX_UPLOAD_MB, refused by their Content-Length before any byte is read.

    Django limits the form fields of an upload but not its files; the body can be no longer than
    Content-Length says, so nothing larger reaches a temporary file or the uploads folder.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            length = int(parser_context["request"].META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # as Django reads it: no body
        limit_mb = settings.LOOPLABEL_MAX_UPLOAD_MB
        if length > limit_mb * 1024 * 1024:
            raise UploadTooLarge(f"The upload is larger than the limit of {limit_mb} MB (LOOPLABEL_MAX_UPLOAD_MB); "
                                 "split the file or ask an administrator to raise the limit.")
        return super().parse(stream, media_type, parser_context)
