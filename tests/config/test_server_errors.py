"""With DEBUG off (the default), a server error under /api/ is a bare JSON 500: no traceback, no settings;
the error is logged, without the request's body."""
import logging

import pytest

pytestmark = pytest.mark.django_db


def test_a_server_error_is_json_without_details_and_logged_without_the_body(lead, client_for, monkeypatch, caplog):
    def fail(*args, **kwargs):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr("labeling.services.projects.create_project", fail)
    client = client_for(lead)
    client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        body = {"name": "body-secret-4711", "labels": [{"name": "a"}, {"name": "b"}]}
        response = client.post("/api/v1/projects/", body, format="json")
    assert response.status_code == 500 and response.json() == {"detail": "Internal server error"}
    assert b"Traceback" not in response.content and b"the database fell over" not in response.content
    assert "Internal Server Error: /api/v1/projects/" in caplog.text and "the database fell over" in caplog.text
    assert "body-secret-4711" not in caplog.text
