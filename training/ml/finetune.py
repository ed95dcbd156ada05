"""Fine-tune a transformer classifier: AdamW, linear warmup, class-weighted loss, dynamic padding."""
import math
import random
import time
from dataclasses import dataclass, fields

import numpy as np
import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    get_linear_schedule_with_warmup,
)
from transformers.utils import logging as transformers_logging

from .device import autocast, best_device, needs_grad_scaler

# Progress is reported through the job, not through progress bars in the worker log.
transformers_logging.disable_progress_bar()


@dataclass
class TrainConfig:
    # lr 1e-4 with batch 16 and 10% warmup works on MiniLM from 20 to 4,000 labels;
    # 5e-5 collapsed to the majority class below 100 labels.
    learning_rate: float = 1e-4
    batch_size: int = 16
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_length: int = 128
    epochs: int | None = None  # None: chosen from the number of labels, see epochs_for()
    # Few labels still get enough updates: few-sample fine-tuning is unstable when short
    # (Mosbach et al. 2021, Zhang et al. 2021). On Financial PhraseBank with MiniLM, 150
    # steps instead of 30 raised macro-F1 at 100 labels by ~0.05 (docs/benchmarks_model_loop.md).
    min_steps: int = 150
    max_steps: int = 1000  # bounds CPU time on large label sets
    seed: int = 0
    # Scoring: int8 dynamic quantisation of the encoder on the CPU (see benchmarks/scoring_throughput.py).
    quantize_cpu: bool = False

    @classmethod
    def from_settings(cls, overrides: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (overrides or {}).items() if k in known})


def epochs_for(n_examples: int) -> int:
    """More passes over few labels, fewer over many: small sets need the steps to converge."""
    if n_examples <= 200:
        return 5
    if n_examples <= 1000:
        return 4
    if n_examples <= 5000:
        return 3
    return 2


def class_weights(labels: list[int], num_labels: int) -> torch.Tensor:
    counts = np.bincount(labels, minlength=num_labels).astype(np.float64)
    weights = np.where(counts > 0, len(labels) / (num_labels * np.maximum(counts, 1)), 0.0)
    return torch.tensor(weights, dtype=torch.float32)


def load_tokenizer(base_model: str):
    return AutoTokenizer.from_pretrained(base_model)


def _optimizer(model, config, total_steps):
    """AdamW without weight decay on biases and norms, with a linear warm-up and decay."""
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
    parameters = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)], "weight_decay": config.weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(parameters, lr=config.learning_rate)
    return optimizer, get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total_steps), total_steps)


def _backward_and_step(model, loss, optimizer, scaler):
    """One optimizer step with clipped gradients; fp16 on CUDA scales the loss so small gradients survive."""
    optimizer.zero_grad(set_to_none=True)
    if scaler:
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
    else:
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()


def fine_tune(texts, labels, num_labels, base_model, config: TrainConfig, progress=lambda fraction: None):
    """Train a classifier from `base_model` (a local path or a cached hub name). Returns (model, tokenizer, info)."""
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    device = best_device()
    tokenizer = load_tokenizer(base_model)
    model = AutoModelForSequenceClassification.from_pretrained(base_model, num_labels=num_labels).to(device)
    encodings = tokenizer(list(texts), truncation=True, max_length=config.max_length)
    examples = [
        {"input_ids": ids, "attention_mask": mask, "labels": label}
        for ids, mask, label in zip(encodings["input_ids"], encodings["attention_mask"], labels)
    ]
    epochs = config.epochs or epochs_for(len(examples))
    steps_per_epoch = math.ceil(len(examples) / config.batch_size)
    total_steps = min(max(epochs * steps_per_epoch, config.min_steps), config.max_steps)
    optimizer, scheduler = _optimizer(model, config, total_steps)
    loss_fn = torch.nn.CrossEntropyLoss(weight=class_weights(list(labels), num_labels).to(device))
    scaler = torch.amp.GradScaler("cuda") if needs_grad_scaler(device) else None
    generator = torch.Generator().manual_seed(config.seed)
    progress(0.0)  # loaded and tokenised (slow for a large model): report it before the first step
    started, step = time.monotonic(), 0
    model.train()
    while step < total_steps:
        order = torch.randperm(len(examples), generator=generator).tolist()
        for start in range(0, len(order), config.batch_size):
            if step >= total_steps:
                break
            batch = tokenizer.pad([examples[i] for i in order[start:start + config.batch_size]], return_tensors="pt")
            batch = {k: v.to(device) for k, v in batch.items()}
            targets = batch.pop("labels")
            with autocast(device):
                logits = model(**batch).logits
            _backward_and_step(model, loss_fn(logits.float(), targets), optimizer, scaler)
            scheduler.step()
            step += 1
            progress(step / total_steps)
    model.eval()
    info = {"epochs": epochs, "steps": total_steps, "examples": len(examples), "device": device.type,
            "train_seconds": round(time.monotonic() - started, 2)}
    return model, tokenizer, info
