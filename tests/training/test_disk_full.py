"""The disk fills up while a model is written: no version is recorded half-way, the run fails at once and
frees the project's lock, the queue keeps serving, and once there is space again the next refit and run
succeed.

The disk is real: a small tmpfs mounted as the models directory and filled with a file until the
kernel answers ENOSPC (mounting needs root; elsewhere the test is skipped).
"""
import errno
import subprocess
from pathlib import Path

import pytest

from labeling.models import Job, JobKind, JobStatus
from labeling.services import queue
from training.loop import due, full_run, scoring
from training.loop.encoders import version_probabilities
from training.loop.head_refit import refit_head
from training.loop.versions import latest_model, project_models_dir
from training.models import ModelKind, ModelVersion

from .conftest import label_documents, train_full

pytestmark = pytest.mark.django_db


@pytest.fixture
def models_disk(tmp_path, settings):
    """A filesystem of its own for the models directory: 64 MB, room for the tiny model a few times over."""
    path = tmp_path / "models-disk"
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(path)], capture_output=True,
                             text=True)
    if mounted.returncode:
        pytest.skip(f"a small disk needs `mount -t tmpfs` (root): {mounted.stderr.strip()}")
    settings.LOOPLABEL_MODELS_DIR = path
    yield path
    subprocess.run(["umount", str(path)], check=True)


def fill(disk):
    """Write one file until the kernel refuses: the disk is full. Returns the file, whose removal frees it."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        with pytest.raises(OSError) as refused:
            while True:
                handle.write(b"\0" * (1 << 20))
    assert refused.value.errno == errno.ENOSPC
    return filler


def _directories(project):
    return sorted(path.name for path in project_models_dir(project).iterdir())


def test_a_full_disk_records_no_version_half_way_and_the_loop_goes_on_once_there_is_space(
        loop_project, annotator, models_disk):
    first = train_full(loop_project, annotator)
    before = _directories(loop_project)
    filler = fill(models_disk)

    label_documents(loop_project, annotator, 4)
    with pytest.raises(OSError) as refused:
        refit_head(loop_project.id)
    assert refused.value.errno == errno.ENOSPC
    run = Job.objects.create(project=loop_project, kind=JobKind.TRAIN)
    with pytest.raises(Exception, match="No space left on device|StorageFull"):
        full_run.run_training(run.id)

    assert list(ModelVersion.objects.filter(project=loop_project)) == [first]
    assert _directories(loop_project) == before  # no partial files left behind either
    assert Job.objects.get(pk=run.pk).status == JobStatus.FAILED
    assert due.active_training_job(loop_project) is None  # the lock is free for the next run
    assert version_probabilities(latest_model(loop_project), ["profit rose"]).shape == (1, 3)  # predictions go on
    assert queue.next_document(loop_project, annotator) is not None  # and so does the queue

    filler.unlink()
    head = refit_head(loop_project.id)[0]
    assert head.kind == ModelKind.HEAD and head.metrics["kappa_vs_previous"] is not None
    retry, _ = due.request_training(loop_project, reason="test")
    version = full_run.run_training(retry.id)[0]
    assert version.number == head.number + 1 and Job.objects.get(pk=retry.pk).status == JobStatus.SUCCEEDED


def test_a_chunk_of_the_pool_the_full_disk_refuses_fails_its_run_at_once(loop_project, annotator, models_disk,
                                                                         settings):
    settings.LOOPLABEL_SCORE_TASK_CHUNK = 10  # the pool is scored by chunk tasks, after the version exists
    label_documents(loop_project, annotator, 24)
    run, _ = due.request_training(loop_project, reason="test")
    version, steps = full_run.run_training(run.id)
    first, second, *_ = steps.score_chunks
    filler = fill(models_disk)
    with pytest.raises(OSError):
        scoring.score_chunk(*first)
    assert Job.objects.get(pk=run.pk).status == JobStatus.FAILED  # not left running until the sweep
    assert due.active_training_job(loop_project) is None

    filler.unlink()
    scoring.score_chunk(*second)  # the given-up run's other chunks do nothing
    assert not list((Path(version.artifact_dir) / "parts").glob("part-*"))
