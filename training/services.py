"""The model loop: decide when to train, train, evaluate, score the pool, re-order the queue.

Locking follows one rule: a project has at most one training job queued or running
(a conditional unique constraint on Job). Labels that arrive while a job runs are not
in its snapshot; when it finishes it asks for the next run if enough arrived.
"""
import logging
import random
import threading
from collections import OrderedDict
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from privacy.masking import mask

from labeling.models import Annotation, Document, DocumentState, Job, JobKind, JobStatus, Project
from labeling.services.queue import set_priorities

from .ml.finetune import TrainConfig, fine_tune
from .ml.inference import load_classifier, predict_proba
from .ml.metrics import classification_metrics
from .ml.strategies import uncertainty
from .models import ModelVersion

logger = logging.getLogger(__name__)

VALIDATION_SHARE = 0.2
MIN_LABELS = 4
SCORE_CHUNK = 2048
STALE_JOB_AFTER = timedelta(minutes=30)


class NotTrainable(Exception):
    """The project's labels cannot train a model yet; the message says why."""


# --- deciding when to train ---------------------------------------------------------------

def latest_model(project) -> ModelVersion | None:
    return ModelVersion.objects.filter(project=project).order_by("-number").first()


def active_training_job(project) -> Job | None:
    return Job.objects.filter(project=project, kind=JobKind.TRAIN, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()


def labels_since_last_model(project) -> int:
    latest = latest_model(project)
    since = latest.last_annotation_id if latest else 0
    return Annotation.objects.filter(document__project=project, id__gt=since).count()


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


def labels_added(project_id):
    """Listener on labeling's labels-added hook: train when enough new labels arrived."""
    project = Project.objects.filter(pk=project_id).first()
    if project and is_due(project) and not active_training_job(project):
        request_training(project, reason=f"{project.retrain_every} new labels")


def retrain_due_projects() -> int:
    """Periodic sweep: fail jobs a dead worker left running, then train every project with new labels."""
    stale = timezone.now() - STALE_JOB_AFTER
    Job.objects.filter(kind=JobKind.TRAIN, status=JobStatus.RUNNING, updated_at__lt=stale).update(
        status=JobStatus.FAILED, message="The worker stopped reporting progress; the run was abandoned."
    )
    started = 0
    for project in Project.objects.all():
        # Periodically any new label counts, not only a full batch of them.
        if labels_since_last_model(project) > 0 and not active_training_job(project):
            try:
                check_trainable(project)
            except NotTrainable:
                continue
            started += request_training(project, reason="periodic")[1]
    return started


# --- training ---------------------------------------------------------------------------------

def check_trainable(project) -> None:
    """Raise NotTrainable with a reason when the project's labels cannot train a model yet."""
    training_data(project, None)


def training_data(project, last_annotation_id):
    """Texts and class indices of labeled documents, one per document (its latest label)."""
    annotations = Annotation.objects.filter(document__project=project, document__state=DocumentState.LABELED)
    if last_annotation_id is not None:
        annotations = annotations.filter(id__lte=last_annotation_id)
    latest = {}
    for doc_id, text, label in annotations.order_by("id").values_list("document_id", "document__text", "label__name"):
        latest[doc_id] = (text, label)
    label_names = list(project.labels.values_list("name", flat=True))
    used = {label for _, label in latest.values()}
    if len(latest) < MIN_LABELS or len(used) < 2:
        raise NotTrainable(f"Training needs at least {MIN_LABELS} labels from at least two classes "
                           f"(have {len(latest)} labels in {len(used)} classes).")
    index = {name: i for i, name in enumerate(label_names)}
    texts = [text for text, _ in latest.values()]
    targets = [index[label] for _, label in latest.values()]
    return texts, targets, label_names


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


class _Progress:
    """Writes a job's progress at most every 2%, mapping a stage's 0..1 onto a slice of the bar."""

    def __init__(self, job):
        self.job = job
        self.last = -1.0

    def stage(self, name, start, end):
        Job.objects.filter(pk=self.job.pk).update(stage=name, progress=start)

        def report(fraction):
            value = start + (end - start) * fraction
            if value - self.last >= 0.02 or fraction >= 1:
                self.last = value
                Job.objects.filter(pk=self.job.pk).update(progress=round(value, 4))

        return report


def _claim(job_id) -> Job | None:
    claimed = Job.objects.filter(
        pk=job_id, kind=JobKind.TRAIN, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).update(status=JobStatus.RUNNING, progress=0.0)
    return Job.objects.select_related("project").get(pk=job_id) if claimed else None


def run_training(job_id) -> ModelVersion | None:
    job = _claim(job_id)
    if job is None:
        return None
    project = job.project
    progress = _Progress(job)
    try:
        last_annotation_id = Annotation.objects.filter(document__project=project).aggregate(m=Max("id"))["m"] or 0
        texts, targets, label_names = training_data(project, last_annotation_id)
        train_idx, val_idx = validation_split(targets)
        config = TrainConfig.from_settings(settings.LOOPLABEL_TRAINING)
        model, tokenizer, info = fine_tune(
            [texts[i] for i in train_idx], [targets[i] for i in train_idx], len(label_names),
            settings.LOOPLABEL_BASE_MODEL, config, progress.stage("training", 0.0, 0.75),
        )
        progress.stage("evaluating", 0.75, 0.8)
        metrics = {}
        if val_idx:
            probabilities = predict_proba(model, tokenizer, [texts[i] for i in val_idx], max_length=config.max_length)
            metrics = classification_metrics([targets[i] for i in val_idx], probabilities.argmax(1).tolist(), label_names)
        number = (latest_model(project).number + 1) if latest_model(project) else 1
        artifact_dir = Path(settings.LOOPLABEL_MODELS_DIR) / f"project-{project.id}" / f"v{number}"
        artifact_dir.mkdir(parents=True, exist_ok=True)
        model.config.id2label = dict(enumerate(label_names))
        model.config.label2id = {name: i for i, name in enumerate(label_names)}
        model.save_pretrained(artifact_dir)
        tokenizer.save_pretrained(artifact_dir)
        version = ModelVersion.objects.create(
            project=project, job=job, number=number, base_model=settings.LOOPLABEL_BASE_MODEL,
            artifact_dir=str(artifact_dir), label_names=label_names, labels_used=len(texts),
            last_annotation_id=last_annotation_id, train_size=len(train_idx), validation_size=len(val_idx),
            metrics=metrics, training_info=info,
        )
        _remember_classifier(version, model, tokenizer)
        score_pool(version, progress.stage("scoring", 0.8, 1.0))
    except NotTrainable as exc:
        _finish(job, JobStatus.FAILED, str(exc))
        return None
    except Exception as exc:
        logger.exception("training job %s failed (%s)", job_id, type(exc).__name__)
        _finish(job, JobStatus.FAILED, f"Training failed ({type(exc).__name__}); see the worker log.")
        raise
    _finish(job, JobStatus.SUCCEEDED, f"Model v{version.number} trained on {version.train_size} labels.")
    # Labels that arrived during this run go into the next one.
    labels_added(project.id)
    return version


def _finish(job, status, message):
    Job.objects.filter(pk=job.pk).update(status=status, message=message, stage="done" if status == JobStatus.SUCCEEDED else "failed",
                                         progress=1.0 if status == JobStatus.SUCCEEDED else job.progress)


# --- scoring and predicting -------------------------------------------------------------------

_classifiers = OrderedDict()
_classifiers_lock = threading.Lock()
CLASSIFIER_CACHE_SIZE = 2


def _remember_classifier(version, model, tokenizer):
    with _classifiers_lock:
        _classifiers[version.artifact_dir] = (model, tokenizer)
        _classifiers.move_to_end(version.artifact_dir)
        while len(_classifiers) > CLASSIFIER_CACHE_SIZE:
            _classifiers.popitem(last=False)


def classifier_for(version):
    with _classifiers_lock:
        cached = _classifiers.get(version.artifact_dir)
    if cached:
        return cached
    model, tokenizer = load_classifier(version.artifact_dir)
    _remember_classifier(version, model, tokenizer)
    return model, tokenizer


def score_pool(version, progress=lambda fraction: None) -> int:
    """Score every pool document with `version` and re-order the queue by the project's strategy."""
    project = version.project
    model, tokenizer = classifier_for(version)
    max_length = TrainConfig.from_settings(settings.LOOPLABEL_TRAINING).max_length
    label_ids = dict(project.labels.values_list("name", "id"))
    pool = list(Document.objects.filter(project=project, state=DocumentState.POOL).values_list("id", "text"))
    for start in range(0, len(pool), SCORE_CHUNK):
        chunk = pool[start:start + SCORE_CHUNK]
        probabilities = predict_proba(model, tokenizer, [text for _, text in chunk], max_length=max_length)
        priorities = uncertainty(project.query_strategy, probabilities)
        best = probabilities.argmax(1)
        set_priorities(project, {
            doc_id: (
                None if priorities is None else float(priorities[i]),
                label_ids.get(version.label_names[best[i]]),
                float(probabilities[i, best[i]]),
            )
            for i, (doc_id, _) in enumerate(chunk)
        })
        progress(min(start + SCORE_CHUNK, len(pool)) / max(len(pool), 1))
    progress(1.0)
    return len(pool)


def predict(project, texts) -> list[dict]:
    version = latest_model(project)
    if version is None:
        raise NotTrainable("This project has no trained model yet.")
    model, tokenizer = classifier_for(version)
    # The model learned from masked texts, so it is asked about masked texts too.
    masked = [mask(text, strategy=project.masking_strategy, scope=str(project.id)).masked_text for text in texts]
    probabilities = predict_proba(model, tokenizer, masked)
    return [
        {"label": version.label_names[int(row.argmax())],
         "scores": {name: round(float(p), 5) for name, p in zip(version.label_names, row)}}
        for row in probabilities
    ]
