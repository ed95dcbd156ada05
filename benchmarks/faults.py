"""Faults under load (issue 16, item 4): each fault hits a running Looplabel while annotators label.

Starts Looplabel as `make run` does (benchmarks/_stack.py: gunicorn sized by config/gunicorn.py, the
`training` and `default` workers and beat) in a fresh data directory, on SQLite + the filesystem
broker or on PostgreSQL + Redis, with the default base model (MiniLM). Its models directory is a
disk of its own (an ext4 image on a loop device) that the disk-full fault really fills. Throughout,
--annotators simulated annotators label over HTTP with their own tokens, as the annotator page does:
`next`, a pause, the label; a label the server did not answer (no connection, a 5xx) is kept and
sent again until it is answered. Then, one after another:

  none                        no fault: the first fine-tune, for reference
  worker killed: fine-tune    SIGKILL to the `training` worker while a run takes optimizer steps
  worker killed: scoring      SIGKILL to the `training` worker while a run's chunk tasks embed the pool
  worker killed: import       SIGKILL to the `default` worker while an import stages rows (a fine-tuned
                              model exists); the lead imports the file again once the import shows failed
  broker down                 --outage seconds: the filesystem broker's folder refuses writes (chattr +i),
                              or Redis is shut down (`redis-cli shutdown nosave`) and started again
  PostgreSQL restarted        `pg_ctlcluster 15 main restart` (PostgreSQL only)
  web server restarted        gunicorn: SIGTERM, then started again
  web server killed           gunicorn: SIGKILL, then started again
  disk full                   the models disk filled until ENOSPC for --outage seconds, a lead's run
                              asked for meanwhile; then the space is freed

A killed worker is started again at once, as a process supervisor would. For each fault: labels
acknowledged (201), of those the ones in the lead's export afterwards with their label and annotator,
lost (acknowledged, not exported), 503 answers (all with Retry-After, or they count as other 5xx),
other 5xx, failed connections, other errors, what is stuck afterwards (jobs nobody runs, staged rows,
requests never sent again, versions whose files are missing) and how soon the loop was back: a
killed run failed and a later run trained, a killed import failed and the same file imported and
scored, a version trained on the labels made during a broker outage, a label stored and a version
made after a restart, a version made after the disk had space again.

Windows shorter than the defaults, so that a fault takes minutes: a job silent for 60 s has lost its
worker or its message (LOOPLABEL_JOB_STALE_SECONDS; default 300), fine-tunes are short (10-20
optimizer steps, 32 tokens) and pools are scored in chunk tasks of 1,500 texts. Beat sweeps every
minute, as by default. Recovery times scale with those windows.

Needs root (mount, chattr, the database and broker services; PostgreSQL and Redis restarts also hit
whatever else uses them) and requirements-bench.txt (requests).

    .venv/bin/python benchmarks/faults.py --db sqlite
    .venv/bin/python benchmarks/faults.py --db postgres

Writes benchmarks/results/faults.json (an entry per database) and prints a table.
"""
import argparse
import errno
import itertools
import json
import os
import platform
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stack import Stack  # noqa: E402
from annotator_load import unique_texts, write_csv  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "faults.json"
LABELS = ["positive", "neutral", "negative"]
PASSWORD = "faults-bench-pass-1"
STALE_SECONDS = 60
ENV = {
    "LOOPLABEL_JOB_STALE_SECONDS": str(STALE_SECONDS),
    "LOOPLABEL_TRAINING": json.dumps({"min_steps": 10, "max_steps": 20, "max_length": 32}),
    "LOOPLABEL_SCORE_TASK_CHUNK": "1500",
}
MODELS_DISK_GB = 6
RECOVERY_TIMEOUT = 900  # seconds a fault may take to recover before it counts as not recovered
SUBMIT_GRACE = 120  # seconds a stopping annotator keeps sending a label the server has not answered
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
               "--appendonly", "no"]


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_until(condition, timeout, interval=1.0):
    """The time (time.time()) at which `condition()` held, or None when it did not within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.time()
        time.sleep(interval)
    return None


def seconds_from(moment, *times):
    """Seconds from `moment` until the last of `times`; None when one of them never came."""
    return None if None in times else round(max(times) - moment, 1)


def server_time(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


# --- the annotators ------------------------------------------------------------------------------

class Annotator(threading.Thread):
    """One annotator: `next`, a pause, the label; a label the server did not answer is sent again."""

    def __init__(self, base, project, account, think, stop):
        super().__init__(daemon=True)
        self.base, self.project, self.username, self.think, self.stop = base, project, account["username"], think, stop
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {account['token']}"
        self.rng = random.Random(self.username)
        self.acknowledged = []  # (document, label, leased at, acknowledged at)
        self.answers_lost = []  # (document, label): stored by an attempt whose answer never came (409 on the repeat)
        self.unanswered = []  # (document, label): still unanswered when the run stopped
        self.answers = Counter()  # "next 200", "submit 503", "submit 0" (no connection), "POST failed: ReadTimeout"
        self.tally = Counter()  # the same answers by what they mean (see note)

    def call(self, method, path, body=None):
        """(status, json body, whether a 503 said Retry-After); status 0: no connection or no answer."""
        try:
            response = self.session.request(method, f"{self.base}{path}", json=body, timeout=30)
        except requests.RequestException as exc:
            self.answers[f"{method} failed: {type(exc).__name__}"] += 1
            return 0, None, False
        data = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
        return response.status_code, data, bool(response.headers.get("Retry-After"))

    def note(self, kind, status, retry_after, repeat=False):
        self.answers[f"{kind} {status}"] += 1
        if status == 0:
            meaning = "no connection"
        elif status == 503 and retry_after:
            meaning = "503"
        elif status >= 500:
            meaning = "other 5xx"
        elif status == 409 and repeat:
            meaning = "answer lost"  # an earlier attempt was stored; its answer never came
        elif status in (200, 201, 204):
            meaning = "ok"
        else:
            meaning = "other error"
        self.tally[meaning] += 1

    def pause_after(self, status):
        time.sleep(1.0 if status in (0, 503) else 0.2)

    def run(self):
        while not self.stop.is_set():
            status, body, retry_after = self.call("GET", f"/api/v1/projects/{self.project}/next/")
            self.note("next", status, retry_after)
            if status == 200:
                leased_at = time.time()
                time.sleep(self.think * self.rng.uniform(0.5, 1.5))
                self.submit(body["document"]["id"], self.rng.choice(LABELS), leased_at)
            else:
                self.pause_after(status)

    def submit(self, document, label, leased_at):
        deadline = None
        for attempt in itertools.count():
            status, _, retry_after = self.call("POST", f"/api/v1/projects/{self.project}/annotations/",
                                               {"document": document, "label": label})
            self.note("submit", status, retry_after, repeat=attempt > 0)
            if status == 201:
                self.acknowledged.append((document, label, leased_at, time.time()))
                return
            if status == 409 and attempt:
                self.answers_lost.append((document, label))
                return
            if 0 < status < 500:
                return
            if self.stop.is_set():
                deadline = deadline or time.monotonic() + SUBMIT_GRACE
                if time.monotonic() > deadline:
                    self.unanswered.append((document, label))
                    return
            self.pause_after(status)


class Crowd:
    """The annotators of one fault, started together and stopped together."""

    def __init__(self, bench):
        self.stop = threading.Event()
        self.annotators = [Annotator(bench.stack.url, bench.project, account, bench.args.think, self.stop)
                           for account in bench.accounts]
        for annotator in self.annotators:
            annotator.start()

    def finish(self):
        self.stop.set()
        for annotator in self.annotators:
            annotator.join()

    @property
    def acknowledged(self):
        return [(a.username, *ack) for a in self.annotators for ack in list(a.acknowledged)]

    def labelled_after(self, moment):
        return any(acked_at > moment for *_, acked_at in self.acknowledged)

    def answers(self):
        return sum((Counter(a.answers) for a in self.annotators), Counter())

    def tally(self):
        return sum((Counter(a.tally) for a in self.annotators), Counter())


# --- the lead ------------------------------------------------------------------------------------

class Lead:
    """The lead's API calls; they wait out a fault (no connection, 503) rather than count it."""

    def __init__(self, base, project, token):
        self.base, self.project = base, project
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def call(self, method, path, **kwargs):
        for _ in range(600):
            try:
                response = self.session.request(method, f"{self.base}/api/v1/projects/{self.project}/{path}",
                                                timeout=120, **kwargs)
            except requests.RequestException:
                time.sleep(1)
                continue
            if response.status_code not in (502, 503, 504):
                return response
            time.sleep(1)
        raise RuntimeError(f"{method} {path} got no answer for ten minutes")

    def jobs(self, kind):
        return [job for job in self.call("GET", "jobs/").json() if job["kind"] == kind]

    def job(self, job_id):
        return next(job for job in self.call("GET", "jobs/").json() if job["id"] == job_id)

    def versions(self):
        return self.call("GET", "models/").json()

    def labels_done(self):
        return self.call("GET", "stats/").json()["labels_done"]

    def train(self):
        """The run a lead's request starts, or the one queued or running already."""
        return self.call("POST", "train/").json()

    def import_file(self, path):
        with open(path, "rb") as handle:
            response = self.call("POST", "import/", files={"file": ("more.csv", handle, "text/csv")})
        return response.json()["job_id"]

    def exported(self):
        lines = self.call("GET", "export/?format=jsonl").text.splitlines()
        return {row["id"]: (row["label"], row["annotator"]) for row in map(json.loads, filter(None, lines))}


# --- the deployment ------------------------------------------------------------------------------

SETUP = """
from django.contrib.auth import get_user_model
from django.core.files import File
from rest_framework.authtoken.models import Token
from labeling.services.importing import run_import, start_import
from labeling.services.projects import create_project, set_member

User = get_user_model()
lead = User.objects.create_user("faults-lead", password=PARAMS["password"])
project = create_project(lead, name="Faults", labels=[{"name": name} for name in PARAMS["labels"]],
                         label_budget=None, retrain_every=PARAMS["retrain_every"])
accounts = []
for number in range(PARAMS["annotators"]):
    user = User.objects.create_user(f"faults-annotator-{number}", password=PARAMS["password"])
    set_member(project, user.username, "annotator")
    accounts.append({"username": user.username, "token": Token.objects.create(user=user).key})
with open(PARAMS["csv"], "rb") as upload:
    job = run_import(start_import(project, lead, File(upload, name="texts.csv")).id)
print(json.dumps({"project": project.id, "lead": Token.objects.create(user=lead).key, "accounts": accounts,
                  "import": job.message}))
"""

# What a fault may leave behind: jobs that lost their worker or message and were not swept, rows of
# imports that ended, requests whose task never ran, versions whose files are missing.
CHECK = """
from datetime import timedelta
from pathlib import Path
from django.conf import settings
from django.utils import timezone
from labeling.models import Document, DocumentState, Job, JobStatus
from training.loop.due import STALE_REQUEST_AFTER
from training.models import ModelVersion, ProjectLoop

now, found = timezone.now(), []
silent = now - timedelta(seconds=2 * settings.LOOPLABEL_JOB_STALE_SECONDS + 60)  # the window and a sweep
for job in Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING], updated_at__lt=silent):
    found.append(f"{job.kind} job {job.status}, silent since {job.updated_at:%H:%M:%S}")
staged = Document.objects.filter(state=DocumentState.IMPORTING).exclude(import_job__status=JobStatus.RUNNING)
if staged.exists():
    found.append(f"{staged.count()} staged rows of imports that ended")
for loop in ProjectLoop.objects.all():
    for flag in ("head", "cold_start", "embed", "labels"):
        asked = getattr(loop, f"{flag}_requested_at")
        if getattr(loop, f"{flag}_pending") and asked and asked < now - STALE_REQUEST_AFTER - timedelta(minutes=2):
            found.append(f"{flag} request pending since {asked:%H:%M:%S}")
FILES = {"full": ["config.json", "model.safetensors", "tokenizer.json"], "head": ["head.npz"]}
for version in ModelVersion.objects.all():
    missing = [name for name in FILES[version.kind] if not (Path(version.artifact_dir) / name).exists()]
    if missing:
        found.append(f"v{version.number} ({version.kind}) without {', '.join(missing)}")
print(json.dumps(found))
"""


class ModelsDisk:
    """The models directory on an ext4 image of its own, which `fill` fills until the kernel answers ENOSPC."""

    def __init__(self, directory):
        self.path = directory / "models"
        self.image = directory / "models.ext4"
        self.filler = self.path / "filler"

    def __enter__(self):
        self.path.mkdir()
        subprocess.run(["truncate", "-s", f"{MODELS_DISK_GB}G", str(self.image)], check=True)
        subprocess.run(["mkfs.ext4", "-q", "-m", "0", str(self.image)], check=True)  # -m 0: nothing kept for root
        subprocess.run(["mount", "-o", "loop", str(self.image), str(self.path)], check=True)
        return self

    def __exit__(self, *exc):
        subprocess.run(["umount", "-l", str(self.path)], check=False)  # lazily: workers may still hold files

    def fill(self):
        """Allocate what is free in large steps, then write until refused."""
        with open(self.filler, "wb", buffering=0) as handle:
            for step in (1 << 28, 1 << 20, 1 << 12):
                try:
                    while True:
                        os.posix_fallocate(handle.fileno(), handle.seek(0, os.SEEK_END), step)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
        return os.statvfs(self.path).f_bavail * os.statvfs(self.path).f_frsize

    def free(self):
        self.filler.unlink()


class Bench:
    def __init__(self, stack, disk, setup, more_texts, args):
        self.stack, self.disk, self.args, self.more_texts = stack, disk, args, more_texts
        self.project, self.accounts = setup["project"], setup["accounts"]
        self.lead = Lead(stack.url, self.project, setup["lead"])

    def sql(self, query, *params):
        """One row of a read-only query on the stack's database (quicker than a Django shell while polling)."""
        if self.stack.db == "sqlite":
            with sqlite3.connect(f"file:{self.stack.dir / 'looplabel.sqlite3'}?mode=ro", uri=True) as connection:
                return connection.execute(query.replace("%s", "?"), params).fetchone()
        with psycopg.connect(self.stack.env["DATABASE_URL"]) as connection:
            return connection.execute(query, params).fetchone()

    def unscored(self):
        """Pool texts without a place in the model's queue order yet."""
        return self.sql("SELECT count(*) FROM labeling_document WHERE project_id = %s AND state = 'pool' "
                        "AND priority IS NULL", self.project)[0]

    def scored_chunks(self, job_id):
        """(chunks scored, chunks planned) of a run's pool."""
        row = self.sql("SELECT artifact_dir FROM training_modelversion WHERE job_id = %s",
                       job_id.replace("-", "") if self.stack.db == "sqlite" else job_id)  # SQLite: hex, no dashes
        parts = Path(row[0]) / "parts" if row else None
        if parts is None or not (parts / "plan.json").exists():
            return 0, None
        return len(list(parts.glob("part-*.npz"))), json.loads((parts / "plan.json").read_text())["chunks"]

    def versions_after(self, moment, kind=None, labels=0):
        return [v for v in self.lead.versions() if server_time(v["created_at"]) > moment
                and (kind is None or v["kind"] == kind) and v["labels_used"] >= labels]

    def run_trained_after(self, moment):
        """Whether a training run finished after `moment` with a new version."""
        return any(job["status"] == "succeeded" and server_time(job["updated_at"]) > moment
                   for job in self.lead.jobs("train"))

    def run_in_stage(self, stage, timeout=900):
        """A training run in `stage` (asked for by the lead when none is on its way)."""
        found = {}

        def in_stage():
            active = [job for job in self.lead.jobs("train") if job["status"] in ("queued", "running")]
            job = active[0] if active else self.lead.train()  # a 409 (not trainable yet) has no status
            # In "training" from its first optimizer step on; the stage starts with the model's load.
            stepping = stage != "training" or job.get("progress", 0) > 0
            if job.get("status") == "running" and job["stage"] == stage and stepping:
                found.update(job)
            return bool(found)

        if wait_until(in_stage, timeout, interval=0.5) is None:
            raise RuntimeError(f"no training run reached the {stage!r} stage")
        return found



# --- the faults ----------------------------------------------------------------------------------
# Each injects its fault while the annotators work, waits until Looplabel is back, and returns
# {"recovered_within_s": seconds or None, "fault_s": how long the fault lasted, ...}.

def no_fault(bench):
    started = time.time()
    trained = wait_until(lambda: bench.versions_after(0, "full"), RECOVERY_TIMEOUT, interval=5)
    time.sleep(10)
    return {"recovered_within_s": None, "fault_s": 0, "first_fine_tune_after_s": seconds_from(started, trained)}


def kill_mid_fine_tune(bench):
    job = bench.run_in_stage("training")
    killed_at = time.time()
    bench.stack.restart("training", signal.SIGKILL)  # and started again, as a supervisor would
    return {**_after_killed_run(bench, job, killed_at), "killed_at_progress": job["progress"]}


def kill_mid_scoring(bench):
    job = bench.run_in_stage("scoring")
    if wait_until(lambda: bench.scored_chunks(job["id"])[0] > 0, RECOVERY_TIMEOUT, interval=0.2) is None:
        raise RuntimeError("no chunk of the pool was scored")
    killed_at = time.time()
    bench.stack.restart("training", signal.SIGKILL)
    done, planned = bench.scored_chunks(job["id"])
    return {**_after_killed_run(bench, job, killed_at), "chunks_scored_when_killed": f"{done} of {planned}"}


def _after_killed_run(bench, job, killed_at):
    """The killed run fails (the sweep) and a later run trains."""
    recovered = wait_until(lambda: bench.lead.job(job["id"])["status"] == "failed"
                           and bench.run_trained_after(killed_at), RECOVERY_TIMEOUT, interval=5)
    return {"recovered_within_s": seconds_from(killed_at, recovered), "fault_s": 0,
            "killed_run": bench.lead.job(job["id"])["message"]}


def kill_mid_import(bench):
    csv_path = write_csv(bench.more_texts, bench.stack.dir)
    job_id = bench.lead.import_file(csv_path)
    staged = wait_until(lambda: (job := bench.lead.job(job_id))["status"] == "running" and job["progress"] > 0,
                        300, interval=0.2)
    if staged is None:
        raise RuntimeError("the import did not start")
    killed_at = time.time()
    bench.stack.restart("default", signal.SIGKILL)
    wait_until(lambda: bench.lead.job(job_id)["status"] == "failed", RECOVERY_TIMEOUT, interval=5)
    again = bench.lead.import_file(csv_path)  # what the lead does on seeing it failed
    recovered = wait_until(lambda: bench.lead.job(again)["status"] == "succeeded" and bench.unscored() == 0,
                           RECOVERY_TIMEOUT, interval=5)
    return {"recovered_within_s": seconds_from(killed_at, recovered), "fault_s": 0,
            "killed_import": bench.lead.job(job_id)["message"], "imported_again": bench.lead.job(again)["counts"]}


def broker_down(bench):
    labels_before = bench.lead.labels_done()
    if bench.stack.db == "sqlite":
        folder = bench.stack.dir / "broker" / "queue"
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        time.sleep(bench.args.outage)
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        subprocess.run(["redis-cli", "shutdown", "nosave"], check=False, capture_output=True)
        time.sleep(bench.args.outage)
        subprocess.run(REDIS_START, check=True, capture_output=True)
    back_at = time.time()
    labels_during = bench.lead.labels_done() - labels_before
    stored = bench.lead.labels_done()
    head = wait_until(lambda: bench.versions_after(back_at, "head", stored), RECOVERY_TIMEOUT, interval=2)
    full = wait_until(lambda: bench.versions_after(back_at, "full", stored), RECOVERY_TIMEOUT, interval=5)
    return {"recovered_within_s": seconds_from(back_at, head, full), "fault_s": bench.args.outage,
            "labels_stored_during_outage": labels_during, "head_refit_on_them_within_s": seconds_from(back_at, head),
            "fine_tune_on_them_within_s": seconds_from(back_at, full)}


def postgres_restart(bench):
    started = time.time()
    subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=True)
    back_at = time.time()
    serving = wait_until(lambda: bench.crowd.labelled_after(back_at), RECOVERY_TIMEOUT, interval=0.5)
    loop = wait_until(lambda: bench.versions_after(back_at), RECOVERY_TIMEOUT, interval=2)
    return {"recovered_within_s": seconds_from(started, serving, loop), "fault_s": round(back_at - started, 1),
            "labels_again_within_s": seconds_from(started, serving), "version_within_s": seconds_from(started, loop)}


def web_restart(sig):
    def restart(bench):
        started = time.time()
        bench.stack.restart("web", sig)
        up_at = time.time()
        serving = wait_until(lambda: bench.crowd.labelled_after(up_at), RECOVERY_TIMEOUT, interval=0.5)
        time.sleep(15)  # the labels of texts leased before the restart come in
        survived = [ack for ack in bench.crowd.acknowledged if ack[3] < started < ack[4]]
        return {"recovered_within_s": seconds_from(started, serving), "fault_s": round(up_at - started, 1),
                "leased_before_labelled_after": len(survived)}
    return restart


def disk_full(bench):
    left = bench.disk.fill()
    filled_at = time.time()
    run = bench.lead.train()
    failed = wait_until(lambda: bench.lead.job(run["id"])["status"] == "failed", RECOVERY_TIMEOUT, interval=2)
    time.sleep(max(0, bench.args.outage - (time.time() - filled_at)))
    made_while_full = bench.versions_after(filled_at)
    bench.disk.free()
    freed_at = time.time()
    head = wait_until(lambda: bench.versions_after(freed_at, "head"), RECOVERY_TIMEOUT, interval=2)
    full = wait_until(lambda: bench.run_trained_after(freed_at), RECOVERY_TIMEOUT, interval=5)
    return {"recovered_within_s": seconds_from(freed_at, head, full),
            "fault_s": round(freed_at - filled_at, 1), "bytes_left_when_full": left,
            "lead_run": bench.lead.job(run["id"])["message"] if failed is not None else "did not fail",
            "versions_made_while_full": len(made_while_full)}


FAULTS = {
    "none": no_fault,
    "worker killed: fine-tune": kill_mid_fine_tune,
    "worker killed: scoring": kill_mid_scoring,
    "worker killed: import": kill_mid_import,
    "broker down": broker_down,
    "PostgreSQL restarted": postgres_restart,
    "web server restarted": web_restart(signal.SIGTERM),
    "web server killed": web_restart(signal.SIGKILL),
    "disk full": disk_full,
}


def run_fault(bench, name):
    log(f"{name}: annotators start")
    bench.crowd = Crowd(bench)
    time.sleep(bench.args.warmup)
    try:
        outcome = FAULTS[name](bench)
    finally:
        time.sleep(5)
        bench.crowd.finish()
    acknowledged = bench.crowd.acknowledged
    exported = bench.lead.exported()
    tally = bench.crowd.tally()
    in_export = sum(1 for username, document, label, *_ in acknowledged if exported.get(document) == (label, username))
    answers_lost = [(a.username, *lost) for a in bench.crowd.annotators for lost in a.answers_lost]
    row = {
        "fault": name,
        "acknowledged": len(acknowledged),
        "in_export": in_export,
        "lost": len(acknowledged) - in_export,
        "answers_lost": len(answers_lost),
        "answers_lost_but_stored": sum(1 for user, doc, label in answers_lost if exported.get(doc) == (label, user)),
        "unanswered_at_stop": sum(len(a.unanswered) for a in bench.crowd.annotators),
        "503_with_retry_after": tally["503"],
        "other_5xx": tally["other 5xx"],
        "connections_failed": tally["no connection"],
        "other_errors": tally["other error"],
        "answers": dict(bench.crowd.answers()),
        "stuck": bench.stack.django(CHECK),
        **outcome,
    }
    log(f"{name}: {row['acknowledged']} labels acknowledged, {row['lost']} lost, stuck {row['stuck']}, "
        f"recovered within {row['recovered_within_s']}")
    return row


def run(args):
    texts = unique_texts(args.texts + args.import_rows, seed=1)
    with ExitStack() as cleanup:
        stack = cleanup.enter_context(Stack(db=args.db, redis_db=13, extra_env=ENV))  # 12: annotator_load.py's
        disk = cleanup.enter_context(ModelsDisk(stack.dir))
        log(f"{stack.label}: project of {args.texts:,} texts, {args.annotators} annotators")
        with tempfile.TemporaryDirectory() as scratch:
            setup = stack.django(SETUP, password=PASSWORD, labels=LABELS, annotators=args.annotators,
                                 retrain_every=args.retrain_every, csv=str(write_csv(texts[:args.texts], scratch)))
        log(f"  {setup['import']}; starting gunicorn, workers and beat")
        stack.start()
        bench = Bench(stack, disk, setup, texts[args.texts:], args)
        names = [name for name in FAULTS if name in (args.faults or FAULTS)
                 and (name != "PostgreSQL restarted" or args.db == "postgres")]
        rows = [run_fault(bench, name) for name in names]
        logs = {part: stack.log_tail(part, 40) for part in ("web", "training", "default", "beat")}
    return {"server": stack.label, "rows": rows, "log_tails": logs}


def cell(value):
    return "-" if value is None else (f"{value:.0f} s" if isinstance(value, float) else str(value))


def print_table(result):
    columns = ["fault", "acknowledged", "in export", "lost", "503 (Retry-After)", "other 5xx", "conn. failed",
               "other errors", "stuck", "recovered within"]
    print(f"{result['server']}\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in result["rows"]:
        values = [row["fault"], row["acknowledged"], row["in_export"], row["lost"], row["503_with_retry_after"],
                  row["other_5xx"], row["connections_failed"], row["other_errors"], len(row["stuck"]),
                  row["recovered_within_s"]]
        print("| " + " | ".join(cell(value) for value in values) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--annotators", type=int, default=4)
    parser.add_argument("--think", type=float, default=2.0, help="seconds an annotator reads a text, on average")
    parser.add_argument("--texts", type=int, default=4000)
    parser.add_argument("--import-rows", type=int, default=2000, help="texts of the import a killed worker runs")
    parser.add_argument("--retrain-every", type=int, default=300)
    parser.add_argument("--warmup", type=float, default=15, help="seconds of labelling before each fault")
    parser.add_argument("--outage", type=float, default=45, help="seconds the broker is down and the disk full")
    parser.add_argument("--faults", nargs="*", choices=list(FAULTS), help="only these (default: all)")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()

    result = run(args)
    result.update(measured_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  command=" ".join([".venv/bin/python benchmarks/faults.py", *sys.argv[1:]]),
                  machine={"python": platform.python_version(), "cpus": os.cpu_count(),
                           "load_average": os.getloadavg()})
    output = Path(args.output)
    stored = json.loads(output.read_text()) if output.exists() else {}
    stored[args.db] = result
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(stored, indent=2) + "\n")
    print()
    print_table(result)
    print(f"\nwritten to {output}")
    failed = [row["fault"] for row in result["rows"] if row["lost"] or row["other_5xx"] or row["stuck"]
              or (row["fault"] != "none" and row["recovered_within_s"] is None)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
