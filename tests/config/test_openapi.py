"""The OpenAPI schema (`GET /api/v1/schema/`) is valid, complete and served without the network; the docs page
(`/api/v1/docs/`, Swagger UI) loads only files this server serves itself."""
import re
import socket
from html.parser import HTMLParser
from ipaddress import ip_address

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from .conftest import operations

API_PREFIX = "/api/"
# The one path under /api/ that is no API: the HTML page that shows the schema.
DOCS_PAGE = "/api/v1/docs/"


def test_the_schema_validates_without_a_warning(tmp_path):
    """What `manage.py spectacular --validate --fail-on-warn` checks: OpenAPI 3 validity, and nothing the
    generator had to guess (a view it could not read, a type it defaulted)."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def _routes(resolver=None, prefix="/"):
    """(path as the schema writes it, callback) of every URL pattern, through every include."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + _template(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def _template(pattern) -> str:
    """`projects/<int:project_id>/` and `^projects/(?P<pk>[^/.]+)/$` as `projects/{project_id}/`, `projects/{id}/`."""
    text = str(pattern).removeprefix("^").removesuffix("$")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.replace("{pk}", "{id}")  # as DRF's schemas name a viewset's lookup


def _methods(callback) -> set[str]:
    """The methods a view answers: of those it allows, a viewset's mapped actions or an APIView's handlers."""
    view_class = callback.cls
    handled = callback.actions if getattr(callback, "actions", None) else [
        name for name in view_class.http_method_names if hasattr(view_class, name)]
    return {method.upper() for method in handled if method in view_class.http_method_names} - {"HEAD", "OPTIONS"}


def test_every_api_url_is_in_the_schema_with_its_methods(openapi_schema):
    served = {(method, path) for path, callback in _routes() if path.startswith(API_PREFIX)
              for method in _methods(callback)}
    assert ("GET", DOCS_PAGE) in served
    assert served - {("GET", DOCS_PAGE)} == set(operations(openapi_schema))


def test_every_operation_documents_its_errors_and_auth(openapi_schema):
    for method, path in operations(openapi_schema):
        operation = openapi_schema["paths"][path][method.lower()]
        responses = operation["responses"]
        assert any(code < "300" for code in responses), (method, path)
        assert "Retry-After" in responses["503"]["headers"], (method, path)  # a database that is not answering
        public = {} in operation["security"]
        if not public:
            assert {"401", "403"} <= set(responses), (method, path)
            assert {"tokenAuth": []} in operation["security"] and {"cookieAuth": []} in operation["security"]
        if "{" in path:
            assert "404" in responses, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), (method, path)
        for code, response in responses.items():
            if code >= "400":
                schema = response["content"]["application/json"]["schema"]["$ref"]
                assert schema in {"#/components/schemas/Error", "#/components/schemas/FieldErrors"}, (method, path)
    public = {(method, path) for method, path in operations(openapi_schema)
              if {} in openapi_schema["paths"][path][method.lower()]["security"]}
    assert public == {("POST", "/api/v1/auth/token/"), ("GET", "/api/v1/schema/")}


class _Assets(HTMLParser):
    """Every URL a page loads: scripts, style sheets, icons, images."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "img", "iframe"} and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


@pytest.fixture
def no_network(monkeypatch):
    """Connections and name look-ups beyond this machine fail (and are recorded): the test database and
    broker on 127.0.0.1 still work."""
    attempts = []
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def local(host) -> bool:
        try:
            return ip_address(host).is_loopback
        except ValueError:
            return host == "localhost"

    def guarded_connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not local(address[0]):
            attempts.append(address)
            raise OSError(f"no network in this test: {address}")
        return connect(sock, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host is not None and not local(str(host)):
            attempts.append(host)
            raise socket.gaierror(f"no network in this test: {host}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    return attempts


@pytest.mark.django_db
def test_the_schema_and_the_docs_page_need_no_network(client, lead, no_network):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "Looplabel"
    client.force_login(lead)  # the page is for a browser signed in to the site
    page = client.get(DOCS_PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "SwaggerUIBundle" in html and '"/api/v1/schema/"' in html
    assert not re.search(r"https?://", html), "the page names another host"
    assert '"validatorUrl": null' in html  # Swagger UI's default sends the schema's address to its validator
    assets = _Assets()
    assets.feed(html)
    assert len(assets.urls) >= 3  # Swagger UI's script, its preset and its style sheet
    for url in assets.urls:
        assert url.startswith("/static/"), url
        served = client.get(url)
        assert served.status_code == 200, url
        b"".join(served.streaming_content if served.streaming else [served.content])
    assert no_network == []


@pytest.mark.django_db
def test_the_docs_page_sends_the_session_csrf_token_with_its_requests(client, lead):
    """Swagger UI's "Try it out" calls the API with the browser's session, which needs the CSRF token for writes."""
    client.force_login(lead)
    html = client.get(DOCS_PAGE).content.decode()
    token = re.search(r'request\.headers\["X-CSRFTOKEN"\] = "([^"]+)"', html)
    assert token and token.group(1)
