"""The model loop: decide when to train, train, evaluate, score the pool, re-order the queue.

Two speeds:
- FULL: every `project.retrain_every` labels a Celery task on the `training` queue fine-tunes
  the transformer, embeds every document of the project once with the new encoder (the
  input of its last linear layer), caches the embeddings under the version's directory,
  and re-orders the queue.
- HEAD: every `head_every` labels (ProjectLoop.head_every or settings.LOOPLABEL_HEAD_EVERY,
  default 10) a fast task on its own queue refits a logistic-regression head on the cached
  embeddings and re-scores the whole pool with one matrix product. It never waits for a
  running fine-tune. Before the first fine-tune the head uses the base encoder's embeddings
  that the cold-start task cached.

Cold start: before any label, a task embeds the pool with the base encoder and orders the
queue for coverage (k-means centroids first). Documents imported once a model exists are
embedded with the encoder the head uses, appended to its cache and scored at once.
Batches combine uncertainty with diversity (cluster-interleaved top-uncertain candidates,
near-duplicates deferred).

Honest metrics: labels on the queue's evaluation sample (uniform draws, see
labeling.services.queue) never train; metrics and the learning curve are computed on them
once there are MIN_EVALUATION of them, otherwise on a split of the training labels
(flagged as biased). Every version stores a stopping signal (KappaAverage over its
predictions on a fixed stopping set).

Locking: a project has at most one full training job queued or running (a conditional
unique constraint on Job); head refits, cold starts and embeddings of new documents are
debounced by flags on ProjectLoop set with conditional updates.
"""
import json
import logging
import os
import random
import threading
import time
from collections import OrderedDict
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from privacy.masking import mask

from labeling.models import Annotation, Document, DocumentState, Job, JobKind, JobStatus, Project
from labeling.services.queue import set_priorities

from .ml.encode import classifier_encoder, load_base_encoder, load_classifier_encoder, set_output_layer, softmax
from .ml.finetune import TrainConfig, fine_tune
from .ml.head import feature_scaling, fit_head
from .ml.inference import load_classifier
from .ml.metrics import classification_metrics
from .ml.selection import coverage_order, diverse_order, priorities_from_order
from .ml.stopping import stopping_signal
from .ml.strategies import uncertainty
from .models import ModelKind, ModelVersion, ProjectLoop

logger = logging.getLogger(__name__)

VALIDATION_SHARE = 0.2
MIN_LABELS = 4
MIN_EVALUATION = 10  # evaluation-sample labels needed before metrics come from the sample
STALE_JOB_AFTER = timedelta(minutes=30)
STALE_REQUEST_AFTER = timedelta(minutes=10)
STOP_SET_SIZE = 2000
DIVERSITY = {"candidates": 500, "n_clusters": 20, "batch": 50, "duplicate_cosine": 0.95}
# Files of a version directory besides the model: the embedding cache, the stopping set's
# predictions and a head's weights.
EMBEDDINGS_FILE, DOC_IDS_FILE = "embeddings.npy", "doc_ids.npy"
STOP_PREDICTIONS_FILE, HEAD_FILE = "stop_predictions.npz", "head.npz"


class NotTrainable(Exception):
    """The project's labels cannot train a model yet; the message says why."""


def head_every(project) -> int:
    loop = ProjectLoop.objects.filter(project=project).first()
    if loop and loop.head_every:
        return loop.head_every
    return settings.LOOPLABEL_HEAD_EVERY


def score_task_chunk() -> int:
    """Pools larger than this are embedded by several `training.score_chunk` tasks."""
    return settings.LOOPLABEL_SCORE_TASK_CHUNK


def _config() -> TrainConfig:
    return TrainConfig.from_settings(settings.LOOPLABEL_TRAINING)


def project_loop(project) -> ProjectLoop:
    return ProjectLoop.objects.get_or_create(project=project)[0]


# --- deciding when to train ---------------------------------------------------------------

def latest_model(project) -> ModelVersion | None:
    """The newest version of any kind: the one that predicts."""
    return ModelVersion.objects.filter(project=project).order_by("-number").first()


def latest_full_model(project) -> ModelVersion | None:
    return ModelVersion.objects.filter(project=project, kind=ModelKind.FULL).order_by("-number").first()


def active_training_job(project) -> Job | None:
    return Job.objects.filter(project=project, kind=JobKind.TRAIN, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()


def _labels_since(project, version) -> int:
    since = version.last_annotation_id if version else 0
    return Annotation.objects.filter(document__project=project, id__gt=since).count()


def labels_since_last_model(project) -> int:
    """Labels since the last full fine-tune (what `retrain_every` counts)."""
    return _labels_since(project, latest_full_model(project))


def labels_since_last_version(project) -> int:
    """Labels since the newest version of any kind (what `head_every` counts)."""
    return _labels_since(project, latest_model(project))


def is_due(project) -> bool:
    return labels_since_last_model(project) >= project.retrain_every


def request_training(project, *, user=None, reason="") -> tuple[Job, bool]:
    """Queue a training run unless one is queued or running; returns (job, created)."""
    active = active_training_job(project)
    if active:
        return active, False
    try:
        with transaction.atomic():
            job = Job.objects.create(project=project, kind=JobKind.TRAIN, created_by=user, params={"reason": reason})
    except IntegrityError:
        return active_training_job(project), False
    from .tasks import train_model  # tasks import this module

    transaction.on_commit(lambda: train_model.delay(str(job.id)))
    return job, True


def _claim_flag(project, flag) -> bool:
    """Set ProjectLoop.<flag>_pending unless it is set (and fresh); True when this call set it."""
    project_loop(project)
    now = timezone.now()
    pending, requested = f"{flag}_pending", f"{flag}_requested_at"
    free = ProjectLoop.objects.filter(project=project, **{pending: False})
    claimed = free.update(**{pending: True, requested: now})
    if not claimed:  # a request whose task never ran (worker lost) is taken over after a while
        claimed = ProjectLoop.objects.filter(project=project, **{pending: True, f"{requested}__lt": now - STALE_REQUEST_AFTER}
                                             ).update(**{requested: now})
    return bool(claimed)


def _request_once(project, flag, task_name) -> bool:
    """Queue `task_name` for the project after commit unless `flag` says one is queued; True when queued."""
    if not _claim_flag(project, flag):
        return False
    from . import tasks  # tasks import this module

    task, project_id = getattr(tasks, task_name), project.id
    transaction.on_commit(lambda: task.delay(project_id))
    return True


def request_head_refit(project) -> bool:
    """Queue a head refit unless one is already queued; True when queued."""
    return _request_once(project, "head", "refit_head_task")


def request_cold_start(project) -> bool:
    """Queue the cold-start embedding of the pool unless one is queued; True when queued."""
    return _request_once(project, "cold_start", "cold_start_task")


def has_embedding_source(project) -> bool:
    return _embedding_source_version(project) is not False


def labels_added(project_id):
    """Listener on labeling's labels-added hook: a full run every retrain_every labels, a head refit every head_every."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return
    if is_due(project) and not active_training_job(project):
        request_training(project, reason=f"{project.retrain_every} new labels")
    # Needs cached embeddings: the last fine-tune's, or the cold start's before the first one
    # (the cold start comes after an import, from the periodic sweep or the API, not from labels).
    if labels_since_last_version(project) >= head_every(project) and has_embedding_source(project):
        request_head_refit(project)


def request_embedding_of_new_documents(project) -> bool:
    """Queue the embedding of documents the head's cache lacks unless one is queued; True when queued."""
    return _request_once(project, "embed", "embed_new_documents_task")


def documents_added(project_id):
    """Listener for 'an import finished': new documents get embeddings and a place in the queue.

    Before any model, the cold start embeds the pool and orders it for coverage; after one,
    only the new documents are embedded and scored, so they need not wait for a fine-tune.
    """
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return
    if not ModelVersion.objects.filter(project=project).exists():
        request_cold_start(project)
    elif has_embedding_source(project):
        request_embedding_of_new_documents(project)


def retrain_due_projects() -> int:
    """Periodic sweep: fail jobs a dead worker left running, then train every project with new labels."""
    stale = timezone.now() - STALE_JOB_AFTER
    Job.objects.filter(kind=JobKind.TRAIN, status=JobStatus.RUNNING, updated_at__lt=stale).update(
        status=JobStatus.FAILED, message="The worker stopped reporting progress; the run was abandoned."
    )
    started = 0
    for project in Project.objects.all():
        has_model = ModelVersion.objects.filter(project=project).exists()
        if not has_model and not ProjectLoop.objects.filter(project=project, cold_start_done_at__isnull=False).exists() \
                and Document.objects.filter(project=project, state=DocumentState.POOL).exists():
            request_cold_start(project)
        # Periodically any new label counts, not only a full batch of them.
        if labels_since_last_model(project) > 0 and not active_training_job(project):
            try:
                check_trainable(project)
            except NotTrainable:
                continue
            started += request_training(project, reason="periodic")[1]
    return started


# --- training data ----------------------------------------------------------------------------

def check_trainable(project) -> None:
    """Raise NotTrainable with a reason when the project's labels cannot train a model yet."""
    training_data(project, None)


def _latest_labels(project, last_annotation_id, *, evaluation):
    annotations = Annotation.objects.filter(document__project=project, document__state=DocumentState.LABELED,
                                            document__evaluation=evaluation)
    if last_annotation_id is not None:
        annotations = annotations.filter(id__lte=last_annotation_id)
    latest = {}
    for doc_id, text, label in annotations.order_by("id").values_list("document_id", "document__text", "label__name"):
        latest[doc_id] = (text, label)
    return latest


def training_data(project, last_annotation_id, *, with_ids=False):
    """Texts and class indices of labeled documents outside the evaluation sample, one per document (its latest label)."""
    latest = _latest_labels(project, last_annotation_id, evaluation=False)
    label_names = list(project.labels.values_list("name", flat=True))
    used = {label for _, label in latest.values()}
    if len(latest) < MIN_LABELS or len(used) < 2:
        raise NotTrainable(f"Training needs at least {MIN_LABELS} labels from at least two classes "
                           f"(have {len(latest)} labels in {len(used)} classes).")
    index = {name: i for i, name in enumerate(label_names)}
    texts = [text for text, _ in latest.values()]
    targets = [index[label] for _, label in latest.values()]
    if with_ids:
        return texts, targets, label_names, list(latest)
    return texts, targets, label_names


def evaluation_data(project, last_annotation_id, label_names):
    """(doc ids, texts, class indices) of the labeled evaluation sample."""
    latest = _latest_labels(project, last_annotation_id, evaluation=True)
    index = {name: i for i, name in enumerate(label_names)}
    ids = [doc_id for doc_id, (_, label) in latest.items() if label in index]
    return ids, [latest[i][0] for i in ids], [index[latest[i][1]] for i in ids]


def validation_split(targets, share=VALIDATION_SHARE, seed=0):
    """Stratified split of positions; classes with fewer than 3 examples stay all in training."""
    rng = random.Random(seed)
    by_class = {}
    for position, target in enumerate(targets):
        by_class.setdefault(target, []).append(position)
    validation = []
    for positions in by_class.values():
        if len(positions) >= 3:
            rng.shuffle(positions)
            validation.extend(positions[: max(1, round(share * len(positions)))])
    held_out = set(validation)
    return [p for p in range(len(targets)) if p not in held_out], sorted(validation)


def _loop_documents(project):
    """Every document the loop scores or learns from, in id order."""
    return Document.objects.filter(project=project, state__in=[DocumentState.POOL, DocumentState.LABELED]).order_by("id")


def _project_documents(project):
    """(ids, texts) of `_loop_documents`."""
    rows = list(_loop_documents(project).values_list("id", "text"))
    return np.array([r[0] for r in rows], dtype=np.int64), [r[1] for r in rows]


def _texts_by_id(doc_ids):
    """(the ids that still exist, in the given order, and their texts)."""
    texts = dict(Document.objects.filter(pk__in=list(doc_ids)).values_list("id", "text"))
    kept = [i for i in doc_ids if i in texts]
    return kept, [texts[i] for i in kept]


def _queue_rows(project, ids):
    """(pool documents -> evaluation flag, rows of `ids` whose documents the model may order: in the pool, not evaluation)."""
    pool = dict(Document.objects.filter(project=project, state=DocumentState.POOL).values_list("id", "evaluation"))
    rows = np.array([row for row, doc_id in enumerate(ids.tolist()) if doc_id in pool and not pool[doc_id]], dtype=int)
    return pool, rows


# --- progress and version bookkeeping ---------------------------------------------------------

class _Progress:
    """Writes a job's progress at most every 2%, mapping a stage's 0..1 onto a slice of the bar."""

    def __init__(self, job):
        self.job = job
        self.last = -1.0

    def stage(self, name, start, end):
        Job.objects.filter(pk=self.job.pk).update(stage=name, progress=start, updated_at=timezone.now())

        def report(fraction):
            value = start + (end - start) * fraction
            if value - self.last >= 0.02 or fraction >= 1:
                self.last = value
                # updated_at too: the stale-job sweep reads it, and .update() skips auto_now.
                Job.objects.filter(pk=self.job.pk).update(progress=round(value, 4), updated_at=timezone.now())

        return report


def _claim(job_id) -> Job | None:
    claimed = Job.objects.filter(
        pk=job_id, kind=JobKind.TRAIN, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).update(status=JobStatus.RUNNING, progress=0.0, updated_at=timezone.now())
    return Job.objects.select_related("project").get(pk=job_id) if claimed else None


def _finish(job, status, message):
    Job.objects.filter(pk=job.pk).update(status=status, message=message, stage="done" if status == JobStatus.SUCCEEDED else "failed",
                                         progress=1.0 if status == JobStatus.SUCCEEDED else job.progress,
                                         updated_at=timezone.now())


def _version_dir(project, number) -> Path:
    path = Path(settings.LOOPLABEL_MODELS_DIR) / f"project-{project.id}" / f"v{number}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _create_version(project, **fields) -> ModelVersion:
    """Create the next-numbered version; a head refit and a fine-tune finishing together retry on the number."""
    for _ in range(5):
        latest = latest_model(project)
        number = latest.number + 1 if latest else 1
        values = dict(fields)
        if "artifact_dir" not in values:  # a fine-tune brings its own, named after its job
            values["artifact_dir"] = str(_version_dir(project, number))
        try:
            with transaction.atomic():
                return ModelVersion.objects.create(project=project, number=number, **values)
        except IntegrityError:
            continue
    raise RuntimeError("Could not number the new model version.")


def learning_curve(project) -> list[dict]:
    """Macro-F1 against labels, one point per version, oldest first."""
    points = []
    for version in ModelVersion.objects.filter(project=project).order_by("number"):
        metrics = version.metrics or {}
        if "macro_f1" not in metrics:
            continue
        evaluation = metrics.get("evaluation") or {}
        points.append({"version": version.number, "kind": version.kind, "labels": metrics.get("labels_total", version.labels_used),
                       "train_labels": version.train_size, "macro_f1": metrics["macro_f1"],
                       "evaluation": evaluation.get("source"), "n": metrics.get("n")})
    return points


# --- embedding caches ---------------------------------------------------------------------------

_arrays = OrderedDict()
_arrays_lock = threading.Lock()
ARRAY_CACHE_SIZE = 4


def save_cache(directory, doc_ids, embeddings):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in ((DOC_IDS_FILE, np.asarray(doc_ids, dtype=np.int64)), (EMBEDDINGS_FILE, np.asarray(embeddings, dtype=np.float32))):
        tmp = directory / f".{name}.tmp"
        with open(tmp, "wb") as handle:
            np.save(handle, array)
        os.replace(tmp, directory / name)  # doc_ids first, embeddings last: embeddings present = cache complete


def has_cache(directory) -> bool:
    return bool(directory) and (Path(directory) / EMBEDDINGS_FILE).exists()


def load_cache(directory):
    """(doc ids, embeddings, feature scaling) of a cache directory, kept in memory for the next refit."""
    path = Path(directory) / EMBEDDINGS_FILE
    key = (str(directory), path.stat().st_mtime_ns)
    with _arrays_lock:
        if key in _arrays:
            _arrays.move_to_end(key)
            return _arrays[key]
    ids = np.load(Path(directory) / DOC_IDS_FILE)
    embeddings = np.load(path)
    # Caches only grow by appending (embed_new_documents), so a read between the two file
    # replacements sees one array longer than the other; their common prefix is consistent.
    rows = min(len(ids), len(embeddings))
    ids, embeddings = ids[:rows], embeddings[:rows]
    entry = (ids, embeddings, feature_scaling(embeddings))
    with _arrays_lock:
        _arrays[key] = entry
        while len(_arrays) > ARRAY_CACHE_SIZE:
            _arrays.popitem(last=False)
    return entry


def _base_cache_dir(project) -> Path:
    return Path(settings.LOOPLABEL_MODELS_DIR) / f"project-{project.id}" / "base"


def _cache_dir(project, encoder_version):
    """Where the embeddings of `encoder_version` (None: the base encoder) are cached."""
    return encoder_version.artifact_dir if encoder_version else project_loop(project).base_cache_dir


def _embedding_source_version(project):
    """The encoder whose cached embeddings the head uses: the newest FULL version with a cache,
    None for the base encoder's cache, False when there is none."""
    for version in ModelVersion.objects.filter(project=project, kind=ModelKind.FULL).order_by("-number")[:3]:
        if has_cache(version.artifact_dir):
            return version
    loop = ProjectLoop.objects.filter(project=project).first()
    if loop and has_cache(loop.base_cache_dir):
        return None
    return False


# --- encoders (in-process cache) ------------------------------------------------------------------

_encoders = OrderedDict()
_encoders_lock = threading.Lock()
ENCODER_CACHE_SIZE = 3
_embeddings_of_texts = OrderedDict()
TEXT_CACHE_SIZE = 50_000


def _remember_encoder(key, encoder):
    with _encoders_lock:
        _encoders[key] = encoder
        _encoders.move_to_end(key)
        while len(_encoders) > ENCODER_CACHE_SIZE:
            _encoders.popitem(last=False)


def encoder_for(encoder_version):
    """The encoder of a FULL version, or the base encoder for None."""
    key = encoder_version.artifact_dir if encoder_version is not None else f"base:{settings.LOOPLABEL_BASE_MODEL}"
    with _encoders_lock:
        cached = _encoders.get(key)
    if cached is not None:
        return key, cached
    config = _config()
    if encoder_version is None:
        encoder = load_base_encoder(settings.LOOPLABEL_BASE_MODEL, max_length=config.max_length, quantize=config.quantize_cpu)
    else:
        encoder = load_classifier_encoder(encoder_version.artifact_dir, max_length=config.max_length,
                                          quantize=config.quantize_cpu)
    _remember_encoder(key, encoder)
    return key, encoder


def embed_texts(encoder_version, texts):
    """Embeddings of texts under an encoder, remembering recent texts (repeated predictions cost nothing)."""
    key, encoder = encoder_for(encoder_version)
    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    missing = []
    with _encoders_lock:
        for i, text in enumerate(texts):
            cached = _embeddings_of_texts.get((key, text))
            if cached is None:
                missing.append(i)
            else:
                out[i] = cached
    if missing:
        fresh = encoder.embed([texts[i] for i in missing])
        out[missing] = fresh
        with _encoders_lock:
            for i, row in zip(missing, fresh):
                _embeddings_of_texts[(key, texts[i])] = row
            while len(_embeddings_of_texts) > TEXT_CACHE_SIZE:
                _embeddings_of_texts.popitem(last=False)
    return out


def version_linear(version):
    """(W, b) that turn the version's encoder embeddings into logits."""
    if version.kind == ModelKind.HEAD:
        data = np.load(Path(version.artifact_dir) / HEAD_FILE)
        return data["weight"], data["bias"]
    return encoder_for(version)[1].linear


def version_encoder(version):
    return version.encoder_version if version.kind == ModelKind.HEAD else version


def probabilities_of(version, embeddings):
    """The version's class probabilities for embeddings from its encoder."""
    weight, bias = version_linear(version)
    return softmax(embeddings @ weight.T + bias)


def version_probabilities(version, texts):
    return probabilities_of(version, embed_texts(version_encoder(version), list(texts)))


# --- full training ----------------------------------------------------------------------------------

def _evaluate(probabilities, targets, label_names, source, labels_total):
    metrics = classification_metrics(list(targets), probabilities.argmax(1).tolist(), label_names)
    metrics["evaluation"] = {
        "source": source,
        "n": len(targets),
        "note": ("uniform random evaluation sample, never used for training" if source == "random_sample" else
                 "held-out share of the training labels; biased, the model chose many of them"),
    }
    metrics["labels_total"] = labels_total
    return metrics


def _refit_output_layer(model, encoder, features, targets, num_labels, scaling):
    """Replace the fine-tuned classifier's last layer by a class-balanced logistic regression on its own embeddings.

    On Financial PhraseBank with 90/180/270 labels this scored +0.10/+0.07/+0.01 test macro-F1
    over the jointly trained layer (small label sets leave that layer under-fit and skewed).
    The saved model carries the new layer, so a download predicts exactly what Looplabel serves.
    """
    weight, bias = fit_head(features, targets, num_labels, scaling=scaling)
    set_output_layer(model, weight, bias)  # in place: the encoder's capture hook stays on the layer
    encoder.linear = (weight, bias)
    return weight, bias


def run_training(job_id) -> ModelVersion | None:
    job = _claim(job_id)
    if job is None:
        return None
    project = job.project
    progress = _Progress(job)
    try:
        last_annotation_id = Annotation.objects.filter(document__project=project).aggregate(m=Max("id"))["m"] or 0
        texts, targets, label_names, doc_ids = training_data(project, last_annotation_id, with_ids=True)
        eval_ids, _, eval_targets = evaluation_data(project, last_annotation_id, label_names)
        labels_total = len(texts) + len(eval_targets)
        if len(eval_targets) >= MIN_EVALUATION:
            train_idx, val_idx, source = list(range(len(texts))), [], "random_sample"
        else:
            (train_idx, val_idx), source = validation_split(targets), "validation_split"
            eval_ids, eval_targets = [doc_ids[i] for i in val_idx], [targets[i] for i in val_idx]
        config = _config()
        model, tokenizer, info = fine_tune(
            [texts[i] for i in train_idx], [targets[i] for i in train_idx], len(label_names),
            settings.LOOPLABEL_BASE_MODEL, config, progress.stage("training", 0.0, 0.7),
        )
        encoder = classifier_encoder(model, tokenizer, max_length=config.max_length, quantize=config.quantize_cpu)
        # Embed once: every document (the cache), from which training and evaluation rows are sliced.
        all_ids, all_texts = _project_documents(project)
        chunked = len(all_ids) > score_task_chunk()
        embed_started = time.perf_counter()
        if chunked:  # the pool is embedded by chunk tasks later; here only what the head and metrics need
            wanted = [doc_ids[i] for i in train_idx] + list(eval_ids)
            wanted, wanted_texts = _texts_by_id(wanted)
            wanted_embeddings = encoder.embed(wanted_texts)
            row_of = {doc_id: row for row, doc_id in enumerate(wanted)}
            embeddings, scaling = wanted_embeddings, feature_scaling(wanted_embeddings)
        else:
            embeddings = encoder.embed(all_texts, progress=progress.stage("embedding", 0.7, 0.95))
            row_of = {doc_id: row for row, doc_id in enumerate(all_ids.tolist())}
            scaling = feature_scaling(embeddings)
        embed_seconds = time.perf_counter() - embed_started
        progress.stage("evaluating", 0.95, 0.97)
        train_rows = [row_of[doc_ids[i]] for i in train_idx]
        fine_tuned_layer = encoder.linear
        _refit_output_layer(model, encoder, embeddings[train_rows], [targets[i] for i in train_idx], len(label_names), scaling)
        metrics = {}
        if eval_targets:
            eval_embeddings = embeddings[[row_of[i] for i in eval_ids]]
            metrics = _evaluate(softmax(encoder.logits(eval_embeddings)), eval_targets, label_names, source, labels_total)
            jointly = softmax(eval_embeddings @ fine_tuned_layer[0].T + fine_tuned_layer[1]).argmax(1)
            metrics["fine_tuned_layer_macro_f1"] = classification_metrics(eval_targets, jointly.tolist(), label_names)["macro_f1"]
        model.config.id2label = dict(enumerate(label_names))
        model.config.label2id = {name: i for i, name in enumerate(label_names)}
        # Named after the job: a head refit may take the number meanwhile (see _create_version).
        artifact_dir = Path(settings.LOOPLABEL_MODELS_DIR) / f"project-{project.id}" / f"full-{job.id}"
        artifact_dir.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(artifact_dir)
        tokenizer.save_pretrained(artifact_dir)
        info = {**info, "output_layer": "logistic_regression refit on the fine-tuned encoder's embeddings"}
        if not chunked:
            info.update({"embed_documents": len(all_ids), "embed_seconds": round(embed_seconds, 2),
                         "embed_texts_per_s": round(len(all_ids) / max(embed_seconds, 1e-9), 1)})
        version = _create_version(
            project, job=job, kind=ModelKind.FULL, base_model=settings.LOOPLABEL_BASE_MODEL,
            artifact_dir=str(artifact_dir), label_names=label_names, labels_used=labels_total,
            last_annotation_id=last_annotation_id, train_size=len(train_idx), validation_size=len(val_idx),
            metrics=metrics, training_info=info,
        )
        if metrics:
            version.metrics["learning_curve"] = learning_curve(project)
            version.save(update_fields=["metrics"])
        _remember_encoder(version.artifact_dir, encoder)
        progress.stage("scoring", 0.97, 1.0)
        if chunked:
            finished = score_pool(version)
        else:
            _finish_scoring(version, all_ids, embeddings)
            finished = True
    except NotTrainable as exc:
        _finish(job, JobStatus.FAILED, str(exc))
        return None
    except Exception as exc:
        logger.exception("training job %s failed (%s)", job_id, type(exc).__name__)
        _finish(job, JobStatus.FAILED, f"Training failed ({type(exc).__name__}); see the worker log.")
        raise
    if finished:
        _finish_full_run(version)
    return version


def _finish_full_run(version):
    if version.job_id:
        _finish(Job(pk=version.job_id), JobStatus.SUCCEEDED,
                f"Model v{version.number} trained on {version.train_size} labels.")
    # Labels that arrived during this run go into the next one.
    labels_added(version.project_id)


# --- scoring: embed once, cache, re-order the queue ----------------------------------------------------

def score_pool(version, progress=lambda fraction: None, *, chunk_size=None, dispatch=None) -> bool:
    """Embed every document with a FULL version, cache the embeddings, re-order the queue.

    Pools beyond `chunk_size` (settings.LOOPLABEL_SCORE_TASK_CHUNK) are split into
    `training.score_chunk` tasks that any worker of the training queue may take; the last
    chunk to finish merges the parts and writes the queue. Returns True when scoring is
    complete, False when chunks were dispatched.
    """
    project = version.project
    ids, texts = _project_documents(project)
    chunk_size = chunk_size or score_task_chunk()
    if len(ids) > chunk_size:
        parts = Path(version.artifact_dir) / "parts"
        parts.mkdir(parents=True, exist_ok=True)
        chunks = [ids[start:start + chunk_size] for start in range(0, len(ids), chunk_size)]
        (parts / "plan.json").write_text(json.dumps({"chunks": len(chunks)}))
        if dispatch is None:
            from .tasks import score_chunk_task

            def dispatch(version_id, index, chunk_ids):
                transaction.on_commit(lambda: score_chunk_task.delay(version_id, index, chunk_ids))

        for index, chunk in enumerate(chunks):
            dispatch(version.id, index, [int(i) for i in chunk])
        return False
    _, encoder = encoder_for(version)
    started = time.perf_counter()
    embeddings = encoder.embed(texts, progress=progress)
    seconds = time.perf_counter() - started
    version.training_info = {**(version.training_info or {}), "embed_documents": len(ids),
                             "embed_seconds": round(seconds, 2), "embed_texts_per_s": round(len(ids) / max(seconds, 1e-9), 1)}
    version.save(update_fields=["training_info"])
    _finish_scoring(version, ids, embeddings)
    progress(1.0)
    return True


def score_chunk(version_id, index, doc_ids) -> bool:
    """Embed one chunk of a large pool; the chunk that completes the set finishes the scoring."""
    version = ModelVersion.objects.select_related("project").get(pk=version_id)
    doc_ids, texts = _texts_by_id(doc_ids)
    _, encoder = encoder_for(version)
    embeddings = encoder.embed(texts)
    parts = Path(version.artifact_dir) / "parts"
    tmp = parts / f".part-{index:05d}.npz"
    with open(tmp, "wb") as handle:
        np.savez(handle, ids=np.asarray(doc_ids, dtype=np.int64), embeddings=embeddings)
    os.replace(tmp, parts / f"part-{index:05d}.npz")
    if version.job_id:
        Job.objects.filter(pk=version.job_id).update(updated_at=timezone.now())
    expected = json.loads((parts / "plan.json").read_text())["chunks"]
    done = sorted(parts.glob("part-*.npz"))
    if len(done) < expected:
        return False
    try:  # exactly one chunk task finishes the run, even if several see the full set
        os.close(os.open(parts / "finalize.lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    loaded = [np.load(path) for path in done]
    ids = np.concatenate([part["ids"] for part in loaded])
    embeddings = np.concatenate([part["embeddings"] for part in loaded])
    _finish_scoring(version, ids, embeddings)
    _finish_full_run(version)
    return True


def _stop_set(project, ids):
    """Rows of the fixed stopping set: the documents with the smallest random keys (independent of any model)."""
    keys = dict(Document.objects.filter(project=project, pk__in=[int(i) for i in ids]).values_list("id", "random_key"))
    order = sorted(range(len(ids)), key=lambda row: keys.get(int(ids[row]), 1.0))
    return np.array(sorted(order[:STOP_SET_SIZE]), dtype=int)


def _stability(version, ids, probabilities):
    """Store this version's predictions on the stopping set; compare with earlier versions."""
    rows = _stop_set(version.project, ids)
    stop_ids, predictions = ids[rows], probabilities[rows].argmax(1)
    np.savez(Path(version.artifact_dir) / STOP_PREDICTIONS_FILE, ids=stop_ids, predictions=predictions)
    num_classes = len(version.label_names)

    def history(versions):
        arrays = []
        for earlier in versions:
            path = Path(earlier.artifact_dir) / STOP_PREDICTIONS_FILE
            if path.exists():
                data = np.load(path)
                arrays.append(dict(zip(data["ids"].tolist(), data["predictions"].tolist())))
        arrays.append(dict(zip(stop_ids.tolist(), predictions.tolist())))
        common = sorted(set.intersection(*(set(a) for a in arrays)))
        return [np.array([a[i] for i in common]) for a in arrays]

    earlier = ModelVersion.objects.filter(project=version.project, number__lt=version.number).order_by("number")
    previous = list(earlier)[-1:]
    result = {}
    if previous:
        pair = history(previous)
        result["kappa_vs_previous"] = stopping_signal(pair, num_classes, window=1)["kappa_last"]
    if version.kind == ModelKind.FULL:
        fulls = list(earlier.filter(kind=ModelKind.FULL))[-3:]
        result["stopping"] = stopping_signal(history(fulls), num_classes)
    else:
        last_full = earlier.filter(kind=ModelKind.FULL).last()
        if last_full and "stopping" in (last_full.metrics or {}):
            result["stopping"] = last_full.metrics["stopping"]
    return result


def _write_priorities(version, ids, probabilities, embeddings):
    """Priorities for the pool from probabilities: strategy uncertainty, then cluster-interleaved diversity."""
    project = version.project
    pool, rows = _queue_rows(project, ids)
    label_ids = dict(project.labels.values_list("name", "id"))
    best = probabilities.argmax(1)
    scored = set(ids[rows].tolist())
    scores = {doc_id: (None, None, None) for doc_id in pool if doc_id not in scored}
    if len(rows):
        uncertain = uncertainty(project.query_strategy, probabilities[rows])
        priority = None
        if uncertain is not None:
            # Float noise (batch composition changes padding) must not reorder near-ties: chunked
            # and whole-pool scoring write the same queue.
            uncertain = np.round(uncertain, 4)
            order = diverse_order(embeddings[rows], uncertain, seed=version.number, **DIVERSITY)
            priority = priorities_from_order(order, len(rows))
        for position, row in enumerate(rows.tolist()):
            scores[int(ids[row])] = (
                None if priority is None else float(priority[position]),
                label_ids.get(version.label_names[best[row]]),
                float(probabilities[row, best[row]]),
            )
    set_priorities(project, scores)
    return len(rows)


def _finish_scoring(version, ids, embeddings):
    save_cache(version.artifact_dir, ids, embeddings)
    probabilities = probabilities_of(version, embeddings)
    _write_priorities(version, ids, probabilities, embeddings)
    version.metrics = {**(version.metrics or {}), **_stability(version, ids, probabilities)}
    version.save(update_fields=["metrics"])
    if _uncached_documents(version.project, ids):  # imported while the pool was being embedded
        request_embedding_of_new_documents(version.project)


# --- head refit -----------------------------------------------------------------------------------------

def refit_head(project_id) -> ModelVersion | None:
    """Refit the light head on the cached embeddings and re-score the whole pool (seconds, any pool size)."""
    started = time.perf_counter()
    ProjectLoop.objects.filter(project_id=project_id).update(head_pending=False)
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return None
    encoder_version = _embedding_source_version(project)
    if encoder_version is False:
        return None
    directory = _cache_dir(project, encoder_version)
    last_annotation_id = Annotation.objects.filter(document__project=project).aggregate(m=Max("id"))["m"] or 0
    latest = latest_model(project)
    if latest and latest.last_annotation_id >= last_annotation_id:
        return None  # nothing new since the newest version
    try:
        _, targets, label_names, doc_ids = training_data(project, last_annotation_id, with_ids=True)
    except NotTrainable:
        return None
    eval_ids, _, eval_targets = evaluation_data(project, last_annotation_id, label_names)
    ids, embeddings, scaling = load_cache(directory)
    row_of = {doc_id: row for row, doc_id in enumerate(ids.tolist())}
    train = [(row_of[d], t) for d, t in zip(doc_ids, targets) if d in row_of]
    evaluation = [(row_of[d], t) for d, t in zip(eval_ids, eval_targets) if d in row_of]
    if len({t for _, t in train}) < 2:
        return None
    x_rows, y = np.array([r for r, _ in train]), np.array([t for _, t in train])
    num_labels = len(label_names)
    loaded = time.perf_counter()
    weight, bias = fit_head(embeddings[x_rows], y, num_labels, scaling=scaling)
    fitted = time.perf_counter()
    labels_total = len(doc_ids) + len(eval_ids)
    if len(evaluation) >= MIN_EVALUATION:
        e_rows, e_y = np.array([r for r, _ in evaluation]), [t for _, t in evaluation]
        metrics = _evaluate(softmax(embeddings[e_rows] @ weight.T + bias), e_y, label_names, "random_sample", labels_total)
        validation_size = 0
    else:
        train_idx, val_idx = validation_split(y.tolist())
        metrics, validation_size = {}, len(val_idx)
        if val_idx and len(set(y[train_idx].tolist())) >= 2:
            w, b = fit_head(embeddings[x_rows[train_idx]], y[train_idx], num_labels, scaling=scaling)
            metrics = _evaluate(softmax(embeddings[x_rows[val_idx]] @ w.T + b), y[val_idx].tolist(), label_names,
                                "validation_split", labels_total)
    probabilities = softmax(embeddings @ weight.T + bias)
    scored = time.perf_counter()
    newest_full = latest_full_model(project)
    if newest_full is not None and (encoder_version is None or newest_full.number > encoder_version.number) \
            and has_cache(newest_full.artifact_dir):
        return None  # a fine-tune finished meanwhile; its scores are newer than this head's
    newest = latest_model(project)
    if newest and newest.last_annotation_id >= last_annotation_id and newest.number != (latest.number if latest else 0):
        return None  # a concurrent refit already covered these labels
    # The queue first, the version after: once a version is visible, the queue already follows it.
    pending = SimpleNamespace(project=project, label_names=label_names, number=(latest.number + 1) if latest else 1)
    pool_rows = _write_priorities(pending, ids, probabilities, embeddings)
    written = time.perf_counter()
    version = _create_version(
        project, kind=ModelKind.HEAD, encoder_version=encoder_version, base_model=settings.LOOPLABEL_BASE_MODEL,
        label_names=label_names, labels_used=labels_total, last_annotation_id=last_annotation_id,
        train_size=len(train), validation_size=validation_size, metrics=metrics, training_info={},
    )
    np.savez(Path(version.artifact_dir) / HEAD_FILE, weight=weight, bias=bias)
    version.metrics = {**metrics, **_stability(version, ids, probabilities)}
    if metrics:
        version.metrics["learning_curve"] = learning_curve(project)
    version.training_info = {
        "encoder": f"v{encoder_version.number}" if encoder_version else "base",
        "head": "logistic_regression", "examples": len(train), "pool": pool_rows, "documents": len(ids),
        "load_seconds": round(loaded - started, 3), "fit_seconds": round(fitted - loaded, 3),
        "score_seconds": round(scored - fitted, 3), "write_seconds": round(written - scored, 3),
        "total_seconds": round(time.perf_counter() - started, 3),
    }
    version.save(update_fields=["metrics", "training_info"])
    labels_added(project.id)  # labels that arrived during the refit
    return version


# --- cold start ---------------------------------------------------------------------------------------

def cold_start(project_id) -> int:
    """Embed the project's documents with the base encoder, cache them, and order the pool for coverage."""
    ProjectLoop.objects.filter(project_id=project_id).update(cold_start_pending=False)
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    ids, texts = _project_documents(project)
    if not len(ids):
        return 0
    _, encoder = encoder_for(None)
    embeddings = encoder.embed(texts)
    directory = _base_cache_dir(project)
    save_cache(directory, ids, embeddings)
    project_loop(project)
    ProjectLoop.objects.filter(project=project).update(base_cache_dir=str(directory), cold_start_done_at=timezone.now())
    ordered = 0
    if project.query_strategy != "random" and not ModelVersion.objects.filter(project=project).exists():
        _, rows = _queue_rows(project, ids)
        n_clusters = max(20, 2 * head_every(project))
        order = coverage_order(embeddings[rows], n_clusters=n_clusters)
        priority = priorities_from_order(order, len(rows))
        set_priorities(project, {int(ids[row]): (float(priority[p]), None, None) for p, row in enumerate(rows.tolist())})
        ordered = len(rows)
    labels_added(project.id)
    return ordered


# --- documents imported after the cache was made ---------------------------------------------------------

def _uncached_documents(project, cached_ids) -> list[int]:
    """Ids of the documents the loop scores (pool and labeled) that `cached_ids` lacks."""
    current = np.fromiter(_loop_documents(project).values_list("id", flat=True), dtype=np.int64)
    return current[~np.isin(current, cached_ids)].tolist()


def embed_new_documents(project_id) -> int:
    """Embed the documents the head's cache lacks with the same encoder, append them, and score
    them with the newest version; the next head refit then ranks them with the rest. Returns how
    many were added."""
    ProjectLoop.objects.filter(project_id=project_id).update(embed_pending=False)
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    source = _embedding_source_version(project)
    if source is False:
        return 0
    directory = _cache_dir(project, source)
    ids, embeddings, _ = load_cache(directory)
    new_ids, texts = _texts_by_id(_uncached_documents(project, ids))
    if not new_ids:
        return 0
    ids = np.concatenate([ids, np.asarray(new_ids, dtype=np.int64)])
    embeddings = np.vstack([embeddings, encoder_for(source)[1].embed(texts)])
    save_cache(directory, ids, embeddings)
    version = latest_model(project)
    if version is not None and version_encoder(version) == source:
        _write_priorities(version, ids, probabilities_of(version, embeddings), embeddings)
    return len(new_ids)


# --- predicting -----------------------------------------------------------------------------------------

_classifiers = OrderedDict()
_classifiers_lock = threading.Lock()
CLASSIFIER_CACHE_SIZE = 2


def classifier_for(version):
    """(model, tokenizer) of a FULL version, for callers that want the Hugging Face objects."""
    with _classifiers_lock:
        cached = _classifiers.get(version.artifact_dir)
    if cached:
        return cached
    model, tokenizer = load_classifier(version.artifact_dir)
    with _classifiers_lock:
        _classifiers[version.artifact_dir] = (model, tokenizer)
        while len(_classifiers) > CLASSIFIER_CACHE_SIZE:
            _classifiers.popitem(last=False)
    return model, tokenizer


def predict(project, texts) -> list[dict]:
    version = latest_model(project)
    if version is None:
        raise NotTrainable("This project has no trained model yet.")
    # The model learned from masked texts, so it is asked about masked texts too.
    masked = [mask(text, strategy=project.masking_strategy, scope=str(project.id)).masked_text for text in texts]
    probabilities = version_probabilities(version, masked)
    return [
        {"label": version.label_names[int(row.argmax())],
         "scores": {name: round(float(p), 5) for name, p in zip(version.label_names, row)}}
        for row in probabilities
    ]
