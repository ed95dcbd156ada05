"""The database goes away under requests (a restart, a failover, a dropped connection): clients get a
503 with Retry-After, never a 500, no label is stored half-way, and the next request reconnects.

Real faults: connections to a database that is not there, and, on PostgreSQL, the server process
of the request's own connection terminated (pg_terminate_backend, from another connection) just
before each of the request's queries in turn, as a restart does to every open connection.
"""
from contextlib import contextmanager

import psycopg
import pytest
from django.db import close_old_connections, connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from labeling.models import Annotation, Document, DocumentState, Lease
from labeling.services import queue

from ..conftest import database_missing, import_texts

# Not wrapped in a transaction: the test breaks its own connection, as a restart would.
pytestmark = pytest.mark.django_db(transaction=True)
on_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                 reason="terminating a server process needs PostgreSQL")


def between_requests():
    """What the server does when a request starts or ends: drop a connection that broke (CONN_HEALTH_CHECKS).

    Django's test client leaves it out (tests share one connection), so the test does it.
    """
    close_old_connections()


def _token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_requests_while_the_database_refuses_connections_are_503_with_retry_after(project, lead, annotator, client_for):
    import_texts(project, lead, "text\nAlpha\nBeta\n")
    api, page = _token_client(annotator), client_for(None)
    page.force_login(annotator)
    with database_missing():
        answered = api.get(f"/api/v1/projects/{project.id}/next/")
        shown = page.get(f"/projects/{project.id}/annotate/")
    assert answered.status_code == 503 and answered["Retry-After"] == "5"
    assert "try again" in answered.json()["detail"]
    assert shown.status_code == 503 and shown["Retry-After"] == "5"
    between_requests()
    assert api.get(f"/api/v1/projects/{project.id}/next/").status_code == 200


@contextmanager
def _server_process_terminated_before_query(number):
    """Terminate the server process of this thread's connection just before its `number`-th query."""
    queries = []
    db = connection.settings_dict
    dsn = psycopg.conninfo.make_conninfo(host=db["HOST"], port=db["PORT"], dbname=db["NAME"], user=db["USER"],
                                         password=db["PASSWORD"])

    def terminate_then_execute(execute, sql, params, many, context):
        queries.append(sql)
        if len(queries) == number:
            pid = context["connection"].connection.info.backend_pid
            with psycopg.connect(dsn, autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # returns once it is gone
        return execute(sql, params, many, context)

    with connection.execute_wrapper(terminate_then_execute):
        yield queries


def _queries_of(request):
    with _server_process_terminated_before_query(0) as queries:
        request()
    return len(queries)


def _tally_matches_the_rows(project):
    tally = queue.tally_of(project)
    tally.refresh_from_db()
    assert tally.labels_used == Annotation.objects.filter(document__project=project).count()
    assert tally.open_leases == Lease.objects.filter(project=project).count()


@pytest.mark.postgres
@on_postgres
def test_a_submit_whose_connection_dies_at_any_query_is_whole_or_a_503_that_stored_nothing(project, lead, annotator):
    import_texts(project, lead, "text\n" + "".join(f"Text number {i}\n" for i in range(40)))
    client = _token_client(annotator)

    def next_document():
        return client.get(f"/api/v1/projects/{project.id}/next/").json()["document"]["id"]

    def submit(document):
        return client.post(f"/api/v1/projects/{project.id}/annotations/", {"document": document, "label": "positive"},
                           format="json")

    first = next_document()
    queries = _queries_of(lambda: submit(first))
    assert queries >= 5
    answers = set()
    for number in range(1, queries + 1):
        document = next_document()
        with _server_process_terminated_before_query(number):
            response = submit(document)
        between_requests()
        answers.add(response.status_code)
        labelled = Annotation.objects.filter(document_id=document).count()
        if response.status_code == 503:
            assert response["Retry-After"] == "5"
            assert labelled == 0 and Lease.objects.filter(document_id=document, annotator=annotator).exists()
            assert Document.objects.get(pk=document).state == DocumentState.POOL
            response = submit(document)  # the client's repeat
        assert response.status_code == 201, (number, response.content)
        assert Annotation.objects.filter(document_id=document).count() == 1
        assert Document.objects.get(pk=document).state == DocumentState.LABELED
        assert not Lease.objects.filter(document_id=document).exists()
    assert 503 in answers  # the faults hit the label's own transaction, not only what comes after it
    _tally_matches_the_rows(project)


@pytest.mark.postgres
@on_postgres
def test_a_next_whose_connection_dies_at_any_query_leases_one_text_or_none(project, lead, annotator):
    import_texts(project, lead, "text\n" + "".join(f"Text number {i}\n" for i in range(40)))
    client = _token_client(annotator)

    def next_document():
        return client.get(f"/api/v1/projects/{project.id}/next/")

    queries = _queries_of(next_document)
    for number in range(1, queries + 1):
        held = set(Lease.objects.filter(annotator=annotator).values_list("document_id", flat=True))
        with _server_process_terminated_before_query(number):
            response = next_document()
        between_requests()
        leased = set(Lease.objects.filter(annotator=annotator).values_list("document_id", flat=True)) - held
        if response.status_code == 503:
            assert response["Retry-After"] == "5" and not leased
        else:
            assert response.status_code == 200, (number, response.content)
            assert leased == {response.json()["document"]["id"]}
        # Hand the texts back so that every round leases a new one (an annotator holds at most a few).
        for document in Lease.objects.filter(annotator=annotator).values_list("document_id", flat=True):
            queue.skip_document(project, annotator, document)
    _tally_matches_the_rows(project)
