"""Score texts with a trained classifier: length-sorted batches, no autograd, mixed precision on GPUs."""
import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from .device import autocast, best_device


def load_classifier(artifact_dir):
    device = best_device()
    model = AutoModelForSequenceClassification.from_pretrained(artifact_dir).to(device).eval()
    return model, AutoTokenizer.from_pretrained(artifact_dir)


def predict_proba(model, tokenizer, texts, *, batch_size=64, max_length=128, progress=lambda fraction: None):
    """Class probabilities, shape (len(texts), num_labels), in the order of `texts`.

    Sorting by length first means each batch pads to a similar length, which is
    most of the speed-up over scoring in arbitrary order.
    """
    texts = list(texts)
    num_labels = model.config.num_labels
    probabilities = np.zeros((len(texts), num_labels), dtype=np.float32)
    if not texts:
        return probabilities
    device = next(model.parameters()).device
    encodings = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
    order = np.argsort([len(ids) for ids in encodings], kind="stable")
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            batch = tokenizer.pad({"input_ids": [encodings[i] for i in chunk]}, return_tensors="pt")
            batch = {k: v.to(device) for k, v in batch.items()}
            with autocast(device):
                logits = model(**batch).logits
            probabilities[chunk] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
            progress(min(start + batch_size, len(order)) / len(order))
    return probabilities
