"""Looplabel as `make run` starts it, for benchmarks that need whole processes.

`Stack` gives a run its own data directory, its own database (the SQLite file there, or a fresh
PostgreSQL database) and broker (the filesystem broker there, or a Redis database number), runs
`migrate`, and starts gunicorn with config/gunicorn.py, the `training` and `default` workers and
beat, each in its own process group so that a benchmark can stop, kill or restart one part.
Everything is removed on exit.

    with Stack(db="postgres") as stack:
        stack.django("print(1)")          # a script in the stack's settings (users, projects, ...)
        stack.start()                     # web + workers + beat
        stack.restart("web")              # SIGTERM, wait, start again
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:  # any answer means the server is up
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer at {url}")


def _psql(sql):
    subprocess.run(["psql", f"{POSTGRES}/postgres", "-q", "-c", sql], check=True, capture_output=True)


class Stack:
    """One Looplabel deployment on this machine: database, broker, web, workers and beat."""

    def __init__(self, db="sqlite", redis_db=12, extra_env=None):
        if db not in ("sqlite", "postgres"):
            raise ValueError(db)
        self.db = db
        self.dir = Path(tempfile.mkdtemp(prefix="looplabel-stack-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "LOOPLABEL_DATA_DIR": str(self.dir), "LOOPLABEL_LOG_LEVEL": "WARNING",
                    "PYTHONUNBUFFERED": "1", "LOOPLABEL_WEB_BIND": f"127.0.0.1:{self.port}", **(extra_env or {})}
        self.database = None
        if db == "postgres":
            self.database = f"looplabel_bench_{os.getpid()}"
            self.redis_url = f"{REDIS}/{redis_db}"
            self.env.update(DATABASE_URL=f"{POSTGRES}/{self.database}", CELERY_BROKER_URL=self.redis_url,
                            LOOPLABEL_GENERATE_SECRETS="true")
        self.processes = {}

    @property
    def label(self):
        return "SQLite + filesystem broker" if self.db == "sqlite" else "PostgreSQL + Redis"

    # --- lifecycle ------------------------------------------------------------------------------
    def __enter__(self):
        if self.database:
            _psql(f"DROP DATABASE IF EXISTS {self.database}")
            _psql(f"CREATE DATABASE {self.database}")
            subprocess.run(["redis-cli", "-u", self.redis_url, "flushdb"], check=True, capture_output=True)
        self.manage("migrate", "-v", "0")
        return self

    def __exit__(self, *exc):
        for name in list(self.processes):
            self.stop(name)
        if self.database:
            _psql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        shutil.rmtree(self.dir, ignore_errors=True)

    def commands(self):
        """What `make run` starts, by part."""
        celery = [str(BIN / "celery"), "-A", "config"]
        return {
            "web": [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
            "training": [*celery, "worker", "-Q", "training", "--pool=solo", "-n", "training@%h", "-l", "warning"],
            "default": [*celery, "worker", "-Q", "default", "--pool=solo", "-n", "default@%h", "-l", "warning"],
            "beat": [*celery, "beat", "-l", "warning", "-s", str(self.dir / "celerybeat-schedule")],
        }

    def start(self, *parts):
        for name in parts or self.commands():
            log = open(self.dir / f"{name}.log", "ab")
            self.processes[name] = subprocess.Popen(self.commands()[name], cwd=ROOT, env=self.env, stdout=log,
                                                    stderr=subprocess.STDOUT, start_new_session=True)
        if "web" in (parts or self.processes):
            wait_until_up(f"{self.url}/accounts/login/")

    def stop(self, name, sig=signal.SIGTERM, timeout=60):
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def restart(self, name, sig=signal.SIGTERM):
        self.stop(name, sig)
        self.start(name)

    def pids(self, name):
        """The part's processes (gunicorn's master and workers), for CPU accounting."""
        group = self.processes[name].pid
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == group:
                        found.append(int(entry.name))
                except ProcessLookupError:
                    pass
        return found

    def database_pids(self):
        """PostgreSQL's server processes that serve this stack's database (none on SQLite: it runs in ours)."""
        if not self.database:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    title = (entry / "cmdline").read_bytes().decode(errors="replace")
                except OSError:
                    continue
                if title.startswith("postgres:") and f" {self.database} " in title:
                    found.append(int(entry.name))
        return found

    # --- Django in the stack's settings -----------------------------------------------------------
    def manage(self, *args):
        return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, check=True, text=True,
                              capture_output=True).stdout

    def django(self, code, **params):
        """Run `code` with Django set up; `params` arrive as the dict PARAMS; the script's last line
        printed is read as JSON."""
        script = f"import json\nPARAMS = json.loads({json.dumps(json.dumps(params))})\n{code}"
        output = self.manage("shell", "-c", script)
        return json.loads(output.strip().splitlines()[-1]) if output.strip() else None

    def log_tail(self, name, lines=20):
        path = self.dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""
