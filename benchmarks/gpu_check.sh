#!/usr/bin/env bash
# The full fine-tune + pool-scoring path on a GPU, with timings: fine-tune MiniLM on N labels
# (Financial PhraseBank), then embed/score a pool with the fine-tuned encoder (bf16/fp16
# autocast), next to small-text's stock predict_proba on the same GPU.
# Where CUDA is missing it says so and exits 0.
#   bash benchmarks/gpu_check.sh [LABELS=500] [POOL=4000]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
LABELS=${1:-500}
POOL=${2:-4000}
if ! "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "gpu_check: no CUDA device here (torch $("$PY" -c 'import torch; print(torch.__version__)')); nothing to measure."
    exit 0
fi
"$PY" -c 'import torch; print("device:", torch.cuda.get_device_name(0), "bf16:", torch.cuda.is_bf16_supported())'
"$PY" benchmarks/scoring_throughput.py --finetune "$LABELS" --pool "$POOL"
"$PY" benchmarks/scoring_throughput.py --texts "$POOL" --no-int8 --smalltext-batch 32 --repeats 2
