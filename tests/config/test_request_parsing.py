"""Every JSON endpoint refuses bodies nested too deeply (400) or too large (413) before a view runs."""
import json

import pytest

from config.parsers import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db

DEEP = "[" * 10_000 + "]" * 10_000


def _nested(levels):
    """An object whose `extra` holds lists nested so that the whole body has `levels` levels."""
    return json.dumps({"text": "x", "extra": json.loads("[" * (levels - 1) + "]" * (levels - 1))})


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/api/v1/auth/token/"), ("post", "/api/v1/projects/"), ("patch", "/api/v1/projects/{id}/"),
    ("post", "/api/v1/projects/{id}/annotations/"), ("patch", "/api/v1/projects/{id}/loop/"),
    ("post", "/api/v1/projects/{id}/predict/"), ("post", "/api/v1/privacy/preview/"),
])
def test_deeply_nested_json_is_400_everywhere(project, lead, client_for, method, path):
    client = client_for(lead)
    response = getattr(client, method)(path.format(id=project.id), DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."}


def test_the_depth_limit_is_exact(project, lead, client_for):
    client = client_for(lead)
    at_limit = client.post("/api/v1/privacy/preview/", _nested(MAX_JSON_DEPTH), content_type="application/json")
    assert at_limit.status_code == 200
    beyond = client.post("/api/v1/privacy/preview/", _nested(MAX_JSON_DEPTH + 1), content_type="application/json")
    assert beyond.status_code == 400


def test_a_json_body_above_the_limit_is_413_before_it_is_read(lead, project, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps({"text": "x" * (1024 * 1024 + 1)})
    response = client_for(lead).post("/api/v1/privacy/preview/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than the limit of 1 MB."}
