"""Offline probes of the fine-tuning recipe on random labels: does a change lift few-label models?

The label-efficiency target (issue 3) needs models trained on ~270 actively chosen labels to
match models trained on ~450 random ones. Changes to the training recipe lift both arms of
`al_simulation.py`, so before a sweep of both arms through the server (~85 minutes) this
script asks the cheaper question: with N random labels, does the change beat the product's
recipe, and by more at small N than at large N? No server, no queue: one fine-tune per
(variant, N, seed), scored (with `training.ml.inference.predict_proba`) on the whole
stratified test split that `al_simulation.py` draws its 500 test texts from.

Variants:
- baseline: `training.ml.finetune.fine_tune` as the product runs it (BERT pooler output);
- mean_pooling: the same training, but the classifier reads mean-pooled token states, the
  representation the sentence-transformers base model was trained to produce;
- pseudo_labels: one round of self-training: the baseline model labels the unlabeled pool,
  its most confident predictions per class (as many as that class has labels) join the
  labels, and a second model is trained from the base encoder on both;
- pseudo_labels_head: the same, with the teacher the loop already has when a fine-tune
  starts (no extra fine-tune): the logistic head on the previous fine-tune's embeddings.
  The previous fine-tune saw the labels of `--retrain-every` labels ago (less the
  evaluation share); the head sees them all;
- pool_mlm: task-adaptive pretraining (Gururangan et al. 2020): masked-language-model
  training of the base encoder on the unlabeled pool texts for --mlm-epochs, then baseline.

    .venv/bin/python benchmarks/recipe_probe.py --csv /work/shared/datasets/financial_phrasebank/all-data.csv \\
        --encoding latin-1 --text-column news --label-column label --labels 270 --seeds 0 \\
        --variants baseline mean_pooling pseudo_labels pool_mlm

`--training` overrides the recipe for every variant with the keys of `LOOPLABEL_TRAINING`
(`training.ml.finetune.TrainConfig`), e.g. `--training '{"min_steps": 300}'`.

Writes `recipe_probe_<name>.csv` (one row per run) under --out and prints a table.
"""
import argparse
import csv
import json
import math
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer, BertForMaskedLM, DataCollatorForLanguageModeling
from transformers import get_linear_schedule_with_warmup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from al_simulation import macro_f1, read_dataset, split  # noqa: E402
from training.ml import finetune  # noqa: E402
from training.ml.encode import classifier_encoder, softmax  # noqa: E402
from training.ml.head import feature_scaling, fit_head  # noqa: E402
from training.ml.inference import predict_proba  # noqa: E402

VARIANTS = ("baseline", "mean_pooling", "pseudo_labels", "pseudo_labels_head", "pool_mlm")
# Project.evaluation_share's default (that share of labels never trains); the probe runs without Django.
EVALUATION_SHARE = 0.1


def default_base_model():
    """The base model the server trains from (LOOPLABEL_BASE_MODEL, else the bundled MiniLM)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    return settings.LOOPLABEL_BASE_MODEL


class MeanPoolingClassifier(nn.Module):
    """Encoder, mean of the token states under the attention mask, dropout, linear."""

    def __init__(self, base_model, num_labels):
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base_model)
        self.config = self.encoder.config
        self.config.num_labels = num_labels  # predict_proba sizes its output by it
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(self.config.hidden_size, num_labels)

    def forward(self, input_ids, attention_mask, **_):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return SimpleNamespace(logits=self.classifier(self.dropout(pooled)))


@contextmanager
def mean_pooling_models():
    """The product's training loop, with the mean-pooling classifier in place of the BERT one."""
    original = finetune.AutoModelForSequenceClassification
    finetune.AutoModelForSequenceClassification = SimpleNamespace(
        from_pretrained=lambda base_model, num_labels: MeanPoolingClassifier(base_model, num_labels)
    )
    try:
        yield
    finally:
        finetune.AutoModelForSequenceClassification = original


def confident_pseudo_labels(probs, labeled_targets, num_labels):
    """Per class, the pool rows predicted as that class with the highest probability, as many as it has labels."""
    predicted, confidence = probs.argmax(1), probs.max(1)
    counts = np.bincount(labeled_targets, minlength=num_labels)
    rows, targets = [], []
    for label in range(num_labels):
        candidates = np.flatnonzero(predicted == label)
        chosen = candidates[np.argsort(-confidence[candidates], kind="stable")][:counts[label]]
        rows += chosen.tolist()
        targets += [label] * len(chosen)
    return rows, targets


def adapt_to_pool(base_model, texts, epochs, out_dir, seed, batch_size=32, learning_rate=5e-5):
    """Masked-language-model training on `texts`; the loss only at masked positions (the vocabulary
    projection of every token would cost several times the encoder on a CPU)."""
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    model = BertForMaskedLM.from_pretrained(base_model)
    examples = [{"input_ids": ids} for ids in tokenizer(texts, truncation=True, max_length=128)["input_ids"]]
    collate = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
    steps = math.ceil(len(examples) / batch_size * epochs)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(0.06 * steps), steps)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    step, losses = 0, []
    while step < steps:
        order = torch.randperm(len(examples), generator=generator).tolist()
        for start in range(0, len(order), batch_size):
            if step >= steps:
                break
            batch = collate([examples[i] for i in order[start:start + batch_size]])
            labels = batch.pop("labels")
            masked = labels != -100
            hidden = model.bert(**batch).last_hidden_state
            loss = nn.functional.cross_entropy(model.cls(hidden[masked]), labels[masked])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            step += 1
    # The masked-LM model has no pooler; the classifier built on the adapted encoder gets the base one back.
    encoder = AutoModel.from_pretrained(base_model)
    encoder.load_state_dict(model.bert.state_dict(), strict=False)
    encoder.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return float(np.mean(losses[-25:]))


def labels_since_last_fine_tune(retrain_every):
    """Training labels the newest head has beyond the last fine-tune (the evaluation share of them trains neither)."""
    return round(retrain_every * (1 - EVALUATION_SHARE))


def head_teacher_probabilities(texts, targets, train, n_labels, num_labels, base_model, config, retrain_every):
    """Pool probabilities of the loop's newest head when a fine-tune on `n_labels` starts: a
    logistic head on all of them, over the embeddings of the fine-tune `retrain_every` labels ago."""
    earlier = train[:n_labels - labels_since_last_fine_tune(retrain_every)]
    model, tokenizer, _ = finetune.fine_tune([texts[i] for i in earlier], [targets[i] for i in earlier], num_labels,
                                             base_model, config)
    embeddings = classifier_encoder(model.eval(), tokenizer).embed([texts[i] for i in train])
    weight, bias = fit_head(embeddings[:n_labels], [targets[i] for i in train[:n_labels]], num_labels,
                            scaling=feature_scaling(embeddings))
    return softmax(embeddings[n_labels:] @ weight.T + bias)


def run(variant, texts, targets, train, test, n_labels, num_labels, base_model, seed, mlm_epochs, work_dir,
        retrain_every, training):
    labeled, pool = train[:n_labels], train[n_labels:]
    config = finetune.TrainConfig.from_settings({**training, "seed": seed})
    labeled_texts, labeled_targets = [texts[i] for i in labeled], [targets[i] for i in labeled]
    extra = {}
    started = time.perf_counter()
    if variant == "pool_mlm":
        adapted = Path(work_dir) / f"adapted-s{seed}"
        if not adapted.exists():  # one adaptation per seed's pool, shared by every label count
            extra["mlm_loss"] = round(adapt_to_pool(base_model, [texts[i] for i in train], mlm_epochs, adapted, seed), 3)
        base_model = str(adapted)
    if variant == "mean_pooling":
        with mean_pooling_models():
            model, tokenizer, _ = finetune.fine_tune(labeled_texts, labeled_targets, num_labels, base_model, config)
    elif variant == "pseudo_labels_head":
        pool_probabilities = head_teacher_probabilities(texts, targets, train, n_labels, num_labels, base_model, config,
                                                        retrain_every)
    else:
        model, tokenizer, _ = finetune.fine_tune(labeled_texts, labeled_targets, num_labels, base_model, config)
        if variant == "pseudo_labels":
            pool_probabilities = predict_proba(model.eval(), tokenizer, [texts[i] for i in pool])
    if variant in ("pseudo_labels", "pseudo_labels_head"):
        rows, pseudo_targets = confident_pseudo_labels(pool_probabilities, np.array(labeled_targets), num_labels)
        extra["pseudo_labels"] = len(rows)
        extra["pseudo_accuracy"] = round(float(np.mean([targets[pool[r]] == t for r, t in zip(rows, pseudo_targets)])), 3)
        model, tokenizer, _ = finetune.fine_tune(
            labeled_texts + [texts[pool[r]] for r in rows], labeled_targets + pseudo_targets, num_labels,
            base_model, config)
    model.eval()
    predicted = predict_proba(model, tokenizer, [texts[i] for i in test]).argmax(1).tolist()
    score = macro_f1([targets[i] for i in test], predicted, list(range(num_labels)))
    return {"variant": variant, "labels": n_labels, "seed": seed, "test_macro_f1": round(score, 4),
            "seconds": round(time.perf_counter() - started, 1), **extra}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", required=True)
    parser.add_argument("--encoding", default="utf-8")
    parser.add_argument("--text-column", required=True)
    parser.add_argument("--label-column", required=True)
    parser.add_argument("--labels", type=int, nargs="+", default=[270, 450])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument("--mlm-epochs", type=float, default=3.0)
    parser.add_argument("--retrain-every", type=int, default=100,
                        help="pseudo_labels_head: labels between fine-tunes, as in al_simulation.py")
    parser.add_argument("--base-model", default=None, help="default: the server's LOOPLABEL_BASE_MODEL")
    parser.add_argument("--training", default="{}",
                        help='training recipe overrides, as LOOPLABEL_TRAINING (JSON, e.g. \'{"min_steps": 300}\')')
    parser.add_argument("--name", default="financial_phrasebank")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    try:
        training = json.loads(args.training)
    except json.JSONDecodeError as error:
        parser.error(f"--training is not JSON: {error}")
    since = labels_since_last_fine_tune(args.retrain_every)
    if "pseudo_labels_head" in args.variants and min(args.labels) <= since:
        parser.error(f"pseudo_labels_head needs more than {since} labels: its teacher is the fine-tune "
                     f"--retrain-every ({args.retrain_every}) labels earlier")
    rows = read_dataset(args.csv, args.text_column, args.label_column, args.encoding)
    names = sorted({label for _, label in rows})
    texts, targets = [text for text, _ in rows], [names.index(label) for _, label in rows]
    base_model = args.base_model or default_base_model()
    results = []
    with tempfile.TemporaryDirectory() as work_dir:
        for seed in args.seeds:
            train, test = split(rows, args.test_size, seed)
            for variant in args.variants:
                for n_labels in args.labels:
                    result = run(variant, texts, targets, train, test, n_labels, len(names), base_model, seed,
                                 args.mlm_epochs, work_dir, args.retrain_every, training)
                    print(result, flush=True)
                    results.append(result)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"recipe_probe_{args.name}.csv"
    columns = ["variant", "labels", "seed", "test_macro_f1", "seconds", "mlm_loss", "pseudo_labels", "pseudo_accuracy"]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(results)
    print(f"\n{'variant':<15}" + "".join(f"{n:>10}" for n in args.labels) + "   (test macro-F1, mean over seeds)")
    for variant in args.variants:
        means = [np.mean([r["test_macro_f1"] for r in results if r["variant"] == variant and r["labels"] == n])
                 for n in args.labels]
        print(f"{variant:<15}" + "".join(f"{m:>10.3f}" for m in means))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
