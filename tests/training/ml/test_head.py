"""The logistic-regression head and the classifier's output layer that carries it."""
import numpy as np

from training.ml.head import fit_head


def test_head_weights_fold_the_feature_scaling():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(2)
    x = rng.normal(loc=3.0, scale=[0.1] * 4 + [5.0] * 4, size=(90, 8))
    y = np.repeat([0, 2, 3], 30)  # class 1 has no label yet
    x[y == 2] += 0.5
    weight, bias = fit_head(x, y, 4)
    reference = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, class_weight="balanced", max_iter=100, tol=1e-3)).fit(x, y)
    logits = x @ weight.T + bias
    assert (logits.argmax(1) == reference.predict(x)).all()
    assert (logits[:, 1] < logits.max(1) - 10).all()


def test_the_output_layer_takes_a_head_with_more_classes(tiny_model_dir):
    import torch
    from transformers import AutoModelForSequenceClassification

    from training.ml.encode import set_output_layer

    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir, num_labels=3).eval()
    weight, bias = np.random.default_rng(0).normal(size=(4, 32)).astype(np.float32), np.arange(4, dtype=np.float32)
    set_output_layer(model, weight, bias)
    assert model.config.num_labels == 4
    inputs = {"input_ids": torch.tensor([[101, 2000, 102]]), "attention_mask": torch.ones(1, 3, dtype=torch.long)}
    captured = {}
    model.classifier.register_forward_hook(lambda module, args, output: captured.update(x=args[0]))
    with torch.no_grad():
        logits = model(**inputs).logits
    assert logits.shape == (1, 4)
    assert np.allclose(logits.numpy(), captured["x"].numpy() @ weight.T + bias, atol=1e-5)
