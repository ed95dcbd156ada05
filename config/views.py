"""Views of the site rather than of an app: the token login, and Django's answers to a refused
request, an unknown path or a server error, which are JSON under /api/ like every other API error."""
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views import defaults
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class TokenLoginThrottle(SimpleRateThrottle):
    """LOOPLABEL_TOKEN_LOGIN_RATE attempts per client address, signed in or not, so passwords are slow to guess.

    The rate is read per request (DRF's scoped throttles read theirs once, at import), so a
    changed setting applies at once.
    """

    scope = "auth-token"

    def get_rate(self):
        return settings.LOOPLABEL_TOKEN_LOGIN_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenLoginView(ObtainAuthToken):
    """POST {username, password} -> {token}, with the site's parsers (ObtainAuthToken names DRF's own)
    and a rate limit."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    permission_classes = [AllowAny]  # as ObtainAuthToken's empty list, said so that the schema shows it public
    throttle_classes = [TokenLoginThrottle]


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request, exception):
    """What Django refuses as suspicious; under /api/ mostly a body above DATA_UPLOAD_MAX_MEMORY_SIZE, a 413."""
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return JsonResponse({"detail": f"The request body is larger than the limit of {limit} MB."}, status=413)
    return JsonResponse({"detail": "Bad request."}, status=400)


def page_not_found(request, exception):
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """No traceback and nothing of the request in the answer; Django logs the error (without the body)."""
    if is_api(request):
        return JsonResponse({"detail": "Internal server error"}, status=500)
    return defaults.server_error(request)
