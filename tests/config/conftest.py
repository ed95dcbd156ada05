"""A project with something behind every endpoint, and a user of each role, for the tests that walk the whole
API from its schema (test_role_walk.py, test_schemathesis.py)."""
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from labeling.models import Document, Job, PiiReport
from labeling.services import personal_data, queue
from labeling.services.projects import set_member
from training.loop.cold_start import cold_start
from training.loop.head_refit import refit_head

from ..conftest import LABELS, import_texts

TEXTS = ["profit rose in quarter {}", "loss widened in quarter {}", "meeting held in quarter {}"]


@dataclass
class World:
    project: Any
    users: dict  # role -> user (None for anonymous)
    job: Any  # the import's
    version: Any  # a HEAD version on the base encoder: predictions and downloads work
    report: Any  # an open PII report
    document: Any  # a document in the pool, free to lease

    def token(self, role) -> str | None:
        user = self.users[role]
        return None if user is None else Token.objects.get_or_create(user=user)[0].key

    def path_ids(self, path) -> dict:
        """Real values for the path parameters of `path` (a path of the schema)."""
        return {"id": self.job.id if path.startswith("/api/v1/jobs/") else self.project.id,
                "project_id": self.project.id, "document_id": self.document.id, "report_id": self.report.id,
                "number": self.version.number}


@pytest.fixture
def world(project, lead, annotator, outsider, make_user, tiny_model):
    """The `project` with 12 imported texts, 4 of them labeled, a model version and a PII report; users of each role:
    anonymous, outsider (no membership), annotator, raw_viewer (an annotator with can_view_raw), lead, staff."""
    raw_viewer = make_user("raw-viewer")
    set_member(project, raw_viewer.username, "annotator", can_view_raw=True)
    staff = make_user("staff")
    staff.is_staff = True
    staff.save()
    project.evaluation_share = 0.0  # every label trains, so four are enough for a model
    project.save()
    job = Job.objects.get(pk=import_texts(project, lead, "text\n" + "".join(
        TEXTS[i % 3].format(i) + "\n" for i in range(12))).id)
    cold_start(project.id)
    for i in range(4):
        assignment = queue.next_document(project, annotator)
        queue.submit_annotation(project, annotator, assignment.document.id, LABELS[i % 2]["name"])
    version = refit_head(project.id)[0]
    reported = Document.objects.filter(project=project, state="pool").order_by("id").first()
    report = PiiReport.objects.get(pk=personal_data.report_pii(project, lead, reported.id, "a name").id)
    document = Document.objects.filter(project=project, state="pool").order_by("id").first()
    users = {"anonymous": None, "outsider": outsider, "annotator": annotator, "raw_viewer": raw_viewer,
             "lead": lead, "staff": staff}
    return World(project, users, job, version, report, document)


@pytest.fixture(scope="session")
def openapi_schema():
    """The schema as `GET /api/v1/schema/` serves it."""
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    """(METHOD, path) of every operation in the schema."""
    return sorted((method.upper(), path) for path, item in schema["paths"].items() for method in item
                  if method in {"get", "put", "post", "patch", "delete"})


@contextmanager
def rolled_back():
    """A transaction that is undone, so that every request of a walk finds the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
