"""The model loop, one module per step. Celery lives at the edge (training/tasks.py).

- due.py           what is due after labels, after an import, and in the periodic sweep
- dataset.py       training labels, the evaluation sample, the documents the loop scores
- full_run.py      fine-tune, refit the output layer, evaluate, save a FULL version
- scoring.py       embed the pool with a new encoder (in chunks when large), finish the run
- head_refit.py    a HEAD version on cached embeddings every few labels (seconds)
- cold_start.py    before any model: embed the pool with the base encoder, order for coverage
- new_documents.py documents imported later: embed with the same encoder, score at once
- queue_order.py   priorities from a model's probabilities (uncertainty + diversity) or for coverage
- stability.py     predictions on a fixed stopping set; when more labels stop paying
- versions.py      numbering, directories and metrics of model versions
- embedding_cache.py, encoders.py   what is kept on disk and in a worker's memory
- predict.py       predictions for clients; report.py  learning curve and model rows

Steps that may lead to more work return a NextSteps (next_steps.py); the caller queues it.
docs/architecture.md follows one label through the loop.
"""
