"""The API's docs page (Swagger UI at /api/v1/docs/) in a real browser, signed in to the site: it loads nothing
from another host, and "Try it out" calls the API with the browser's session, CSRF token included."""
from urllib.parse import urlparse

import pytest

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_swagger_ui_works_with_the_session_and_loads_only_from_this_server(live_server, open_page, project):
    watch = open_page()
    page = watch.page
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    log_in(watch, live_server.url, "lead", "lead-password")
    page.goto(f"{live_server.url}/api/v1/docs/")
    # a POST, so the session needs the CSRF token
    operation = page.locator("#operations-projects-projects_external_ids_create")
    operation.locator(".opblock-summary-control").click()
    operation.locator("button.try-out__btn").click()
    operation.locator('tr[data-param-name="id"] input').fill(str(project.id))
    operation.locator("textarea.body-param__text").fill('{"ids": ["row-1"]}')
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert "pseudonyms" in operation.locator(".live-responses-table .microlight").first.inner_text()
    assert hosts == {urlparse(live_server.url).netloc}
    assert watch.errors == []
