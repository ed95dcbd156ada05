"""Safe defaults and deployment settings, read as a fresh process reads them: DEBUG is off unless asked for,
the embedded setup generates its secrets while a database server needs them from the environment, every
HTTPS setting `check --deploy` asks for can be set from the environment, and static files are served
with DEBUG off."""
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
SHOW_SETTINGS = "print(json.dumps({'debug': settings.DEBUG, 'proxy': settings.SECURE_PROXY_SSL_HEADER}))"
CHECK_DEPLOY = "call_command('check', deploy=True, fail_level='WARNING')"
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DATABASE_URL": "postgres://looplabel@db.example.com:5432/looplabel",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "LOOPLABEL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "LOOPLABEL_HMAC_KEY": secrets.token_hex(32),
    "DJANGO_ALLOWED_HOSTS": "looplabel.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://looplabel.example.com",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_SECURE_HSTS_PRELOAD": "true",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SESSION_COOKIE_SECURE": "true",
    "DJANGO_CSRF_COOKIE_SECURE": "true",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def _run(tmp_path, *statements, **environment):
    """Django set up in a fresh interpreter on the site's settings, with none of this process's configuration
    but `environment`, then `statements`."""
    inherited = {name: value for name, value in os.environ.items()
                 if not name.startswith(("DJANGO_", "LOOPLABEL_", "DATABASE_URL", "CELERY_"))}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", "LOOPLABEL_DATA_DIR": str(tmp_path),
                   "LOOPLABEL_BASE_MODEL": str(tmp_path), **environment}
    code = "; ".join(["import json, django", "django.setup()", "from django.conf import settings",
                      "from django.core.management import call_command", *statements])
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_fresh_laptop_runs_without_debug_and_generates_its_secrets(tmp_path):
    completed = _run(tmp_path, SHOW_SETTINGS)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.splitlines()[-1]) == {"debug": False, "proxy": None}
    stored = tmp_path / "local-secrets.json"
    assert set(json.loads(stored.read_text())) == {"SECRET_KEY", "LOOPLABEL_ENCRYPTION_KEYS", "LOOPLABEL_HMAC_KEY"}
    assert stored.stat().st_mode & 0o077 == 0


def test_a_database_server_needs_the_secrets_from_the_environment(tmp_path):
    completed = _run(tmp_path, SHOW_SETTINGS, DATABASE_URL=PRODUCTION["DATABASE_URL"])
    assert completed.returncode != 0
    assert "SECRET_KEY must be set in the environment" in completed.stderr
    assert "LOOPLABEL_GENERATE_SECRETS" in completed.stderr
    assert not (tmp_path / "local-secrets.json").exists()


def test_check_deploy_passes_with_production_values(tmp_path):
    completed = _run(tmp_path, CHECK_DEPLOY, SHOW_SETTINGS, **PRODUCTION)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    assert "System check identified no issues" in completed.stdout
    shown = json.loads(completed.stdout.splitlines()[-1])
    assert shown == {"debug": False, "proxy": ["HTTP_X_FORWARDED_PROTO", "https"]}


@pytest.mark.django_db
def test_static_files_are_served_with_debug_off(client, settings):
    assert settings.DEBUG is False
    response = client.get("/static/frontend/looplabel.css")
    assert response.status_code == 200 and b"".join(response.streaming_content)
