"""Documents imported after a fine-tune are embedded with its encoder and scored at once."""
import numpy as np
import pytest

from labeling.models import Document
from training.loop import embedding_cache, new_documents

from ..conftest import import_texts
from .conftest import train_full

pytestmark = pytest.mark.django_db


def test_documents_imported_after_a_fine_tune_are_embedded_and_scored(loop_project, annotator, lead,
                                                                     django_capture_on_commit_callbacks, monkeypatch):
    from training import tasks

    version = train_full(loop_project, annotator)
    cached_before = len(embedding_cache.load_cache(version.artifact_dir)[0])
    sent = []
    monkeypatch.setattr(tasks.embed_new_documents, "delay", lambda project_id: sent.append(project_id))
    with django_capture_on_commit_callbacks(execute=True):
        import_texts(loop_project, lead, "text\nprofit rose in quarter 500\nloss widened in quarter 501\n")
    assert sent == [loop_project.id]  # a model exists: no second cold start, the new documents are embedded
    new = Document.objects.filter(project=loop_project, text__in=["profit rose in quarter 500", "loss widened in quarter 501"])
    assert [d.priority for d in new] == [None, None]

    assert new_documents.embed_new_documents(loop_project.id) == 2
    ids, embeddings, _ = embedding_cache.load_cache(version.artifact_dir)
    assert len(ids) == len(embeddings) == cached_before + 2 and set(ids[-2:].tolist()) == {d.id for d in new}
    for doc in Document.objects.filter(pk__in=[d.id for d in new]):
        assert doc.priority is not None and doc.suggested_label_id is not None
    # The appended rows are what the version's encoder gives those texts.
    from training.ml.encode import load_classifier_encoder

    direct = load_classifier_encoder(version.artifact_dir, max_length=128).embed(
        list(Document.objects.filter(pk__in=ids[-2:].tolist()).order_by("id").values_list("text", flat=True)))
    assert np.allclose(embeddings[-2:][np.argsort(ids[-2:])], direct, atol=1e-4)
    assert new_documents.embed_new_documents(loop_project.id) == 0  # idempotent
