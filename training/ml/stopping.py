"""When do more labels stop paying? Prediction stability on a fixed stopping set.

small-text's KappaAverage [Bloodgood & Vijay-Shanker 2009]: Cohen's kappa between the
predictions of consecutive models on the same unlabeled documents; when the average over
the last `window` pairs reaches `kappa` (0.99), the model has stopped changing its mind
and further labels are unlikely to improve it much.
"""
import numpy as np
from small_text.stopping_criteria import KappaAverage

WINDOW = 3
THRESHOLD = 0.99


def stopping_signal(history, num_classes, *, window=WINDOW, threshold=THRESHOLD) -> dict:
    """`history`: prediction arrays of consecutive models on the same documents, oldest first."""
    criterion = KappaAverage(num_classes, window_size=window, kappa=threshold)
    stop = False
    for predictions in history[-(window + 1):]:
        stop = criterion.stop(predictions=np.asarray(predictions))
    kappas = [round(float(k), 4) for k in criterion.kappa_history]
    return {
        "criterion": "kappa_average",
        "kappa_history": kappas,
        "kappa_last": kappas[-1] if kappas else None,
        "kappa_average": round(float(np.mean(kappas)), 4) if kappas else None,
        "window": window,
        "threshold": threshold,
        "stop": bool(stop),
        "documents": int(len(history[-1])) if history else 0,
    }
