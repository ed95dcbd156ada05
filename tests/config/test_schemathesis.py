"""schemathesis runs the API's own OpenAPI schema against the app, in this process (its WSGI application),
with a lead's, an annotator's, an outsider's and a staff member's token: valid and invalid requests to every
operation, on the project of tests/config/conftest.py (its real ids in about half the paths, generated ones
in the rest).

No answer may be a 5xx, and every answer must be one the schema documents, with the documented content type,
headers and body. The examples are derandomized, so a run is repeatable, and bounded (EXAMPLES per operation
and role, each request in a transaction that is undone) so that the file takes well under a minute on 2 cores.
Nothing starts long work here: the messages of imports and training runs are sent once a transaction commits,
and these never do.
"""
import pytest
import schemathesis
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ..conftest import import_texts
from .conftest import rolled_back

pytestmark = pytest.mark.django_db

# Staff too: the site-wide audit trail and the masking preview are theirs.
ROLES = ("lead", "annotator", "outsider", "staff")
EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def in_process_requests():
    """Requests in the test's own database transaction, as Django's test client makes them: the handler would
    otherwise close the connection at the start of each request (it is in a transaction, so it looks broken)."""
    request_started.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)


def _cases(operation, path_ids):
    real = {name: value for name, value in path_ids.items() if f"{{{name}}}" in operation.path}
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    return st.one_of(*(operation.as_strategy(mode, path_parameters=real) for mode in modes),
                     *(operation.as_strategy(mode) for mode in modes))


def test_no_operation_answers_a_server_error_or_off_its_schema(world, in_process_requests):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    tokens = {role: world.token(role) for role in ROLES}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        path_ids = {name: str(value) for name, value in world.path_ids(operation.path).items()}

        @settings(max_examples=EXAMPLES * len(ROLES), deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=_cases(operation, path_ids), role=st.sampled_from(ROLES))
        def check(case, role):
            headers = {"Authorization": f"Token {tokens[role]}"}
            with rolled_back():
                response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            check()
        except (Exception, FailureGroup) as exc:  # every operation runs; the failures are reported together
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


# What schemathesis found, kept as plain tests (each was a 500).

def test_an_id_no_row_can_have_is_a_400(project, annotator, client_for):
    """Ids are 1 to 2**63 - 1; SQLite could not even be asked about one beyond (OverflowError)."""
    client = client_for(annotator)
    for action, field in [("annotations", "document"), ("skip", "document"), ("report-pii", "document"),
                          ("undo", "annotation")]:
        for value in [0, 2**63, -(2**63) - 1, 2**70]:
            response = client.post(f"/api/v1/projects/{project.id}/{action}/", {field: value, "label": "positive"},
                                   format="json")
            assert response.status_code == 400 and field in response.json(), (action, value)


def test_a_page_beyond_any_database_integer_is_a_bounded_page(project, lead, client_for):
    for query in ["limit=76567044245455447067658666491988934656", "offset=9223372036854775808",
                  "limit=5000&offset=9223372036854775807"]:
        response = client_for(lead).get(f"/api/v1/projects/?{query}")
        assert response.status_code == 200 and len(response.json()["results"]) <= 1, query


def test_an_audit_filter_with_a_nul_character_is_a_400(make_user, client_for):
    """PostgreSQL compares no text with a NUL character in it (a DataError)."""
    staff = make_user("staff")
    staff.is_staff = True
    staff.save()
    for query in ["user=a%00b", "object_type=%00", "object_id=1%00"]:
        assert client_for(staff).get(f"/api/v1/privacy/audit/?{query}").status_code == 400, query


def test_a_reason_with_a_nul_character_is_a_400(project, lead, client_for):
    """PostgreSQL stores no NUL character, so such a reason cannot go into the audit log."""
    import_texts(project, lead, "text\nhello there\n")
    document = project.documents.get()
    response = client_for(lead).get(f"/api/v1/projects/{project.id}/documents/{document.id}/original/",
                                    {"reason": "a\x00b"})
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
