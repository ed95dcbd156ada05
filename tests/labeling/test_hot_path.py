"""The annotator's hot path, `next` and `submit`, costs a fixed number of queries at any size.

A project of 50 texts with no labels and one annotator and one of 500 texts with 100 labels and
20 annotators holding leases must cost the same: no count over the project's annotations or
leases per request, and the label hook only notes that labels arrived (the worker does the rest).
The hooks that run after the commit are part of the bill.
"""
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from labeling.models import Document
from labeling.services import queue
from labeling.services.projects import create_project, set_member

from ..conftest import LABELS

pytestmark = pytest.mark.django_db

# Authentication, access, the claim and its bookkeeping, the hook, and once per project the hook's
# first note (which creates the loop's state): under this whatever the data.
MAX_QUERIES = 20
CYCLES = 10


def _project(lead, make_user, name, *, documents, labels, annotators):
    project = create_project(lead, name=name, labels=LABELS, label_budget=10_000, retrain_every=1000)
    Document.objects.bulk_create(
        Document(project=project, text=f"{name} text {i}", content_hash=hashlib.sha256(f"{name}{i}".encode()).hexdigest())
        for i in range(documents)
    )
    users = [make_user(f"{name}-annotator-{i}") for i in range(annotators)]
    for user in users:
        set_member(project, user.username, "annotator")
    for _ in range(labels):  # through the services, as annotators make them
        queue.submit_annotation(project, users[0], queue.next_document(project, users[0]).document.id, "positive")
    for user in users[1:]:
        for _ in range(5):
            queue.next_document(project, user)
    measured = make_user(f"{name}-measured")
    set_member(project, measured.username, "annotator")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=measured).key}")
    return project, client


def _cost(client, project, django_capture_on_commit_callbacks):
    """Queries of CYCLES rounds of next -> submit, the hooks after each commit included: [(next, submit), ...]."""
    costs, statements = [], []
    for _ in range(CYCLES):
        with CaptureQueriesContext(connection) as next_queries, django_capture_on_commit_callbacks(execute=True):
            response = client.get(f"/api/v1/projects/{project.id}/next/")
        assert response.status_code == 200
        body = {"document": response.json()["document"]["id"], "label": "neutral"}
        with CaptureQueriesContext(connection) as submit_queries, django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/api/v1/projects/{project.id}/annotations/", body, format="json").status_code == 201
        costs.append((len(next_queries), len(submit_queries)))
        statements += [query["sql"] for query in (*next_queries.captured_queries, *submit_queries.captured_queries)]
    return costs, statements


def test_next_and_submit_cost_the_same_few_queries_at_any_size(lead, make_user, django_capture_on_commit_callbacks,
                                                               django_assert_max_num_queries):
    small, small_client = _project(lead, make_user, "small", documents=50, labels=0, annotators=1)
    large, large_client = _project(lead, make_user, "large", documents=500, labels=100, annotators=20)
    small_costs, _ = _cost(small_client, small, django_capture_on_commit_callbacks)
    large_costs, statements = _cost(large_client, large, django_capture_on_commit_callbacks)
    print(f"\nqueries (next, submit) per cycle on {connection.vendor}: small {small_costs}, large {large_costs}")
    counting = [sql for sql in statements if "COUNT(" in sql.upper()]
    print(f"statements with COUNT: {len(counting)}")
    for call in (0, 1):  # next, submit
        assert max(cost[call] for cost in small_costs + large_costs) <= MAX_QUERIES
        # After the first round, which may set up the project's loop state: the same at either size.
        assert max(cost[call] for cost in large_costs[1:]) == max(cost[call] for cost in small_costs[1:])
    assert not counting, f"the hot path counts rows: {counting[:3]}"
    # The cap, in pytest-django's words, on one more round of the large project.
    with django_assert_max_num_queries(MAX_QUERIES), django_capture_on_commit_callbacks(execute=True):
        document = large_client.get(f"/api/v1/projects/{large.id}/next/").json()["document"]["id"]
    with django_assert_max_num_queries(MAX_QUERIES), django_capture_on_commit_callbacks(execute=True):
        large_client.post(f"/api/v1/projects/{large.id}/annotations/", {"document": document, "label": "neutral"},
                          format="json")


@pytest.mark.parametrize("order", [queue._queue_order, queue._evaluation_order])
def test_the_queue_reads_the_top_of_an_index_instead_of_sorting_the_pool(lead, make_user, order):
    """A sort of the pool per `next` grows with the pool (SQLite sorted 100,000 texts on each call
    while `evaluation=False` compiled to `NOT evaluation`, which its planner cannot match to the index)."""
    project, _ = _project(lead, make_user, "planned", documents=50, labels=0, annotators=1)
    annotator = make_user("planner")
    sql, params = order(project, annotator)[:1].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only where the index can give the order does the planner avoid a Sort it is told is costly;
            # on 50 rows it might pick a sort on its own.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
