"""Shared by the model-loop tests: a project of 48 gold-labelled texts on the tiny BERT of `tiny_model`."""
import pytest

from labeling.models import Annotation, Document, DocumentState, Job, JobKind, Label
from training.loop import full_run

from ..conftest import import_texts

WORDS = {
    "positive": ["profit rose", "sales grew strongly", "record earnings", "shares jumped", "dividend raised"],
    "negative": ["loss widened", "sales fell sharply", "layoffs announced", "shares plunged", "warning issued"],
    "neutral": ["meeting held", "office moved", "board appointed", "report published", "contract signed"],
}


def gold_texts(n):
    names = list(WORDS)
    return [(f"{WORDS[names[i % 3]][(i // 3) % 5]} in quarter {i}", names[i % 3]) for i in range(n)]


@pytest.fixture
def loop_project(project, lead, tiny_model, settings):
    settings.LOOPLABEL_HEAD_EVERY = 4
    project.evaluation_share = 0.0
    project.save()
    import_texts(project, lead, "text\n" + "".join(f"{text}\n" for text, _ in gold_texts(48)))
    return project


def label_documents(project, user, n, *, evaluation=False):
    """Label n pool documents directly (no queue), with the gold label encoded in their text."""
    gold = dict(gold_texts(48))
    labels = {label.name: label for label in Label.objects.filter(project=project)}
    docs = list(Document.objects.filter(project=project, state=DocumentState.POOL).order_by("id")[:n])
    for doc in docs:
        Annotation.objects.create(document=doc, annotator=user, label=labels[gold[doc.text]])
        Document.objects.filter(pk=doc.pk).update(state=DocumentState.LABELED, evaluation=evaluation)
    return docs


def pool_priorities(project):
    return dict(Document.objects.filter(project=project, state=DocumentState.POOL).values_list("id", "priority"))


def train_full(project, annotator, n=24):
    label_documents(project, annotator, n)
    job = Job.objects.create(project=project, kind=JobKind.TRAIN)
    return full_run.run_training(job.id)[0]
