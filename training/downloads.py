"""Model downloads: every version as a zip that loads without Looplabel.

- A FULL version: its Hugging Face directory (weights, config with the label names,
  tokenizer). The embedding cache and the scoring bookkeeping beside it stay behind; they
  can be far larger than the model.
- A HEAD version on a fine-tuned encoder: that encoder with the head written into its output
  layer, so `AutoModelForSequenceClassification` predicts exactly what the head serves.
- A HEAD version on the base encoder (before the first fine-tune): the head's weights and a
  `head.json` saying how they apply. Mean-pooled, normalised token states times a linear
  layer is no classifier class of the transformers library.
"""
import json
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from .loop.embedding_cache import DOC_IDS_FILE, EMBEDDINGS_FILE
from .loop.encoders import train_config, version_linear
from .loop.stability import STOP_PREDICTIONS_FILE
from .loop.versions import HEAD_FILE
from .ml.encode import set_output_layer
from .models import ModelKind

NOT_MODEL_FILES = {EMBEDDINGS_FILE, DOC_IDS_FILE, STOP_PREDICTIONS_FILE}


def archive_name(version) -> str:
    return f"project-{version.project_id}-model-v{version.number}.zip"


def write_archive(version, handle) -> None:
    """Write the version's download (a zip) into the binary file `handle`."""
    folder = f"{version.project_id}-v{version.number}"
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        if version.kind == ModelKind.FULL:
            _add_model_files(archive, Path(version.artifact_dir), folder)
        elif version.encoder_version is not None:
            with tempfile.TemporaryDirectory() as directory:
                _export_head_classifier(version, directory)
                _add_model_files(archive, Path(directory), folder)
        else:
            archive.write(Path(version.artifact_dir) / HEAD_FILE, f"{folder}/{HEAD_FILE}")
            archive.writestr(f"{folder}/head.json", json.dumps(_base_head_description(version), indent=2))


def _add_model_files(archive, directory, folder):
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.name not in NOT_MODEL_FILES:
            archive.write(path, f"{folder}/{path.name}")


def _export_head_classifier(version, directory):
    encoder_dir = version.encoder_version.artifact_dir
    model = AutoModelForSequenceClassification.from_pretrained(encoder_dir)
    set_output_layer(model, *version_linear(version))
    model.config.id2label = dict(enumerate(version.label_names))
    model.config.label2id = {name: i for i, name in enumerate(version.label_names)}
    model.save_pretrained(directory)
    AutoTokenizer.from_pretrained(encoder_dir).save_pretrained(directory)


def _base_head_description(version):
    return {
        "base_model": version.base_model or settings.LOOPLABEL_BASE_MODEL,
        "labels": version.label_names,
        "embedding": "mean of the base model's last hidden states over the attention mask, L2-normalised",
        "logits": "embedding @ weight.T + bias, with weight and bias from head.npz",
        "max_length": train_config().max_length,
    }
