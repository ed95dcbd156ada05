"""Many annotators at once: labels/s, latency of next and submit, and nothing lost.

For each database (SQLite + the filesystem broker, PostgreSQL + Redis) it starts Looplabel as
`make run` does (benchmarks/_stack.py: gunicorn sized by config/gunicorn.py, the two workers and
beat, so the model loop retrains on the new labels while the annotators work), creates a project of
--texts texts (unique pairs of sentences from the shared datasets, imported with masking as
any import is) and one account and API token per annotator. Then, for each level of
--annotators, that many simulated annotators do `GET next/` -> `POST annotations/` without pause
for --seconds, each with its own token and keep-alive connection, spread over --clients load
generator processes on the same machine.

Reported per level: labels/s, p50/p95/p99 of next and of submit, texts handed out twice (to two
annotators, or again after being labelled), errors (any answer but 200/204 to next and 201 to
submit, and failed connections), the CPU the machine spent (web, workers, load generator) and its
load average. At the end, the lead's export is read and every acknowledged label (every 201) must
be in it, with its annotator and label.

With --label-studio-venv PATH (a venv where `pip install label-studio "sentry-sdk<3"` ran), the
same levels run against Label Studio on the same machine in the same run: `label-studio start`
on its SQLite default, the same texts (--label-studio-texts of them: its import is slow), one user
and token per annotator, `GET /api/projects/{id}/next` and `POST /api/tasks/{id}/annotations/`.

    .venv/bin/python benchmarks/annotator_load.py --texts 100000 --annotators 1 8 50 --seconds 60 \\
        [--db sqlite postgres] [--label-studio-venv /tmp/ls-venv]

Writes benchmarks/results/annotator_load.json and prints a table.
"""
import argparse
import csv
import http.client
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stack import Stack, free_port, wait_until_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
RESULTS = ROOT / "benchmarks" / "results" / "annotator_load.json"
LABELS = ["positive", "neutral", "negative"]
PASSWORD = "load-test-pass-1"


# --- texts ----------------------------------------------------------------------------------------

def sentences():
    found = []
    with open(DATASETS / "movie_reviews" / "rt-polarity.csv", newline="", encoding="utf-8", errors="replace") as handle:
        found += [row[0].strip() for row in csv.reader(handle) if row and row[0].strip()]
    with open(DATASETS / "financial_phrasebank" / "all-data.csv", newline="", encoding="latin-1") as handle:
        found += [row[1].strip() for row in csv.reader(handle) if len(row) > 1 and row[1].strip()]
    return sorted(set(found))


def unique_texts(count, seed=0):
    """`count` distinct texts of two real sentences each (the server drops duplicates)."""
    pool = sentences()
    rng = random.Random(seed)
    texts = set()
    while len(texts) < count:
        texts.add(f"{rng.choice(pool)} {rng.choice(pool)}")
    return sorted(texts)


# --- one simulated annotator ----------------------------------------------------------------------

class Api:
    """A keep-alive HTTP connection with a token; reconnects when the server closed it."""

    def __init__(self, base, token, scheme="Token"):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.headers = {"Authorization": f"{scheme} {token}", "Content-Type": "application/json"}
        self.connection = None

    def call(self, method, path, body=None):
        """(status, parsed body or None, milliseconds); status 0 is a failed connection."""
        payload = json.dumps(body) if body is not None else None
        started = time.perf_counter()
        for attempt in range(2):  # a kept-alive connection the server closed is reopened once
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.connection.request(method, path, body=payload, headers=self.headers)
                response = self.connection.getresponse()
                data = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                parsed = json.loads(data) if data and response.getheader("Content-Type", "").startswith(
                    "application/json") else None
                return response.status, parsed, elapsed
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt:
                    return 0, None, (time.perf_counter() - started) * 1000
        raise AssertionError("unreachable")


LOOPLABEL = {
    "next": "/api/v1/projects/{project}/next/",
    "submit": "/api/v1/projects/{project}/annotations/",
    "scheme": "Token",
}
LABEL_STUDIO = {
    "next": "/api/projects/{project}/next",
    "submit": "/api/tasks/{document}/annotations/",
    "scheme": "Token",
}


def submit_body(server, document, label):
    if server is LABEL_STUDIO:
        return {"result": [{"from_name": "label", "to_name": "text", "type": "choices",
                            "value": {"choices": [label]}}], "task": document}
    return {"document": document, "label": label}


def annotate(server_name, base, project, token, username, deadline, seed):
    """One annotator until the deadline: what it was served, what was acknowledged, and timings."""
    server = LOOPLABEL if server_name == "looplabel" else LABEL_STUDIO
    api = Api(base, token, server["scheme"])
    rng = random.Random(seed)
    record = {"next_ms": [], "submit_ms": [], "served": [], "acknowledged": [], "errors": Counter(), "empty": 0}
    while time.monotonic() < deadline:
        status, body, elapsed = api.call("GET", server["next"].format(project=project))
        record["next_ms"].append(elapsed)
        if status == 204 or (status == 404 and server is LABEL_STUDIO):  # nothing left for this annotator
            record["empty"] += 1
            time.sleep(0.5)
            continue
        if status != 200 or not body:
            record["errors"][f"next {status}"] += 1
            continue
        document = body.get("id") if server is LABEL_STUDIO else body["document"]["id"]
        record["served"].append(document)
        label = rng.choice(LABELS)
        status, body, elapsed = api.call("POST", server["submit"].format(project=project, document=document),
                                         submit_body(server, document, label))
        record["submit_ms"].append(elapsed)
        if status == 201:
            record["acknowledged"].append([document, label, username])
        else:
            record["errors"][f"submit {status}"] += 1
    return record


def client_process(server_name, base, project, annotators, deadline):
    """A load-generator process: one thread per annotator; returns their records and its CPU time."""
    records = [None] * len(annotators)

    def run(position, annotator):
        records[position] = annotate(server_name, base, project, annotator["token"], annotator["username"],
                                     deadline, seed=zlib.crc32(annotator["username"].encode()))

    threads = [threading.Thread(target=run, args=(position, annotator))
               for position, annotator in enumerate(annotators)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    usage = os.times()
    return records, usage.user + usage.system


# --- measuring a level ----------------------------------------------------------------------------

def cpu_seconds(pids):
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError):
            pass
    return total


def machine_busy():
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def run_level(server_name, base, project, annotators, seconds, clients, processes_by_part):
    deadline = time.monotonic() + seconds
    groups = [annotators[i::clients] for i in range(min(clients, len(annotators)))]
    cpu_before = {part: cpu_seconds(pids()) for part, pids in processes_by_part.items()}
    busy_before = machine_busy()
    started = time.monotonic()
    with ProcessPoolExecutor(len(groups)) as pool:
        results = list(pool.map(client_process, [server_name] * len(groups), [base] * len(groups),
                                [project] * len(groups), groups, [deadline] * len(groups)))
    elapsed = time.monotonic() - started
    busy_after = machine_busy()
    records = [record for group_records, _ in results for record in group_records]
    served = Counter(document for record in records for document in record["served"])
    acknowledged = [ack for record in records for ack in record["acknowledged"]]
    errors = sum((record["errors"] for record in records), Counter())
    next_ms = [ms for record in records for ms in record["next_ms"]]
    submit_ms = [ms for record in records for ms in record["submit_ms"]]
    cpu = {part: round(cpu_seconds(pids()) - cpu_before[part], 1) for part, pids in processes_by_part.items()}
    cpu["load generator"] = round(sum(seconds_used for _, seconds_used in results), 1)
    return {
        "annotators": len(annotators),
        "seconds": round(elapsed, 1),
        "labels": len(acknowledged),
        "labels_per_s": round(len(acknowledged) / elapsed, 1),
        "next_ms": {"p50": percentile(next_ms, 0.5), "p95": percentile(next_ms, 0.95), "p99": percentile(next_ms, 0.99),
                    "n": len(next_ms)},
        "submit_ms": {"p50": percentile(submit_ms, 0.5), "p95": percentile(submit_ms, 0.95),
                      "p99": percentile(submit_ms, 0.99), "n": len(submit_ms)},
        "handed_out_twice": sum(1 for count in served.values() if count > 1),
        "empty_answers": sum(record["empty"] for record in records),
        "errors": dict(errors),
        "cpu_seconds": cpu,
        "machine_cpu_busy": round((busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]), 2),
        "load_average": os.getloadavg()[0],
        "acknowledged": acknowledged,
    }


# --- Looplabel ------------------------------------------------------------------------------------

SETUP = """
from django.contrib.auth import get_user_model
from django.core.files import File
from rest_framework.authtoken.models import Token
from labeling.services.importing import run_import, start_import
from labeling.services.projects import create_project, set_member

User = get_user_model()
lead = User.objects.create_user("load-lead", password=PARAMS["password"])
project = create_project(lead, name="Annotator load", label_budget=10_000_000,
                         labels=[{"name": name} for name in PARAMS["labels"]])
annotators = []
for number in range(PARAMS["annotators"]):
    user = User.objects.create_user(f"load-annotator-{number:03d}", password=PARAMS["password"])
    set_member(project, user.username, "annotator")
    annotators.append({"username": user.username, "token": Token.objects.create(user=user).key})
with open(PARAMS["csv"], "rb") as upload:
    job = start_import(project, lead, File(upload, name="texts.csv"), text_field="text")
job = run_import(job.id)
print(json.dumps({"project": project.id, "lead_token": Token.objects.create(user=lead).key,
                  "annotators": annotators, "import": job.message}))
"""


def write_csv(texts, directory):
    path = Path(directory) / "texts.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text"])
        writer.writerows([text] for text in texts)
    return path


def exported_labels(base, project, lead_token):
    api = Api(base, lead_token)
    connection = http.client.HTTPConnection(api.host, api.port, timeout=600)
    connection.request("GET", f"/api/v1/projects/{project}/export/?format=jsonl", headers=api.headers)
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"export answered {response.status}")
    rows = [json.loads(line) for line in response.read().decode().splitlines() if line.strip()]
    return {row["id"]: (row["label"], row["annotator"]) for row in rows}


def run_looplabel(db, texts_csv, args, log):
    with Stack(db=db) as stack:
        log(f"{stack.label}: creating the project and importing {args.texts:,} texts (masking as any import)")
        started = time.monotonic()
        setup = stack.django(SETUP, password=PASSWORD, labels=LABELS, annotators=max(args.annotators),
                             csv=str(texts_csv))
        log(f"  {setup['import']} in {time.monotonic() - started:.0f} s; starting gunicorn, workers and beat")
        stack.start(*(["web"] if args.web_only else []))
        parts = {"web": lambda: stack.pids("web"),
                 "workers": lambda: [pid for part in ("training", "default", "beat") if part in stack.processes
                                     for pid in stack.pids(part)],
                 "database": stack.database_pids}
        levels = []
        for count in args.annotators:
            level = run_level("looplabel", stack.url, setup["project"], setup["annotators"][:count], args.seconds,
                              args.clients, parts)
            log(f"  {count:>3} annotators: {level['labels_per_s']} labels/s, next p99 {level['next_ms']['p99']} ms, "
                f"submit p99 {level['submit_ms']['p99']} ms, errors {level['errors'] or 0}")
            levels.append(level)
        exported = exported_labels(stack.url, setup["project"], setup["lead_token"])
        for level in levels:
            acknowledged = level.pop("acknowledged")
            # A later level may relabel nothing (each text is served once), so the export holds each ack as made.
            level["acknowledged_missing_from_export"] = sum(
                1 for document, label, username in acknowledged if exported.get(document) != (label, username))
        return {"server": f"Looplabel, {stack.label}, gunicorn {stack.commands()['web'][-1]}", "levels": levels}


# --- Label Studio ---------------------------------------------------------------------------------

LABEL_CONFIG = ('<View><Text name="text" value="$text"/><Choices name="label" toName="text">'
                + "".join(f'<Choice value="{label}"/>' for label in LABELS) + "</Choices></View>")
LS_USERS = """
from django.db import transaction
from organizations.models import Organization
from rest_framework.authtoken.models import Token
from users.models import User
organization = Organization.objects.first()
# Label Studio 1.2x turned the plain API tokens off for new organisations (JWTs instead); the
# benchmark's clients send the same `Authorization: Token` header to both servers.
organization.jwt.legacy_api_tokens_enabled = True
organization.jwt.save()
found = []
for number in range(PARAMS["annotators"]):
    with transaction.atomic():
        user = User.objects.create_user(email=f"annotator{number:03d}@example.com", password=PARAMS["password"])
        organization.add_user(user)
        user.active_organization = organization
        user.save()
    found.append({"username": user.email, "token": Token.objects.get_or_create(user=user)[0].key})
print(json.dumps(found))
"""


def run_label_studio(venv, texts, args, log):
    venv = Path(venv)
    data_dir = tempfile.mkdtemp(prefix="label-studio-load-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    token = "loadbenchmarktoken0123456789abcdef012345"
    env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": data_dir, "DJANGO_DB": "sqlite",
           "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "false", "SENTRY_DSN": ""}
    server = subprocess.Popen(
        [str(venv / "bin" / "label-studio"), "start", "--no-browser", "--port", str(port), "--data-dir", data_dir,
         "--username", "lead@example.com", "--password", PASSWORD, "--user-token", token],
        env=env, stdout=open(Path(data_dir) / "server.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(f"{base}/health", timeout=300)
        users = subprocess.run(
            [str(venv / "bin" / "python"), "manage.py", "shell", "-c",
             f"import json\nPARAMS = {{'annotators': {max(args.annotators)}, 'password': {PASSWORD!r}}}\n{LS_USERS}"],
            cwd=next(venv.glob("lib/python*/site-packages/label_studio")),  # its manage.py imports from there
            env={**env, "DJANGO_SETTINGS_MODULE": "core.settings.label_studio"}, check=True, capture_output=True,
            text=True).stdout
        annotators = json.loads(users.strip().splitlines()[-1])
        lead = Api(base, token)
        status, project, _ = lead.call("POST", "/api/projects",
                                       {"title": "Annotator load", "label_config": LABEL_CONFIG})
        if status != 201:
            raise RuntimeError(f"Label Studio refused the project: {status} {project}")
        log(f"Label Studio: importing {len(texts):,} texts")
        for start in range(0, len(texts), 5000):
            status, body, _ = lead.call("POST", f"/api/projects/{project['id']}/import",
                                        [{"text": text} for text in texts[start:start + 5000]])
            if status != 201:
                raise RuntimeError(f"Label Studio refused the import: {status} {body}")
        parts = {"web": lambda: [server.pid]}
        levels = []
        for count in args.annotators:
            level = run_level("label-studio", base, project["id"], annotators[:count], args.seconds, args.clients,
                              parts)
            level.pop("acknowledged")
            log(f"  {count:>3} annotators: {level['labels_per_s']} labels/s, next p99 {level['next_ms']['p99']} ms, "
                f"errors {level['errors'] or 0}")
            levels.append(level)
        return {"server": "Label Studio (label-studio start, SQLite)", "texts": len(texts), "levels": levels}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


# --- report ---------------------------------------------------------------------------------------

def print_table(runs):
    header = (f"{'server':<40}{'ann.':>5}{'labels/s':>10}{'next p50/p95/p99 ms':>24}{'submit p50/p95/p99 ms':>24}"
              f"{'twice':>7}{'errors':>8}{'missing':>9}{'busy':>6}  cpu s (web/workers/PostgreSQL/load gen.)")
    print(header)
    print("-" * len(header))
    for run in runs:
        for level in run["levels"]:
            next_ms, submit_ms, cpu = level["next_ms"], level["submit_ms"], level["cpu_seconds"]
            next_cell = " / ".join(str(next_ms[key]) for key in ("p50", "p95", "p99"))
            submit_cell = " / ".join(str(submit_ms[key]) for key in ("p50", "p95", "p99"))
            print(f"{run['server'][:39]:<40}{level['annotators']:>5}{level['labels_per_s']:>10}"
                  f"{next_cell:>24}{submit_cell:>24}"
                  f"{level['handed_out_twice']:>7}{sum(level['errors'].values()):>8}"
                  f"{level.get('acknowledged_missing_from_export', '-'):>9}{level['machine_cpu_busy']:>6}  "
                  f"{cpu.get('web')}/{cpu.get('workers', '-')}/{cpu.get('database') or '-'}/{cpu['load generator']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, nargs="+", default=[1, 8, 50])
    parser.add_argument("--seconds", type=float, default=60, help="each level runs this long")
    parser.add_argument("--db", nargs="*", choices=["sqlite", "postgres"], default=["sqlite", "postgres"],
                        help="Looplabel on these (none: only Label Studio)")
    parser.add_argument("--web-only", action="store_true",
                        help="start no workers: the web server alone, without the model loop's work beside it")
    parser.add_argument("--clients", type=int, default=2, help="load generator processes")
    parser.add_argument("--label-studio-venv", help="also run Label Studio from this venv")
    parser.add_argument("--label-studio-texts", type=int, default=5000)
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()

    def log(message):
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    texts = unique_texts(args.texts)
    runs = []
    with tempfile.TemporaryDirectory(prefix="annotator-load-") as scratch:
        texts_csv = write_csv(texts, scratch)
        for db in args.db:
            runs.append(run_looplabel(db, texts_csv, args, log))
    if args.label_studio_venv:
        runs.append(run_label_studio(args.label_studio_venv, texts[:args.label_studio_texts], args, log))

    result = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python benchmarks/annotator_load.py", *sys.argv[1:]]),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "texts": args.texts,
        "runs": runs,
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print()
    print_table(runs)
    print(f"\nwritten to {args.output}")
    failures = sum(level["handed_out_twice"] + sum(level["errors"].values())
                   + level.get("acknowledged_missing_from_export", 0)
                   for run in runs if run["server"].startswith("Looplabel") for level in run["levels"])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
