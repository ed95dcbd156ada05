"""Scoring: embed the project once with a fine-tuned encoder, cache it, re-order the queue.

Pools beyond `score_task_chunk()` documents are split into chunks that any worker of the
training queue may embed; the chunk that completes the set merges the parts (a lock file
makes sure exactly one does) and finishes the run.
"""
import json
import os
import time
from pathlib import Path

import numpy as np

from labeling.models import Job, JobStatus
from labeling.services.jobs import JobProgress, finish_job, update_job

from ..models import ModelVersion
from .dataset import project_documents, texts_by_id, uncached_documents
from .due import after_labels, request_embedding_of_new_documents, score_task_chunk
from .embedding_cache import save_cache
from .encoders import encoder_for, probabilities_of
from .next_steps import NextSteps
from .queue_order import order_by_uncertainty
from .stability import save_stop_predictions, stability


def score_pool(version, progress=lambda fraction: None, *, chunk_size=None) -> NextSteps:
    """Embed every document with a FULL version, cache the embeddings, re-order the queue.

    A pool beyond `chunk_size` is not embedded here: the NextSteps name its chunks.
    """
    ids, texts = project_documents(version.project)
    chunk_size = chunk_size or score_task_chunk()
    if len(ids) > chunk_size:
        return _plan_chunks(version, ids, chunk_size)
    started = time.perf_counter()
    embeddings = encoder_for(version).embed(texts, progress=progress)
    version.training_info = {**(version.training_info or {}), **embedding_speed(len(ids), time.perf_counter() - started)}
    version.save(update_fields=["training_info"])
    save_cache(version.artifact_dir, ids, embeddings)
    steps = finish_scoring(version, ids, embeddings)
    progress(1.0)
    return steps


def embedding_speed(documents, seconds) -> dict:
    """What a version's training_info says about embedding the pool."""
    return {"embed_documents": documents, "embed_seconds": round(seconds, 2),
            "embed_texts_per_s": round(documents / max(seconds, 1e-9), 1)}


def _plan_chunks(version, ids, chunk_size) -> NextSteps:
    parts = Path(version.artifact_dir) / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    chunks = [ids[start:start + chunk_size] for start in range(0, len(ids), chunk_size)]
    (parts / "plan.json").write_text(json.dumps({"chunks": len(chunks)}))
    return NextSteps(version.project_id, score_chunks=[
        (version.id, index, [int(i) for i in chunk]) for index, chunk in enumerate(chunks)
    ])


def score_chunk(version_id, index, doc_ids) -> NextSteps:
    """Embed one chunk of a large pool; the chunk that completes the set finishes the scoring and the run.

    A chunk that fails (a full disk) fails the run at once, as a fine-tune that fails does, so that the
    project's lock is free for the next run without waiting for the sweep.
    """
    version = ModelVersion.objects.select_related("project").get(pk=version_id)
    if Job.objects.filter(pk=version.job_id, status=JobStatus.FAILED).exists():
        # The run was given up (a chunk failed, or its worker died and the sweep failed it): the next run
        # scores the pool, and a chunk of this one, left in the queue or redelivered later, must not
        # re-order it by an old model.
        return NextSteps(version.project_id)
    try:
        return _score_chunk(version, index, doc_ids)
    except Exception as exc:
        if version.job_id:
            finish_job(version.job_id, JobStatus.FAILED, f"Scoring the pool failed ({type(exc).__name__}); "
                                                         "see the worker log.")
        raise


def _score_chunk(version, index, doc_ids) -> NextSteps:
    doc_ids, texts = texts_by_id(doc_ids)
    # A chunk takes minutes on a CPU; its run's job must not look abandoned meanwhile.
    heartbeat = JobProgress(version.job_id).beat if version.job_id else (lambda fraction: None)
    embeddings = encoder_for(version).embed(texts, progress=heartbeat)
    parts = Path(version.artifact_dir) / "parts"
    tmp = parts / f".part-{index:05d}.npz"
    with open(tmp, "wb") as handle:
        np.savez(handle, ids=np.asarray(doc_ids, dtype=np.int64), embeddings=embeddings)
    os.replace(tmp, parts / f"part-{index:05d}.npz")
    if version.job_id:
        update_job(version.job_id)  # the stale-job sweep reads updated_at
    done = sorted(parts.glob("part-*.npz"))
    if len(done) < json.loads((parts / "plan.json").read_text())["chunks"]:
        return NextSteps(version.project_id)
    try:  # exactly one chunk task finishes the run, even if several see the full set
        os.close(os.open(parts / "finalize.lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return NextSteps(version.project_id)
    loaded = [np.load(path) for path in done]
    ids = np.concatenate([part["ids"] for part in loaded])
    embeddings = np.concatenate([part["embeddings"] for part in loaded])
    save_cache(version.artifact_dir, ids, embeddings)
    return finish_scoring(version, ids, embeddings) | finish_full_run(version)


def finish_scoring(version, ids, embeddings) -> NextSteps:
    """Write the queue and the stability figures of a version whose embeddings of the pool are cached."""
    probabilities = probabilities_of(version, embeddings)
    order_by_uncertainty(version.project, version.label_names, version.number, ids, probabilities, embeddings)
    save_stop_predictions(version.artifact_dir, version.project, ids, probabilities)
    version.metrics = {**(version.metrics or {}), **stability(version)}
    version.save(update_fields=["metrics"])
    if uncached_documents(version.project, ids):  # imported while the pool was being embedded
        return request_embedding_of_new_documents(version.project)
    return NextSteps(version.project_id)


def finish_full_run(version) -> NextSteps:
    """Mark the fine-tune's job done; labels that arrived during the run go into the next one."""
    if version.job_id:
        finish_job(version.job_id, JobStatus.SUCCEEDED, f"Model v{version.number} trained on {version.train_size} labels.")
    return after_labels(version.project)
