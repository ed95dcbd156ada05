"""The evaluation sample: drawn uniformly by the queue, it measures models and never trains them."""
import pytest

from labeling.models import Document, DocumentState
from labeling.services import queue
from training.loop.cold_start import cold_start
from training.loop.dataset import MIN_EVALUATION, training_data
from training.loop.head_refit import refit_head

from ..conftest import import_texts
from .conftest import label_documents

pytestmark = pytest.mark.django_db


def test_evaluation_sample_is_drawn_uniformly_by_the_queue(project, lead, annotator):
    project.evaluation_share = 0.2
    project.save()
    import_texts(project, lead, "text\n" + "".join(f"Text number {i}\n" for i in range(60)))
    docs = list(Document.objects.filter(project=project).order_by("id"))
    # The model loves the first half; the evaluation sample must not care.
    queue.set_priorities(project, {doc.id: (1.0 if i < 30 else 0.0, None, None) for i, doc in enumerate(docs)})
    evaluation = []
    for _ in range(30):
        available = Document.objects.filter(project=project, state=DocumentState.POOL, lease__isnull=True)
        lowest_key = available.order_by("random_key").first().id
        due = queue.evaluation_due(project)
        assignment = queue.next_document(project, annotator)
        assert assignment.document.evaluation == due
        if due:
            assert assignment.document.id == lowest_key  # the random key alone picks it
            evaluation.append(assignment.document.id)
        else:
            assert assignment.document.priority == 1.0  # the model's pick
        queue.submit_annotation(project, annotator, assignment.document.id, "positive")
    assert len(evaluation) == 6  # every 5th lease at share 0.2
    assert Document.objects.filter(project=project, evaluation=True).count() == 6


def test_evaluation_sample_measures_the_model_and_never_trains_it(loop_project, annotator):
    cold_start(loop_project.id)[0]
    label_documents(loop_project, annotator, 20)
    evaluation_docs = label_documents(loop_project, annotator, MIN_EVALUATION, evaluation=True)
    texts, targets, _ = training_data(loop_project, None)
    assert not set(texts) & {doc.text for doc in evaluation_docs}
    version = refit_head(loop_project.id)[0]
    assert version.metrics["evaluation"]["source"] == "random_sample"
    assert version.metrics["n"] == MIN_EVALUATION
    assert version.train_size == 20
    curve = version.metrics["learning_curve"]
    assert curve[-1]["labels"] == 20 + MIN_EVALUATION and "macro_f1" in curve[-1]
