"""Domain errors to HTTP responses, in one place."""
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import LabelingError


def exception_handler(exc, context):
    if isinstance(exc, LabelingError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return Response({"detail": exc.message}, status=exc.status_code, headers=headers)
    return drf_exception_handler(exc, context)
