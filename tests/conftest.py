"""Shared fixtures: three users (lead, annotator, outsider), projects built through the
real services, API clients, and a tiny BERT so model tests run in seconds on 2 cores."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from labeling.services.importing import run_import, start_import
from labeling.services.projects import create_project, set_member

LABELS = [{"name": "positive"}, {"name": "neutral"}, {"name": "negative"}]


class Upload(io.BytesIO):
    """An in-memory file with the `name` and `chunks()` of a Django upload."""

    def __init__(self, content, name):
        super().__init__(content.encode("utf-8") if isinstance(content, str) else content)
        self.name = name

    def chunks(self, size=64 * 1024):
        while chunk := self.read(size):
            yield chunk


def pytest_collection_modifyitems(items):
    """Tests with a real worker process run first.

    On SQLite the worker writes the test database from another process; after the session's
    live server (browser tests) and the transactional tests before it, the test process stopped
    seeing the worker's commits (and once reported the file as malformed), so these tests run
    before anything else touches the database file. PostgreSQL does not care about the order.
    """
    items.sort(key=lambda item: item.get_closest_marker("worker") is None)


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path):
    settings.LOOPLABEL_UPLOADS_DIR = tmp_path / "uploads"
    settings.LOOPLABEL_MODELS_DIR = tmp_path / "models"


@pytest.fixture
def make_user(db):
    def make(username, *, can_create_projects=False):
        user = get_user_model().objects.create_user(username=username, password=f"{username}-password")
        if can_create_projects:
            user.user_permissions.add(Permission.objects.get(codename="add_project", content_type__app_label="labeling"))
        return user

    return make


@pytest.fixture
def lead(make_user):
    return make_user("lead", can_create_projects=True)


@pytest.fixture
def annotator(make_user):
    return make_user("annotator")


@pytest.fixture
def outsider(make_user):
    return make_user("outsider")


@pytest.fixture
def project(lead, annotator):
    project = create_project(lead, name="News", labels=LABELS, label_budget=None, retrain_every=1000)
    set_member(project, annotator.username, "annotator")
    return project


def import_texts(project, user, content, name="data.csv", **options):
    """Run an import the way the worker does, in this process; returns the finished job."""
    job = start_import(project, user, Upload(content, name), **options)
    return run_import(job.id)


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A randomly initialised 2-layer BERT with the MiniLM tokenizer, saved like any local model."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    from config.environment import default_base_model

    path = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = AutoTokenizer.from_pretrained(default_base_model())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


@pytest.fixture
def tiny_model(settings, tiny_model_dir):
    settings.LOOPLABEL_BASE_MODEL = tiny_model_dir
    settings.LOOPLABEL_TRAINING = {"epochs": 3, "min_steps": 5, "max_length": 64, "learning_rate": 1e-3}
    return tiny_model_dir
