"""Active-learning simulation against the real server: label efficiency of a strategy against random.

For each (strategy, seed) it starts Looplabel as it runs in production -- its own temporary
LOOPLABEL_DATA_DIR, `migrate`, a superuser, `runserver` on a free localhost port and a real
Celery worker process -- creates a project over the REST API, imports the training texts
*without* labels, and lets a simulated annotator answer `GET next/` from the gold labels via
`POST annotations/`. After every batch of `--head-every` labels it waits until the loop has
caught up (head refit, and the full fine-tune every `--retrain-every` labels), and every
`--eval-every` labels it measures macro-F1 on a held-out test split through `POST predict/`
(256 texts per call).

Output (under --out): one CSV per run (`al_<name>_<strategy>_s<seed>.csv`), the head-refit
latencies seen by the client, and with --report: a summary CSV, a learning-curve PNG and
the labels each strategy needs to reach 95% of the full-data macro-F1 and random's
macro-F1 at its largest budget.

    nice -n 5 .venv/bin/python benchmarks/al_simulation.py \\
        --csv /work/shared/datasets/financial_phrasebank/all-data.csv --encoding latin-1 \\
        --text-column news --label-column label --strategy margin random --seeds 0 1 2 \\
        --budget 500 --budget-for margin=300 --full-f1 0.82 --broker redis://127.0.0.1:6379/11

Needs `requirements-bench.txt` (the HTTP client). Each run is independent, so a long sweep
can be split across invocations (`--seeds 1`), and `--report` alone re-aggregates whatever
CSVs are there.
"""
import argparse
import csv
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PREDICT_BATCH = 256


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- data ---------------------------------------------------------------------------------------

def read_dataset(path, text_column, label_column, encoding):
    rows, seen = [], set()
    with open(path, newline="", encoding=encoding) as handle:
        for record in csv.DictReader(handle):
            text, label = (record.get(text_column) or "").strip(), (record.get(label_column) or "").strip()
            if text and label and text not in seen:  # the server drops duplicate texts too
                seen.add(text)
                rows.append((text, label))
    if not rows:
        raise SystemExit(f"No rows with both {text_column!r} and {label_column!r} in {path}.")
    return rows


def split(rows, test_size, seed):
    """Stratified train/test split of row positions."""
    rng = random.Random(seed)
    by_label = defaultdict(list)
    for position, (_, label) in enumerate(rows):
        by_label[label].append(position)
    train, test = [], []
    for positions in by_label.values():
        rng.shuffle(positions)
        cut = round(test_size * len(positions))
        test += positions[:cut]
        train += positions[cut:]
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def macro_f1(gold, predicted, labels):
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


# --- the server ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """runserver + a Celery worker on a temporary data directory; stops both on exit."""

    def __init__(self, training, workdir, worker_concurrency=2, broker=None):
        self.dir = Path(tempfile.mkdtemp(prefix="looplabel-al-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "LOOPLABEL_DATA_DIR": str(self.dir), "DJANGO_DEBUG": "1",
                    "LOOPLABEL_TRAINING": json.dumps(training), "LOOPLABEL_LOG_LEVEL": "WARNING",
                    "PYTHONUNBUFFERED": "1", "LOOPLABEL_RETRAIN_SWEEP_SECONDS": "3600"}
        if broker:
            self.env["CELERY_BROKER_URL"] = broker
        self.worker_concurrency = worker_concurrency
        self.processes = []

    def __enter__(self):
        manage = [PYTHON, "manage.py"]
        subprocess.run(manage + ["migrate", "--noinput"], cwd=ROOT, env=self.env, check=True, capture_output=True)
        env = {**self.env, "DJANGO_SUPERUSER_PASSWORD": "simulation-password"}
        subprocess.run(manage + ["createsuperuser", "--noinput", "--username", "lead", "--email", "lead@example.com"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        logs = self.dir / "logs"
        logs.mkdir()
        self.processes.append(subprocess.Popen(
            manage + ["runserver", f"127.0.0.1:{self.port}", "--noreload"], cwd=ROOT, env=self.env,
            stdout=open(logs / "web.log", "w"), stderr=subprocess.STDOUT, start_new_session=True))
        self.processes.append(subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "config", "worker", "-Q", "default,training",
             "-c", str(self.worker_concurrency), "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env, stdout=open(logs / "worker.log", "w"), stderr=subprocess.STDOUT,
            start_new_session=True))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                response = requests.post(f"{self.url}/api/v1/auth/token/",
                                         data={"username": "lead", "password": "simulation-password"}, timeout=5)
                if response.ok:
                    self.session = requests.Session()
                    self.session.headers["Authorization"] = f"Token {response.json()['token']}"
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"The server did not start; see {logs}")

    def __exit__(self, *exc):
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if not os.environ.get("KEEP_SIMULATION_DIR"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def check_alive(self):
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[2]} exited with {process.returncode}; see {self.dir / 'logs'} "
                                   "(KEEP_SIMULATION_DIR=1 keeps it)")

    def api(self, method, path, **kwargs):
        self.check_alive()
        response = self.session.request(method, f"{self.url}/api/v1/{path}", timeout=600, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None


# --- one run ------------------------------------------------------------------------------------

def wait_for(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def pseudonymized(server, pid, gold):
    """{pseudonym: label} for {id: label}: `next` serves a record's id as its pseudonym, which the server makes."""
    ids, by_pseudonym = list(gold), {}
    for start in range(0, len(ids), 10_000):
        body = server.api("POST", f"projects/{pid}/external-ids/", json={"ids": ids[start:start + 10_000]})
        by_pseudonym.update({pseudonym: gold[raw] for raw, pseudonym in body["pseudonyms"].items()})
    return by_pseudonym


def run(server, rows, args, strategy, seed, out_path):
    train, test = split(rows, args.test_size, seed)
    rng = random.Random(seed)
    if args.test_sample and len(test) > args.test_sample:
        test = rng.sample(test, args.test_sample)
    labels = sorted({label for _, label in rows})
    gold = {str(position): rows[position][1] for position in train}
    project = server.api("POST", "projects/", json={
        "name": f"AL {strategy} seed {seed}", "labels": [{"name": name} for name in labels],
        "retrain_every": args.retrain_every, "query_strategy": strategy,
    })
    pid = project["id"]
    server.api("PATCH", f"projects/{pid}/loop/", json={"head_every": args.head_every})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "text"])
    for position in train:
        writer.writerow([position, rows[position][0]])
    job = server.api("POST", f"projects/{pid}/import/", data={"text_field": "text", "id_field": "id"},
                     files={"file": ("pool.csv", buffer.getvalue().encode("utf-8"), "text/csv")})
    started = time.monotonic()
    done = wait_for(lambda: server.api("GET", f"jobs/{job['job_id']}/")["status"] in ("succeeded", "failed"), 1800, 0.5)
    log(f"{strategy} s{seed}: imported {len(train)} texts in {time.monotonic() - started:.0f}s")
    if not done:
        raise RuntimeError("import did not finish")
    gold = pseudonymized(server, pid, gold)
    # Cold start: embed the pool with the base encoder, coverage order (idempotent if it already ran).
    server.api("POST", f"projects/{pid}/cold-start/")
    wait_for(lambda: server.api("GET", f"projects/{pid}/loop/")["cold_start_done_at"], 1800, 0.5)
    log(f"{strategy} s{seed}: cold start done after {time.monotonic() - started:.0f}s")

    test_texts = [rows[p][0] for p in test]
    test_gold = [rows[p][1] for p in test]
    results, latencies, labeled = [], [], 0
    versions_seen = 0

    def measure():
        stats = server.api("GET", f"projects/{pid}/stats/")
        models = stats["model_versions"]
        if not models:
            return
        predicted = []
        for start in range(0, len(test_texts), PREDICT_BATCH):
            body = server.api("POST", f"projects/{pid}/predict/", json={"texts": test_texts[start:start + PREDICT_BATCH]})
            predicted += [p["label"] for p in body["predictions"]]
        latest = models[0]
        fulls = [m for m in models if m["kind"] == "full"]
        row = {"strategy": strategy, "seed": seed, "labels": labeled, "test_macro_f1": round(macro_f1(test_gold, predicted, labels), 4),
               "model_version": latest["number"], "kind": latest["kind"],
               "eval_sample_macro_f1": latest["metrics"].get("macro_f1"),
               "eval_source": (latest["metrics"].get("evaluation") or {}).get("source"),
               "eval_n": latest["metrics"].get("n"),
               "kappa_average": ((latest["metrics"].get("stopping") or {}).get("kappa_average")),
               "stop": ((latest["metrics"].get("stopping") or {}).get("stop")),
               "full_train_seconds": fulls[0]["training_info"].get("train_seconds") if fulls else None,
               "full_embed_seconds": fulls[0]["training_info"].get("embed_seconds") if fulls else None,
               "elapsed_s": round(time.monotonic() - started, 1)}
        results.append(row)
        log(f"{strategy} s{seed}: {labeled} labels -> test macro-F1 {row['test_macro_f1']} "
            f"(v{row['model_version']} {row['kind']}, eval sample {row['eval_sample_macro_f1']} n={row['eval_n']})")

    while labeled < args.budget_for.get(strategy, args.budget):
        assignment = server.session.get(f"{server.url}/api/v1/projects/{pid}/next/", timeout=60)
        if assignment.status_code == 204:
            break
        document = assignment.json()["document"]
        server.api("POST", f"projects/{pid}/annotations/",
                   json={"document": document["id"], "label": gold[document["external_id"]]})
        labeled += 1
        if labeled % args.head_every == 0:
            posted = time.monotonic()

            def caught_up():
                stats = server.api("GET", f"projects/{pid}/stats/")
                if stats["training"] is not None:
                    return None
                if stats["labels_since_last_version"] < args.head_every:
                    return stats
                # A refit that found nothing to fit (say, one class so far) leaves no version.
                return stats if not server.api("GET", f"projects/{pid}/loop/")["head_pending"] else None

            stats = wait_for(caught_up, args.wait_timeout, 0.1)
            if stats and len(stats["model_versions"]) > versions_seen:
                # A head version becomes visible after it re-ordered the queue: this is label -> queue latency.
                client_seconds = round(time.monotonic() - posted, 3)
                newest = stats["model_versions"][0]
                if newest["kind"] == "head" and labeled % args.retrain_every:
                    info = wait_for(lambda: next((m["training_info"] for m in server.api("GET", f"projects/{pid}/models/")
                                                  if m["number"] == newest["number"] and m["training_info"]), None), 10, 0.2) or {}
                    latencies.append({"strategy": strategy, "seed": seed, "labels": labeled,
                                      "client_seconds": client_seconds,
                                      "refit_total_seconds": info.get("total_seconds"),
                                      "write_seconds": info.get("write_seconds"), "pool": info.get("pool")})
                versions_seen = len(stats["model_versions"])
        if labeled % args.eval_every == 0:
            measure()
    fieldnames = list(results[0]) if results else ["strategy"]
    with open(out_path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(results)
    if latencies:
        with open(out_path.with_name(out_path.stem + "_latency.csv"), "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(latencies[0]))
            writer.writeheader()
            writer.writerows(latencies)
    return results


# --- report -------------------------------------------------------------------------------------

def labels_to_reach(curve, target):
    for labels, f1 in curve:
        if f1 >= target:
            return labels
    return None


def report(out_dir, name, full_f1, baseline="random"):
    by_strategy = defaultdict(lambda: defaultdict(list))
    for path in sorted(out_dir.glob(f"al_{name}_*_s*.csv")):
        if path.stem.endswith("_latency"):
            continue
        with open(path) as handle:
            for row in csv.DictReader(handle):
                by_strategy[row["strategy"]][int(row["labels"])].append(float(row["test_macro_f1"]))
    if not by_strategy:
        log("no results to report")
        return
    summary, curves = [], {}
    for strategy, points in sorted(by_strategy.items()):
        curve = [(labels, float(np.mean(values))) for labels, values in sorted(points.items())]
        curves[strategy] = curve
        for labels, values in sorted(points.items()):
            summary.append({"strategy": strategy, "labels": labels, "runs": len(values),
                            "mean_macro_f1": round(float(np.mean(values)), 4), "std": round(float(np.std(values)), 4)})
    with open(out_dir / f"al_{name}_summary.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    lines = []
    if full_f1:
        target = 0.95 * full_f1
        lines.append(f"Labels to reach 95% of the full-data macro-F1 ({full_f1:.3f} -> {target:.3f}), mean curve:")
        for strategy, curve in curves.items():
            reached = labels_to_reach(curve, target)
            lines.append(f"  {strategy:>16}: {reached if reached else f'not within {curve[-1][0]} labels (best {max(f for _, f in curve):.3f})'}")
    if baseline in curves:
        base_labels, base_f1 = curves[baseline][-1]
        lines.append(f"Labels to reach {baseline}'s macro-F1 at {base_labels} labels ({base_f1:.3f}), mean curve:")
        for strategy, curve in curves.items():
            reached = labels_to_reach(curve, base_f1)
            ratio = f" = {reached / base_labels:.2f}x" if reached else ""
            lines.append(f"  {strategy:>16}: {reached if reached else 'not reached'}{ratio}")
        common = set(dict(curves[baseline]))
        for strategy, curve in curves.items():
            if strategy == baseline:
                continue
            shared = sorted(common & set(dict(curve)))
            above = sum(dict(curve)[x] > dict(curves[baseline])[x] for x in shared)
            lines.append(f"  {strategy} above {baseline} at {above} of {len(shared)} shared points")
    text = "\n".join(lines)
    print(text)
    (out_dir / f"al_{name}_summary.txt").write_text(text + "\n")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(figsize=(7, 4.5))
        for strategy, points in sorted(by_strategy.items()):
            xs = sorted(points)
            means = np.array([np.mean(points[x]) for x in xs])
            stds = np.array([np.std(points[x]) for x in xs])
            runs = max(len(points[x]) for x in xs)
            axes.plot(xs, means, marker="o", label=f"{strategy} ({runs} run{'s' if runs > 1 else ''})")
            axes.fill_between(xs, means - stds, means + stds, alpha=0.2)
        if full_f1:
            axes.axhline(0.95 * full_f1, linestyle="--", color="grey", label=f"95% of full data ({0.95 * full_f1:.3f})")
            axes.set_ylim(top=max(axes.get_ylim()[1], 0.95 * full_f1 + 0.02))
        axes.set_xlabel("labels")
        axes.set_ylabel("test macro-F1")
        axes.set_title(f"Active learning through the server: {name}")
        axes.grid(alpha=0.3)
        axes.legend()
        figure.tight_layout()
        figure.savefig(out_dir / f"al_{name}_learning_curve.png", dpi=120)
        log(f"wrote {out_dir / f'al_{name}_learning_curve.png'}")
    except ImportError:
        log("matplotlib missing: no PNG")


def main():
    # Stop the server processes on Ctrl-C or kill, too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--text-column", required=True)
    parser.add_argument("--label-column", required=True)
    parser.add_argument("--encoding", default="utf-8")
    parser.add_argument("--strategy", nargs="+", default=["margin", "random"],
                        help="query strategies to run (random is the baseline)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--budget", type=int, default=500, help="labels per run")
    parser.add_argument("--budget-for", nargs="*", default=[], metavar="STRATEGY=N",
                        help="per-strategy budget, e.g. margin=300")
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument("--test-sample", type=int, default=500, help="test texts sent to /predict (0: all)")
    parser.add_argument("--retrain-every", type=int, default=100, help="labels between full fine-tunes")
    parser.add_argument("--head-every", type=int, default=10, help="labels between head refits")
    parser.add_argument("--eval-every", type=int, default=50, help="labels between test measurements")
    parser.add_argument("--full-f1", type=float, default=None,
                        help="full-data macro-F1 reference (Financial PhraseBank, MiniLM: 0.82)")
    parser.add_argument("--training", default="{}", help="LOOPLABEL_TRAINING JSON for the worker")
    parser.add_argument("--wait-timeout", type=float, default=1800)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--name", default=None, help="result file stem (default: the CSV's name)")
    parser.add_argument("--report", action="store_true", help="only aggregate existing results")
    parser.add_argument("--broker", default=None,
                        help="CELERY_BROKER_URL for the run, e.g. redis://127.0.0.1:6379/11 (default: the embedded "
                             "filesystem broker in the run's temporary data dir)")
    args = parser.parse_args()
    args.budget_for = {k: int(v) for k, v in (item.split("=") for item in args.budget_for)}
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = args.name or Path(args.csv).stem.replace("-", "_")
    if not args.report:
        rows = read_dataset(args.csv, args.text_column, args.label_column, args.encoding)
        log(f"{len(rows)} unique texts, labels {sorted({l for _, l in rows})}")
        for seed in args.seeds:
            for strategy in args.strategy:
                with Server(json.loads(args.training), out_dir, broker=args.broker) as server:
                    log(f"server on {server.url}, data in {server.dir}")
                    run(server, rows, args, strategy, seed, out_dir / f"al_{name}_{strategy}_s{seed}.csv")
    report(out_dir, name, args.full_f1)


if __name__ == "__main__":
    main()
