"""A database that is gone for a moment (restarting, failing over, a dropped connection) is a 503, not a 500.

Django raises OperationalError or InterfaceError when the database does not answer: the server
closed the connection under a request, or refuses new ones while it restarts. The transaction
the request was in rolled back with the connection (the server finishes no transaction whose
client is gone), so a client may simply repeat it, which a 503 with Retry-After says. The
broken connection is dropped and the next request opens a new one (CONN_HEALTH_CHECKS in
settings). This covers every view, the API's and the pages'; DRF hands errors it does not know on
to Django, which offers them here.
"""
import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

from .views import is_api

logger = logging.getLogger(__name__)

# A restart of PostgreSQL takes a few seconds.
RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is not answering right now (it may be restarting); try again in a few seconds."


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("database unavailable during %s %s (%s: %s)", request.method, request.path,
                       type(exception).__name__, exception)
        response = (JsonResponse({"detail": MESSAGE}, status=503) if is_api(request)
                    else HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8"))
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
