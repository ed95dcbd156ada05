"""Gunicorn's settings, read by `make run` (`gunicorn -c config/gunicorn.py config.wsgi`) and fit for a deployment.

Sized to the machine: one worker process per CPU this process may use (at least two, so one
slow request never holds up the site), each with threads that wait on the database side by
side. A request mostly waits on the database, and the GIL lets one thread of a process compute
at a time, so processes give CPU and threads give concurrency. Each variable overrides its part:

    LOOPLABEL_WEB_WORKERS   processes (default: the CPUs, at least 2)
    LOOPLABEL_WEB_THREADS   threads per process (default 4)
    LOOPLABEL_WEB_TIMEOUT   seconds before a stuck request's worker is restarted (default 120: a
                            large predict request runs the model in the request)
    LOOPLABEL_WEB_BIND      address (default 127.0.0.1:8000; `make run` passes its PORT)

Static files come from WhiteNoise inside the app (config/settings.py), so no other server is needed.
"""
import os


def _cpus() -> int:
    """CPUs this process may run on (a container's or taskset's limit), not the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _setting(name, default) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("LOOPLABEL_WEB_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = _setting("LOOPLABEL_WEB_WORKERS", max(2, _cpus()))
threads = _setting("LOOPLABEL_WEB_THREADS", 4)
timeout = _setting("LOOPLABEL_WEB_TIMEOUT", 120)
# The app is imported once, before the workers fork: they share its memory (torch and the model
# code are most of it, about 500 MB) and start at once. Nothing opens a database connection or a
# broker connection at import, so none is shared across the fork.
preload_app = True
# No runtime control socket (gunicornc): nothing uses it, and it would be written under $HOME,
# shared by every server started there.
control_socket_disable = True
