"""Looplabel settings: everything comes from the environment through one `env` object.

The defaults run on a laptop with nothing installed: an SQLite file and a filesystem
message broker under the data directory. Set DATABASE_URL and CELERY_BROKER_URL to
scale out on PostgreSQL and Redis. DEBUG is off unless DJANGO_DEBUG turns it on, so an
error never shows Django's technical page (settings, broker URL and all) to a visitor.
Secrets come from the environment; on the embedded SQLite database (or with
LOOPLABEL_GENERATE_SECRETS) missing ones are generated once into the data directory.
"""
from pathlib import Path

from .environment import (
    LocalSecrets,
    created_directory,
    default_base_model,
    filesystem_broker_options,
    keep_hugging_face_offline,
    load_env,
    new_fernet_key,
    new_hmac_key,
    new_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

env = load_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
DATA_DIR = created_directory(Path(env("LOOPLABEL_DATA_DIR", default=str(BASE_DIR / "data"))).resolve())

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'looplabel.sqlite3'}")}
# Each server thread and worker keeps its connection between requests (no connect per request),
# checked before reuse, so one the database dropped (a restart) is replaced rather than failing a
# request. `?conn_max_age=` in DATABASE_URL wins.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("LOOPLABEL_DB_CONN_MAX_AGE", default=600))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
embedded_database = DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3"
if embedded_database:
    # WAL lets the web server read while a worker writes; IMMEDIATE transactions take
    # the write lock up front, so two queue requests cannot both claim one document; writers
    # queue for it on a file lock rather than SQLite's sleep-and-retry (config/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "config.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env("LOOPLABEL_TEST_SQLITE", default=str(DATA_DIR / "test.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The embedded laptop setup (SQLite, whose file sits in the data directory anyway) may generate
# its secrets there; a deployment on a database server must bring them in its environment, where
# they live apart from the data they protect.
local_secrets = LocalSecrets(
    env, generate=env.bool("LOOPLABEL_GENERATE_SECRETS", default=embedded_database),
    path=DATA_DIR / "local-secrets.json",
)
SECRET_KEY = local_secrets.get("SECRET_KEY", new_secret_key)
# Comma-separated Fernet keys, newest first; older keys keep old ciphertexts readable
# until `manage.py rotate_keys` re-encrypts them.
LOOPLABEL_ENCRYPTION_KEYS = [k.strip() for k in local_secrets.get("LOOPLABEL_ENCRYPTION_KEYS", new_fernet_key).split(",") if k.strip()]
# Key of the HMAC used for duplicate fingerprints and surrogate seeds.
LOOPLABEL_HMAC_KEY = local_secrets.get("LOOPLABEL_HMAC_KEY", new_hmac_key)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS, for a deployment behind TLS (`manage.py check --deploy` asks for each). The defaults
# suit plain http://127.0.0.1, where secure-only cookies could not log anyone in and HSTS would
# pin the browser to https for localhost.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=False)
# Behind a TLS-terminating proxy: the header and value that mark a request as https,
# e.g. `HTTP_X_FORWARDED_PROTO,https`. Only set it when the proxy always sets (or strips) that header.
SECURE_PROXY_SSL_HEADER = env.tuple("DJANGO_SECURE_PROXY_SSL_HEADER", default=None)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    # Swagger UI's files, from a pip package, so the docs page loads nothing from another host.
    "drf_spectacular_sidecar",
    "privacy",
    "labeling",
    "training",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database that is restarting or dropped the connection: 503 with Retry-After, not 500.
    "config.middleware.DatabaseUnavailableMiddleware",
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
# WhiteNoise serves the apps' static files from where they are (Django does not with DEBUG off).
# Finding them at start-up, rather than from a `collectstatic` copy, leaves no step that `make run`,
# a worker image or a test server could forget, and no stale copy after an update; the few small
# files gain nothing from hashed, compressed copies.
WHITENOISE_USE_FINDERS = True

# Request bodies are refused by their Content-Length before they are read, with a 413: a file
# upload above LOOPLABEL_MAX_UPLOAD_MB (config/parsers.py), any other body (JSON, forms) above
# DATA_UPLOAD_MAX_MEMORY_SIZE, which fits the largest predict request (256 texts of 100,000 characters).
LOOPLABEL_MAX_UPLOAD_MB = env.int("LOOPLABEL_MAX_UPLOAD_MB", default=200)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser", "rest_framework.parsers.FormParser", "config.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "labeling.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.openapi.AutoSchema",
    # `?format=` selects an export format, not a renderer.
    "URL_FORMAT_OVERRIDE": None,
    # Proxies in front of the server: throttles take the client's address from X-Forwarded-For that
    # many hops back. 0 trusts no header (DRF's default, None, trusts any, so a client could pick its own).
    "NUM_PROXIES": env.int("LOOPLABEL_NUM_PROXIES", default=0),
}

# The OpenAPI schema (`GET /api/v1/schema/`) and Swagger UI (`/api/v1/docs/`), see config/openapi.py.
SPECTACULAR_SETTINGS = {
    "TITLE": "Looplabel",
    "DESCRIPTION": (
        "Active-learning labeling server for text classification. Every endpoint but the token login needs "
        "authentication: `Authorization: Token <key>` (from `POST /api/v1/auth/token/`), or a browser session "
        "(unsafe methods then need the CSRF token). Errors are JSON: `{\"detail\": \"...\"}`, or field errors "
        "`{\"field\": [\"message\"]}` for a body that does not validate."
    ),
    "VERSION": "v1",
    # Public: the schema describes the code, which is open, and holds no data (no project, user or text),
    # so a client generator or a contract test can read it before anyone has an account. Every endpoint it
    # describes still needs authentication; the docs page calls them with the browser's session (and its
    # CSRF token) or with a token entered under "Authorize".
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Separate request and response components, so read-only fields (ids, dates) are not asked of clients.
    "COMPONENT_SPLIT_REQUEST": True,
    # Names for choice sets that share a field name (`kind` of a job and of a model version).
    "ENUM_NAME_OVERRIDES": {
        "Role": "labeling.models.Role", "JobKind": "labeling.models.JobKind", "ModelKind": "training.models.ModelKind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would otherwise send the schema's address to validator.swagger.io for a badge.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Token logins per client address (`POST /api/v1/auth/token/`), against password guessing. The
# counts live in Django's cache: local memory, so per process, unless CACHES names a shared one.
LOOPLABEL_TOKEN_LOGIN_RATE = env("LOOPLABEL_TOKEN_LOGIN_RATE", default="20/minute")

# --- Celery -----------------------------------------------------------------------
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(BROKER_DIR)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Each task names its queue on its decorator (training.tasks, labeling.tasks); no routing by name.
CELERY_BEAT_SCHEDULE = {
    "retrain-projects-with-new-labels": {
        "task": "training.tasks.sweep",
        "schedule": env.float("LOOPLABEL_RETRAIN_SWEEP_SECONDS", default=60.0),
    },
    "sweep-imports": {"task": "labeling.tasks.sweep_imports", "schedule": 60.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# How much lower than the web server the workers run (os.nice; 0 keeps their priority): the
# annotators' requests come first on a machine that also trains (config/celery.py).
LOOPLABEL_WORKER_NICE = env.int("LOOPLABEL_WORKER_NICE", default=10)

# --- Looplabel ----------------------------------------------------------------------
# A local directory or a hub name; weights are only ever read from local files
# (a hub name works where the user's Hugging Face cache already holds it).
keep_hugging_face_offline()
LOOPLABEL_BASE_MODEL = env("LOOPLABEL_BASE_MODEL", default="") or default_base_model()
LOOPLABEL_MODELS_DIR = DATA_DIR / "models"
LOOPLABEL_UPLOADS_DIR = DATA_DIR / "uploads"
LOOPLABEL_LEASE_MINUTES = env.int("LOOPLABEL_LEASE_MINUTES", default=10)
LOOPLABEL_MAX_LEASES_PER_ANNOTATOR = env.int("LOOPLABEL_MAX_LEASES_PER_ANNOTATOR", default=5)
# Refit the light head on cached embeddings after this many new labels, on this queue
# (not behind a running fine-tune); pools above the chunk size are scored by several tasks.
LOOPLABEL_HEAD_EVERY = env.int("LOOPLABEL_HEAD_EVERY", default=10)
LOOPLABEL_HEAD_QUEUE = env("LOOPLABEL_HEAD_QUEUE", default="default")
LOOPLABEL_SCORE_TASK_CHUNK = env.int("LOOPLABEL_SCORE_TASK_CHUNK", default=50_000)
# A job nothing wrote for this long lost its worker (running) or its message (queued); the sweeps
# fail or re-send it. Workers write progress at least every 30 seconds (labeling/services/jobs.py).
LOOPLABEL_JOB_STALE_SECONDS = env.int("LOOPLABEL_JOB_STALE_SECONDS", default=300)
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
