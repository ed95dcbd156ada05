"""Full runs: a fine-tune caches the embeddings of every document, scores the pool (in chunks when large)."""
from pathlib import Path

import numpy as np
import pytest

from labeling.models import Document, DocumentState, Job
from training.loop import embedding_cache, encoders, scoring
from training.loop.head_refit import refit_head
from training.ml.inference import load_classifier, predict_proba
from training.models import ModelKind

from .conftest import label_documents, pool_priorities, train_full

pytestmark = pytest.mark.django_db


def test_full_run_caches_embeddings_and_reports_stability(loop_project, annotator):
    version = train_full(loop_project, annotator)
    assert version.kind == ModelKind.FULL and Job.objects.get(pk=version.job_id).status == "succeeded"
    ids, embeddings, _ = embedding_cache.load_cache(version.artifact_dir)
    assert len(ids) == Document.objects.filter(project=loop_project).count() == len(embeddings)
    assert version.metrics["evaluation"]["source"] == "validation_split"
    assert version.metrics["stopping"]["criterion"] == "kappa_average"
    assert all(p is not None for p in pool_priorities(loop_project).values())
    # Cached embeddings times the classifier's last layer are the model's own probabilities.
    model, tokenizer = load_classifier(version.artifact_dir)
    texts = list(Document.objects.filter(pk__in=ids[:5].tolist()).order_by("id").values_list("text", flat=True))
    direct = predict_proba(model, tokenizer, texts, max_length=64)
    weight, bias = encoders.version_linear(version)
    from training.ml.encode import softmax

    assert np.allclose(softmax(embeddings[:5] @ weight.T + bias), direct, atol=1e-4)
    # The head refits on the fine-tuned encoder's cache and compares itself with it.
    label_documents(loop_project, annotator, 4)
    head = refit_head(loop_project.id)[0]
    assert head.encoder_version_id == version.id and head.metrics["kappa_vs_previous"] is not None


def test_a_cache_read_while_it_grows_is_a_consistent_prefix(tmp_path):
    embedding_cache.save_cache(tmp_path, [1, 2, 3], np.eye(3, dtype=np.float32))
    np.save(tmp_path / embedding_cache.DOC_IDS_FILE, np.array([1, 2, 3, 4], dtype=np.int64))  # ids replaced, rows not yet
    ids, embeddings, _ = embedding_cache.load_cache(tmp_path)
    assert ids.tolist() == [1, 2, 3] and embeddings.shape == (3, 3)


def test_chunked_scoring_equals_whole_pool_scoring(loop_project, annotator):
    version = train_full(loop_project, annotator)
    whole = pool_priorities(loop_project)
    ids, embeddings, _ = embedding_cache.load_cache(version.artifact_dir)
    ids, embeddings = ids.copy(), embeddings.copy()
    Document.objects.filter(project=loop_project).update(priority=None)
    (Path(version.artifact_dir) / embedding_cache.EMBEDDINGS_FILE).unlink()
    calls = []

    steps = scoring.score_pool(version, chunk_size=7)
    assert steps.score_chunks  # not scored here: the chunks are named for other tasks
    for version_id, index, chunk_ids in steps.score_chunks:
        calls.append(len(chunk_ids))
        scoring.score_chunk(version_id, index, chunk_ids)
    assert len(calls) == -(-len(ids) // 7)
    chunked_ids, chunked, _ = embedding_cache.load_cache(version.artifact_dir)
    assert chunked_ids.tolist() == ids.tolist()
    assert np.allclose(chunked, embeddings, atol=1e-5)
    # The scores match to float noise (batches pad differently); the queue is rewritten from them in full.
    weight, bias = encoders.version_linear(version)
    from training.ml.encode import softmax

    assert np.allclose(softmax(chunked @ weight.T + bias), softmax(embeddings @ weight.T + bias), atol=1e-3)
    chunked_priorities = pool_priorities(loop_project)
    assert chunked_priorities.keys() == whole.keys() and None not in chunked_priorities.values()
    suggested = dict(Document.objects.filter(project=loop_project, state=DocumentState.POOL)
                     .values_list("id", "suggested_score"))
    assert all(score is not None for score in suggested.values())
