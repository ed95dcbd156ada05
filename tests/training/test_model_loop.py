"""The fast model loop: head refits, cold start, diversity, the evaluation sample, chunked scoring, strategies, downloads.

Everything runs in this process on the 2-layer 32-dim BERT of the `tiny_model` fixture.
"""
import io

import numpy as np
import pytest

from labeling.models import Annotation, Document, DocumentState, Job, JobKind, Label
from labeling.services import queue
from training import services
from training.ml.head import fit_head
from training.ml.selection import coverage_order, diverse_order
from training.ml.strategies import uncertainty
from training.models import ModelKind, ProjectLoop

from ..conftest import import_texts

pytestmark = pytest.mark.django_db

WORDS = {
    "positive": ["profit rose", "sales grew strongly", "record earnings", "shares jumped", "dividend raised"],
    "negative": ["loss widened", "sales fell sharply", "layoffs announced", "shares plunged", "warning issued"],
    "neutral": ["meeting held", "office moved", "board appointed", "report published", "contract signed"],
}


def _texts(n):
    names = list(WORDS)
    return [(f"{WORDS[names[i % 3]][(i // 3) % 5]} in quarter {i}", names[i % 3]) for i in range(n)]


@pytest.fixture
def loop_project(project, lead, tiny_model, settings):
    settings.LOOPLABEL_HEAD_EVERY = 4
    project.evaluation_share = 0.0
    project.save()
    import_texts(project, lead, "text\n" + "".join(f"{text}\n" for text, _ in _texts(48)))
    return project


def _label(project, user, n, *, evaluation=False):
    """Label n pool documents directly (no queue), with the gold label encoded in their text."""
    gold = dict(_texts(48))
    labels = {label.name: label for label in Label.objects.filter(project=project)}
    docs = list(Document.objects.filter(project=project, state=DocumentState.POOL).order_by("id")[:n])
    for doc in docs:
        Annotation.objects.create(document=doc, annotator=user, label=labels[gold[doc.text]])
        Document.objects.filter(pk=doc.pk).update(state=DocumentState.LABELED, evaluation=evaluation)
    return docs


def _priorities(project):
    return dict(Document.objects.filter(project=project, state=DocumentState.POOL).values_list("id", "priority"))


def test_head_refit_changes_priorities_and_records_a_head_version(loop_project, annotator):
    assert services.cold_start(loop_project.id) > 0  # base-encoder cache + coverage order
    before = _priorities(loop_project)
    _label(loop_project, annotator, 12)
    version = services.refit_head(loop_project.id)
    assert version is not None and version.kind == ModelKind.HEAD and version.encoder_version is None
    assert version.train_size == version.labels_used == 12
    after = _priorities(loop_project)
    assert after != {k: v for k, v in before.items() if k in after}
    assert all(p is not None for p in after.values())
    assert version.training_info["total_seconds"] < 30
    # Nothing new: no second version.
    assert services.refit_head(loop_project.id) is None
    # Predictions go through the head on the base encoder.
    predictions = services.predict(loop_project, ["profit rose in quarter 99"])
    assert predictions[0]["label"] in {"positive", "neutral", "negative"}


def test_labels_added_requests_a_debounced_head_refit(loop_project, annotator, django_capture_on_commit_callbacks,
                                                      monkeypatch):
    from training import tasks

    sent = []
    monkeypatch.setattr(tasks.refit_head_task, "delay", lambda project_id: sent.append(project_id))
    _label(loop_project, annotator, 5)
    with django_capture_on_commit_callbacks(execute=True):
        services.labels_added(loop_project.id)  # no embeddings yet: nothing to refit on
    assert sent == []
    services.cold_start(loop_project.id)  # (its own labels_added call queues the first refit)
    ProjectLoop.objects.filter(project=loop_project).update(head_pending=False)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.labels_added(loop_project.id)
        services.labels_added(loop_project.id)
    assert sent == [loop_project.id]  # one refit queued, however many labels announce themselves


def test_cold_start_picks_documents_from_different_clusters():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 16)) * 10
    sizes = [60, 30, 20, 10]
    embeddings = np.vstack([centre + rng.normal(size=(size, 16)) for centre, size in zip(centres, sizes)])
    blob = np.repeat(np.arange(4), sizes)
    order = coverage_order(embeddings, n_clusters=4)
    assert sorted(order.tolist()) == list(range(len(embeddings)))
    assert set(blob[order[:4]].tolist()) == {0, 1, 2, 3}
    # Random picks of 4 would usually repeat the big cluster; the first 8 cover each cluster twice.
    assert sorted(blob[order[:8]].tolist()) == [0, 0, 1, 1, 2, 2, 3, 3]


def test_cold_start_orders_the_real_queue_for_coverage(loop_project, annotator):
    services.cold_start(loop_project.id)
    assert all(p is not None for p in _priorities(loop_project).values())
    served = [queue.next_document(loop_project, annotator).document.text.split(" in quarter")[0] for _ in range(3)]
    assert len(served) == 3


def test_diversity_keeps_near_duplicates_out_of_one_batch():
    rng = np.random.default_rng(1)
    distinct = rng.normal(size=(200, 32))
    duplicate = rng.normal(size=32)
    embeddings = np.vstack([np.tile(duplicate, (20, 1)) + rng.normal(scale=1e-3, size=(20, 32)), distinct])
    scores = np.concatenate([np.full(20, 0.99), rng.uniform(0, 0.9, size=200)])  # the duplicates are the most uncertain
    pure = np.argsort(-scores)[:10]
    assert (pure < 20).sum() == 10  # pure uncertainty: one batch of the same text
    order = diverse_order(embeddings, scores, candidates=100, n_clusters=10, batch=10)
    assert sorted(order.tolist()) == list(range(220))
    assert (order[:10] < 20).sum() <= 1


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
    services.cold_start(loop_project.id)
    _label(loop_project, annotator, 20)
    evaluation_docs = _label(loop_project, annotator, services.MIN_EVALUATION, evaluation=True)
    texts, targets, _ = services.training_data(loop_project, None)
    assert not set(texts) & {doc.text for doc in evaluation_docs}
    version = services.refit_head(loop_project.id)
    assert version.metrics["evaluation"]["source"] == "random_sample"
    assert version.metrics["n"] == services.MIN_EVALUATION
    assert version.train_size == 20
    curve = version.metrics["learning_curve"]
    assert curve[-1]["labels"] == 20 + services.MIN_EVALUATION and "macro_f1" in curve[-1]


def _train_full(project, annotator, n=24):
    _label(project, annotator, n)
    job = Job.objects.create(project=project, kind=JobKind.TRAIN)
    return services.run_training(job.id)


def test_full_run_caches_embeddings_and_reports_stability(loop_project, annotator):
    version = _train_full(loop_project, annotator)
    assert version.kind == ModelKind.FULL and Job.objects.get(pk=version.job_id).status == "succeeded"
    ids, embeddings, _ = services.load_cache(version.artifact_dir)
    assert len(ids) == Document.objects.filter(project=loop_project).count() == len(embeddings)
    assert version.metrics["evaluation"]["source"] == "validation_split"
    assert version.metrics["stopping"]["criterion"] == "kappa_average"
    assert all(p is not None for p in _priorities(loop_project).values())
    # Cached embeddings times the classifier's last layer are the model's own probabilities.
    from training.ml.inference import predict_proba

    model, tokenizer = services.classifier_for(version)
    texts = list(Document.objects.filter(pk__in=ids[:5].tolist()).order_by("id").values_list("text", flat=True))
    direct = predict_proba(model, tokenizer, texts, max_length=64)
    weight, bias = services.version_linear(version)
    from training.ml.encode import softmax

    assert np.allclose(softmax(embeddings[:5] @ weight.T + bias), direct, atol=1e-4)
    # The head refits on the fine-tuned encoder's cache and compares itself with it.
    _label(loop_project, annotator, 4)
    head = services.refit_head(loop_project.id)
    assert head.encoder_version_id == version.id and head.metrics["kappa_vs_previous"] is not None


def test_documents_imported_after_a_fine_tune_are_embedded_and_scored(loop_project, annotator, lead,
                                                                     django_capture_on_commit_callbacks, monkeypatch):
    from training import tasks

    version = _train_full(loop_project, annotator)
    cached_before = len(services.load_cache(version.artifact_dir)[0])
    sent = []
    monkeypatch.setattr(tasks.embed_new_documents_task, "delay", lambda project_id: sent.append(project_id))
    with django_capture_on_commit_callbacks(execute=True):
        import_texts(loop_project, lead, "text\nprofit rose in quarter 500\nloss widened in quarter 501\n")
    assert sent == [loop_project.id]  # a model exists: no second cold start, the new documents are embedded
    new = Document.objects.filter(project=loop_project, text__in=["profit rose in quarter 500", "loss widened in quarter 501"])
    assert [d.priority for d in new] == [None, None]

    assert services.embed_new_documents(loop_project.id) == 2
    ids, embeddings, _ = services.load_cache(version.artifact_dir)
    assert len(ids) == len(embeddings) == cached_before + 2 and set(ids[-2:].tolist()) == {d.id for d in new}
    for doc in Document.objects.filter(pk__in=[d.id for d in new]):
        assert doc.priority is not None and doc.suggested_label_id is not None
    # The appended rows are what the version's encoder gives those texts.
    from training.ml.encode import load_classifier_encoder

    direct = load_classifier_encoder(version.artifact_dir, max_length=128).embed(
        list(Document.objects.filter(pk__in=ids[-2:].tolist()).order_by("id").values_list("text", flat=True)))
    assert np.allclose(embeddings[-2:][np.argsort(ids[-2:])], direct, atol=1e-4)
    assert services.embed_new_documents(loop_project.id) == 0  # idempotent


def test_a_cache_read_while_it_grows_is_a_consistent_prefix(tmp_path):
    services.save_cache(tmp_path, [1, 2, 3], np.eye(3, dtype=np.float32))
    np.save(tmp_path / services.DOC_IDS_FILE, np.array([1, 2, 3, 4], dtype=np.int64))  # ids replaced, rows not yet
    ids, embeddings, _ = services.load_cache(tmp_path)
    assert ids.tolist() == [1, 2, 3] and embeddings.shape == (3, 3)


def test_chunked_scoring_equals_whole_pool_scoring(loop_project, annotator):
    version = _train_full(loop_project, annotator)
    whole = _priorities(loop_project)
    ids, embeddings, _ = services.load_cache(version.artifact_dir)
    ids, embeddings = ids.copy(), embeddings.copy()
    Document.objects.filter(project=loop_project).update(priority=None)
    (services.Path(version.artifact_dir) / services.EMBEDDINGS_FILE).unlink()
    calls = []

    def inline(version_id, index, chunk_ids):
        calls.append(len(chunk_ids))
        services.score_chunk(version_id, index, chunk_ids)

    assert services.score_pool(version, chunk_size=7, dispatch=inline) is False
    assert len(calls) == -(-len(ids) // 7)
    chunked_ids, chunked, _ = services.load_cache(version.artifact_dir)
    assert chunked_ids.tolist() == ids.tolist()
    assert np.allclose(chunked, embeddings, atol=1e-5)
    # The scores match to float noise (batches pad differently); the queue is rewritten from them in full.
    weight, bias = services.version_linear(version)
    from training.ml.encode import softmax

    assert np.allclose(softmax(chunked @ weight.T + bias), softmax(embeddings @ weight.T + bias), atol=1e-3)
    chunked_priorities = _priorities(loop_project)
    assert chunked_priorities.keys() == whole.keys() and None not in chunked_priorities.values()
    suggested = dict(Document.objects.filter(project=loop_project, state=DocumentState.POOL)
                     .values_list("id", "suggested_score"))
    assert all(score is not None for score in suggested.values())


def test_strategies_unchanged():
    probabilities = np.array([[0.98, 0.01, 0.01], [0.4, 0.35, 0.25], [0.6, 0.3, 0.1]])
    for name in ("least_confidence", "margin", "entropy"):
        scores = uncertainty(name, probabilities)
        assert np.argsort(-scores).tolist() == [1, 2, 0], name
    assert np.allclose(uncertainty("least_confidence", probabilities), -probabilities.max(1))
    assert np.allclose(uncertainty("margin", probabilities), -np.array([0.97, 0.05, 0.3]))
    assert uncertainty("random", probabilities) is None


def test_head_weights_fold_the_feature_scaling():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(2)
    x = rng.normal(loc=3.0, scale=[0.1] * 4 + [5.0] * 4, size=(90, 8))
    y = np.repeat([0, 2, 3], 30)  # class 1 has no label yet
    x[y == 2] += 0.5
    weight, bias = fit_head(x, y, 4)
    reference = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, class_weight="balanced", max_iter=100, tol=1e-3)).fit(x, y)
    logits = x @ weight.T + bias
    assert (logits.argmax(1) == reference.predict(x)).all()
    assert (logits[:, 1] < logits.max(1) - 10).all()


def test_stats_expose_learning_curve_and_stopping(loop_project, annotator, lead, client_for):
    services.cold_start(loop_project.id)
    _label(loop_project, annotator, 12)
    services.refit_head(loop_project.id)
    body = client_for(lead).get(f"/api/v1/projects/{loop_project.id}/stats/").json()
    assert "learning_curve" in body and "stopping" in body and body["head_every"] == 4
    models = client_for(lead).get(f"/api/v1/projects/{loop_project.id}/models/").json()
    assert models[0]["kind"] == "head" and models[0]["encoder_version"] == "base"


def _download(client, project, number):
    import zipfile

    response = client.get(f"/api/v1/projects/{project.id}/models/{number}/download/")
    assert response.status_code == 200, response.content
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _load_downloaded(archive, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    target = tmp_path / "download"
    archive.extractall(target)
    (folder,) = target.iterdir()
    return AutoModelForSequenceClassification.from_pretrained(folder).eval(), AutoTokenizer.from_pretrained(folder)


def _served_probabilities(project, texts):
    return np.array([[p["scores"][name] for name in ("negative", "neutral", "positive")]
                     for p in services.predict(project, texts)])


def _downloaded_probabilities(model, tokenizer, texts):
    from training.ml.inference import predict_proba

    columns = [model.config.label2id[name] for name in ("negative", "neutral", "positive")]
    return predict_proba(model, tokenizer, texts, max_length=64)[:, columns]


TEXTS = ["profit rose in quarter 77", "layoffs announced in quarter 78", "board appointed in quarter 79"]


def test_a_full_version_downloads_as_its_model_without_the_cache(loop_project, annotator, lead, client_for,
                                                                  outsider, tmp_path):
    version = _train_full(loop_project, annotator)
    archive = _download(client_for(lead), loop_project, version.number)
    names = {name.split("/")[-1] for name in archive.namelist()}
    assert "config.json" in names and not names & {services.EMBEDDINGS_FILE, services.DOC_IDS_FILE}
    model, tokenizer = _load_downloaded(archive, tmp_path)
    assert np.allclose(_downloaded_probabilities(model, tokenizer, TEXTS), _served_probabilities(loop_project, TEXTS),
                       atol=1e-4)
    assert client_for(annotator).get(f"/api/v1/projects/{loop_project.id}/models/{version.number}/download/").status_code == 403
    assert client_for(outsider).get(f"/api/v1/projects/{loop_project.id}/models/{version.number}/download/").status_code == 404


def test_a_head_version_downloads_as_a_classifier_that_predicts_what_the_head_serves(loop_project, annotator, lead,
                                                                                    client_for, tmp_path):
    full = _train_full(loop_project, annotator)
    _label(loop_project, annotator, 8)
    head = services.refit_head(loop_project.id)
    assert head.kind == ModelKind.HEAD and head.encoder_version_id == full.id
    model, tokenizer = _load_downloaded(_download(client_for(lead), loop_project, head.number), tmp_path)
    served = _served_probabilities(loop_project, TEXTS)  # the newest version: the head
    assert np.allclose(_downloaded_probabilities(model, tokenizer, TEXTS), served, atol=1e-4)
    assert not np.allclose(served, _downloaded_probabilities(*services.classifier_for(full), TEXTS), atol=1e-3)


def test_a_head_on_the_base_encoder_downloads_with_how_to_apply_it(loop_project, annotator, lead, client_for):
    import json

    services.cold_start(loop_project.id)
    _label(loop_project, annotator, 12)
    head = services.refit_head(loop_project.id)
    archive = _download(client_for(lead), loop_project, head.number)
    files = {name.split("/")[-1]: name for name in archive.namelist()}
    description = json.loads(archive.read(files["head.json"]))
    assert description["labels"] == head.label_names and description["base_model"] == head.base_model
    with archive.open(files["head.npz"]) as handle:
        weights = np.load(io.BytesIO(handle.read()))
    assert weights["weight"].shape == (len(head.label_names), 32)


def test_the_output_layer_takes_a_head_with_more_classes(tiny_model_dir):
    import torch
    from transformers import AutoModelForSequenceClassification

    from training.ml.encode import set_output_layer

    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir, num_labels=3).eval()
    weight, bias = np.random.default_rng(0).normal(size=(4, 32)).astype(np.float32), np.arange(4, dtype=np.float32)
    set_output_layer(model, weight, bias)
    assert model.config.num_labels == 4
    inputs = {"input_ids": torch.tensor([[101, 2000, 102]]), "attention_mask": torch.ones(1, 3, dtype=torch.long)}
    captured = {}
    model.classifier.register_forward_hook(lambda module, args, output: captured.update(x=args[0]))
    with torch.no_grad():
        logits = model(**inputs).logits
    assert logits.shape == (1, 4)
    assert np.allclose(logits.numpy(), captured["x"].numpy() @ weight.T + bias, atol=1e-5)
