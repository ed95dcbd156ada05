"""Every endpoint of the schema, called by every role, answers the status the access rules promise.

The operations come from the OpenAPI schema, so a new endpoint is walked as soon as it exists, and it fails
here until it has its row in EXPECTED. Each call runs in a transaction that is undone, so all of them find the
same world (tests/config/conftest.py): a project with texts, labels, a model version and a PII report.
Anonymous callers get 401 wherever authentication is needed; outsiders and staff get 404 for a project (as
for a missing one); annotators 403 for a lead's action; only members with can_view_raw read originals (others
get the 404 of a missing document); nothing is a 5xx.
"""
import pytest
from rest_framework.test import APIClient

from labeling.services import queue
from labeling.services.projects import role_in

from ..conftest import Upload
from .conftest import operations, rolled_back

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "annotator", "raw_viewer", "lead", "staff")

# (METHOD, path): the status for each role, in the order of ROLES.
EXPECTED = {
    ("POST", "/api/v1/auth/token/"): (200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/schema/"): (200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/jobs/{id}/"): (401, 404, 404, 404, 200, 404),
    ("GET", "/api/v1/privacy/audit/"): (401, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/privacy/preview/"): (401, 403, 200, 200, 200, 200),
    ("GET", "/api/v1/projects/"): (401, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/projects/"): (401, 403, 403, 403, 201, 403),
    ("GET", "/api/v1/projects/{id}/"): (401, 404, 200, 200, 200, 404),
    ("PATCH", "/api/v1/projects/{id}/"): (401, 404, 403, 403, 200, 404),
    ("POST", "/api/v1/projects/{id}/annotations/"): (401, 404, 201, 201, 201, 404),
    ("GET", "/api/v1/projects/{id}/audit/"): (401, 404, 403, 403, 200, 404),
    # Members with can_view_raw: the raw-text viewer, and the lead who created the project.
    ("GET", "/api/v1/projects/{id}/documents/{document_id}/original/"): (401, 404, 404, 200, 200, 404),
    ("GET", "/api/v1/projects/{id}/export/"): (401, 404, 403, 403, 200, 404),
    ("POST", "/api/v1/projects/{id}/external-ids/"): (401, 404, 403, 403, 200, 404),
    ("POST", "/api/v1/projects/{id}/import/"): (401, 404, 403, 403, 202, 404),
    ("GET", "/api/v1/projects/{id}/jobs/"): (401, 404, 403, 403, 200, 404),
    ("GET", "/api/v1/projects/{id}/leases/"): (401, 404, 200, 200, 200, 404),
    ("GET", "/api/v1/projects/{id}/members/"): (401, 404, 403, 403, 200, 404),
    ("POST", "/api/v1/projects/{id}/members/"): (401, 404, 403, 403, 201, 404),
    ("GET", "/api/v1/projects/{id}/next/"): (401, 404, 200, 200, 200, 404),
    ("GET", "/api/v1/projects/{id}/pii-reports/"): (401, 404, 403, 403, 200, 404),
    ("POST", "/api/v1/projects/{id}/pii-reports/{report_id}/resolve/"): (401, 404, 403, 403, 200, 404),
    ("POST", "/api/v1/projects/{id}/report-pii/"): (401, 404, 201, 201, 201, 404),
    ("POST", "/api/v1/projects/{id}/skip/"): (401, 404, 200, 200, 200, 404),
    ("POST", "/api/v1/projects/{id}/undo/"): (401, 404, 200, 200, 200, 404),
    ("POST", "/api/v1/projects/{project_id}/cold-start/"): (401, 404, 403, 403, 202, 404),
    ("GET", "/api/v1/projects/{project_id}/loop/"): (401, 404, 200, 200, 200, 404),
    ("PATCH", "/api/v1/projects/{project_id}/loop/"): (401, 404, 403, 403, 200, 404),
    ("GET", "/api/v1/projects/{project_id}/models/"): (401, 404, 200, 200, 200, 404),
    ("GET", "/api/v1/projects/{project_id}/models/{number}/download/"): (401, 404, 403, 403, 200, 404),
    ("POST", "/api/v1/projects/{project_id}/predict/"): (401, 404, 200, 200, 200, 404),
    ("GET", "/api/v1/projects/{project_id}/stats/"): (401, 404, 200, 200, 200, 404),
    ("POST", "/api/v1/projects/{project_id}/train/"): (401, 404, 403, 403, 202, 404),
}


def _is_member(world, user):
    return user is not None and role_in(world.project, user) is not None


def _held_document(world, user):
    """A document the caller holds, where they may hold one; otherwise a free one."""
    return queue.next_document(world.project, user).document.id if _is_member(world, user) else world.document.id


def _own_annotation(world, user):
    """One of the caller's labels, where they may label; otherwise someone's."""
    if not _is_member(world, user):
        return world.project.documents.filter(annotations__isnull=False).values_list("annotations", flat=True)[0]
    return queue.submit_annotation(world.project, user, _held_document(world, user), "positive").id


# What each operation sends: the request a client of that role would make (built in the undone transaction).
REQUESTS = {
    ("POST", "/api/v1/auth/token/"): lambda world, user: {"data": {"username": "lead", "password": "lead-password"}},
    ("POST", "/api/v1/privacy/preview/"): lambda world, user: {"data": {"text": "Mail anna@example.com"}},
    ("POST", "/api/v1/projects/"): lambda world, user: {
        "data": {"name": "Reviews", "labels": [{"name": "good"}, {"name": "bad"}]}},
    ("PATCH", "/api/v1/projects/{id}/"): lambda world, user: {"data": {"guidelines": "Read it all."}},
    ("POST", "/api/v1/projects/{id}/annotations/"): lambda world, user: {
        "data": {"document": _held_document(world, user), "label": "positive"}},
    ("GET", "/api/v1/projects/{id}/documents/{document_id}/original/"): lambda world, user: {
        "data": {"reason": "checking a report"}},
    ("POST", "/api/v1/projects/{id}/external-ids/"): lambda world, user: {"data": {"ids": ["row-1"]}},
    ("POST", "/api/v1/projects/{id}/import/"): lambda world, user: {
        "data": {"file": Upload("text\nsales fell\n", "more.csv")}, "format": "multipart"},
    ("POST", "/api/v1/projects/{id}/members/"): lambda world, user: {"data": {"username": "outsider"}},
    ("POST", "/api/v1/projects/{id}/pii-reports/{report_id}/resolve/"): lambda world, user: {
        "data": {"return_to_pool": True}},
    ("POST", "/api/v1/projects/{id}/report-pii/"): lambda world, user: {
        "data": {"document": _held_document(world, user), "note": "a name"}},
    ("POST", "/api/v1/projects/{id}/skip/"): lambda world, user: {"data": {"document": _held_document(world, user)}},
    ("POST", "/api/v1/projects/{id}/undo/"): lambda world, user: {"data": {"annotation": _own_annotation(world, user)}},
    ("PATCH", "/api/v1/projects/{project_id}/loop/"): lambda world, user: {"data": {"head_every": 5}},
    ("POST", "/api/v1/projects/{project_id}/predict/"): lambda world, user: {"data": {"texts": ["profit rose"]}},
}


def test_every_operation_of_the_schema_has_its_row(openapi_schema):
    assert set(EXPECTED) == set(operations(openapi_schema))
    assert set(REQUESTS) <= set(EXPECTED)


def test_every_role_gets_the_promised_status_everywhere(world, openapi_schema):
    unexpected = []
    for method, path in operations(openapi_schema):
        url = path.format(**world.path_ids(path))
        for role, expected in zip(ROLES, EXPECTED[(method, path)]):
            client, user = APIClient(), world.users[role]
            if user is not None:
                client.credentials(HTTP_AUTHORIZATION=f"Token {world.token(role)}")
            with rolled_back():
                kwargs = REQUESTS.get((method, path), lambda world, user: {})(world, user)
                if method != "GET":
                    kwargs.setdefault("format", "json")
                response = getattr(client, method.lower())(url, **kwargs)
            if response.status_code != expected:
                unexpected.append(f"{role} {method} {path}: {response.status_code}, expected {expected}")
    assert not unexpected, "\n".join(unexpected)
