"""Encoders held in memory by a worker, and what a version computes from their embeddings.

Loading a transformer costs seconds, so the last few stay loaded (an LRU cache); so do the
embeddings of recently predicted texts, so a repeated prediction costs nothing.
"""
from pathlib import Path

import numpy as np
from django.conf import settings

from ..ml.encode import load_base_encoder, load_classifier_encoder, softmax
from ..ml.finetune import TrainConfig
from ..ml.lru import LRUCache
from ..models import ModelKind
from .versions import HEAD_FILE, version_encoder

_encoders = LRUCache(3)  # key (a FULL version's directory, or the base model) -> Encoder
_embeddings_of_texts = LRUCache(50_000)  # (encoder key, text) -> embedding


def train_config() -> TrainConfig:
    return TrainConfig.from_settings(settings.LOOPLABEL_TRAINING)


def _encoder_key(encoder_version) -> str:
    return encoder_version.artifact_dir if encoder_version is not None else f"base:{settings.LOOPLABEL_BASE_MODEL}"


def remember_encoder(version, encoder):
    """Keep a FULL version's encoder that is already in memory (a fine-tune just made it)."""
    _encoders.put(_encoder_key(version), encoder)


def encoder_for(encoder_version):
    """The encoder of a FULL version, or the base encoder for None."""
    key = _encoder_key(encoder_version)
    encoder = _encoders.get(key)
    if encoder is not None:
        return encoder
    config = train_config()
    if encoder_version is None:
        encoder = load_base_encoder(settings.LOOPLABEL_BASE_MODEL, max_length=config.max_length, quantize=config.quantize_cpu)
    else:
        encoder = load_classifier_encoder(encoder_version.artifact_dir, max_length=config.max_length,
                                          quantize=config.quantize_cpu)
    return _encoders.put(key, encoder)


def embed_texts(encoder_version, texts):
    """Embeddings of texts under an encoder, remembering recent texts."""
    key, encoder = _encoder_key(encoder_version), encoder_for(encoder_version)
    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    missing = []
    for i, text in enumerate(texts):
        cached = _embeddings_of_texts.get((key, text))
        if cached is None:
            missing.append(i)
        else:
            out[i] = cached
    if missing:
        fresh = encoder.embed([texts[i] for i in missing])
        out[missing] = fresh
        for i, row in zip(missing, fresh):
            _embeddings_of_texts.put((key, texts[i]), row)
    return out


def version_linear(version):
    """(W, b) that turn the version's encoder embeddings into logits."""
    if version.kind == ModelKind.HEAD:
        data = np.load(Path(version.artifact_dir) / HEAD_FILE)
        return data["weight"], data["bias"]
    return encoder_for(version).linear


def probabilities_of(version, embeddings):
    """The version's class probabilities for embeddings from its encoder."""
    weight, bias = version_linear(version)
    return softmax(embeddings @ weight.T + bias)


def version_probabilities(version, texts):
    return probabilities_of(version, embed_texts(version_encoder(version), list(texts)))
