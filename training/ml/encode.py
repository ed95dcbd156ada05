"""Texts to embeddings, fast: one forward pass gives a version's embeddings and its probabilities.

Every model version is "an encoder + a linear layer":
- a fine-tuned classifier's embedding is the input of its last linear layer (for BERT the
  pooler output), so softmax(E @ W.T + b) with that layer's W, b *is* the model's output;
- the base encoder (before any fine-tune) gives mean-pooled, L2-normalised token states,
  as sentence-transformers does for MiniLM.
Caching E for every document of a project turns re-scoring after a head refit into one
matrix product.

Speed: texts are tokenised once, sorted by length and batched under a token budget
(short texts in big batches, long ones in small), run under torch.inference_mode, with
bf16/fp16 autocast on CUDA and optional int8 dynamic quantisation of the encoder's
linear layers on the CPU.
"""
import logging
import threading

import numpy as np
import torch
from torch import nn
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

from .device import autocast, best_device

logger = logging.getLogger(__name__)

MAX_BATCH = 256
TOKENS_PER_BATCH = 8192


def final_linear(model, num_labels) -> nn.Linear:
    """The layer that maps a classifier's embedding to its logits (the last Linear with num_labels outputs)."""
    layers = [m for m in model.modules() if isinstance(m, nn.Linear) and m.out_features == num_labels]
    if not layers:
        raise ValueError("The model has no linear layer with one output per class.")
    return layers[-1]


def set_output_layer(model, weight, bias):
    """Write (W, b) into the classifier's output layer, in place; a layer of another class count is replaced."""
    layer = final_linear(model, model.config.num_labels)
    weight, bias = torch.as_tensor(np.asarray(weight, dtype=np.float32)), torch.as_tensor(np.asarray(bias, dtype=np.float32))
    if layer.weight.shape != weight.shape:  # labels were added after the encoder was fine-tuned
        name = next(name for name, module in model.named_modules() if module is layer)
        parent, _, attribute = name.rpartition(".")
        layer = nn.Linear(weight.shape[1], weight.shape[0]).to(layer.weight.device)
        setattr(model.get_submodule(parent), attribute, layer)
        model.config.num_labels = weight.shape[0]
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)


def quantize_for_cpu(model, keep=()):
    """int8 dynamic quantisation of the Linear layers, except `keep` (module names), on a copy of `model`."""
    import copy

    # Another Encoder's capture hook may sit on the model; the copy must not drag it (and its lock) along.
    saved = {}
    for module in model.modules():
        if module._forward_hooks:
            saved[module] = module._forward_hooks.copy()
            module._forward_hooks.clear()
    try:
        quantized = copy.deepcopy(model)
    finally:
        for module, hooks in saved.items():
            module._forward_hooks.update(hooks)
    names = {name for name, module in quantized.named_modules() if isinstance(module, nn.Linear) and name not in keep}
    return torch.ao.quantization.quantize_dynamic(quantized, names, dtype=torch.qint8)


def length_batches(lengths, max_batch=MAX_BATCH, tokens_per_batch=TOKENS_PER_BATCH):
    """Index batches over texts sorted by length, each within a padded-token budget."""
    order = np.argsort(lengths, kind="stable")
    batches, start = [], 0
    while start < len(order):
        end = start + 1
        while end < len(order) and end - start < max_batch and lengths[order[end]] * (end + 1 - start) <= tokens_per_batch:
            end += 1
        batches.append(order[start:end])
        start = end
    return batches


class Encoder:
    """Embeds texts; `linear` (W, b as numpy) turns embeddings into logits when the encoder is a classifier."""

    def __init__(self, model, tokenizer, *, pooling, max_length=128, linear=None, quantize=False):
        self.tokenizer = tokenizer
        self.pooling = pooling
        self.max_length = max_length
        self.device = next(model.parameters()).device
        self.linear = linear
        self._captured = None
        self._lock = threading.Lock()  # the capture hook makes one forward pass at a time per encoder
        if pooling == "classifier":
            num_labels = model.config.num_labels
            layer = final_linear(model, num_labels)
            self.linear = (layer.weight.detach().float().cpu().numpy().copy(),
                           layer.bias.detach().float().cpu().numpy().copy())
            layer_name = next(name for name, module in model.named_modules() if module is layer)
            if quantize and self.device.type == "cpu":
                model = quantize_for_cpu(model, keep={layer_name})
                layer = dict(model.named_modules())[layer_name]
            layer.register_forward_hook(self._capture)
        elif quantize and self.device.type == "cpu":
            model = quantize_for_cpu(model)
        self.model = model.eval()
        self.quantized = bool(quantize and self.device.type == "cpu")

    def _capture(self, module, inputs, output):
        self._captured = inputs[0]

    @property
    def dim(self):
        return self.model.config.hidden_size if self.linear is None else self.linear[0].shape[1]

    def _forward(self, batch):
        if self.pooling == "classifier":
            self.model(**batch)
            return self._captured
        hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled.float(), dim=-1)

    def embed(self, texts, *, progress=lambda fraction: None) -> np.ndarray:
        """Embeddings, shape (len(texts), dim), float32, in the order of `texts`."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        input_ids = self.tokenizer(texts, truncation=True, max_length=self.max_length)["input_ids"]
        lengths = np.array([len(ids) for ids in input_ids])
        out = None
        done = 0
        with self._lock, torch.inference_mode():
            for chunk in length_batches(lengths):
                batch = self.tokenizer.pad({"input_ids": [input_ids[i] for i in chunk]}, return_tensors="pt")
                batch = {k: v.to(self.device) for k, v in batch.items()}
                with autocast(self.device):
                    embeddings = self._forward(batch)
                embeddings = embeddings.float().cpu().numpy()
                if out is None:
                    out = np.zeros((len(texts), embeddings.shape[1]), dtype=np.float32)
                out[chunk] = embeddings
                done += len(chunk)
                progress(done / len(texts))
        return out

    def logits(self, embeddings):
        weight, bias = self.linear
        return embeddings @ weight.T + bias


def softmax(logits):
    logits = np.asarray(logits, dtype=np.float64)
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)


def classifier_encoder(model, tokenizer, *, max_length=128, quantize=False) -> Encoder:
    return Encoder(model, tokenizer, pooling="classifier", max_length=max_length, quantize=quantize)


def load_classifier_encoder(artifact_dir, *, max_length=128, quantize=False) -> Encoder:
    model = AutoModelForSequenceClassification.from_pretrained(artifact_dir).to(best_device()).eval()
    return classifier_encoder(model, AutoTokenizer.from_pretrained(artifact_dir), max_length=max_length, quantize=quantize)


def load_base_encoder(base_model, *, max_length=128, quantize=False) -> Encoder:
    """The pre-trained encoder with mean pooling, for cold start and heads before the first fine-tune."""
    model = AutoModel.from_pretrained(base_model).to(best_device()).eval()
    return Encoder(model, AutoTokenizer.from_pretrained(base_model), pooling="mean", max_length=max_length,
                   quantize=quantize)
