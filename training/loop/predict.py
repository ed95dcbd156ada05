"""Predictions of the newest version for texts a client sends."""
from labeling.services.masking import mask_many_for_project

from ..models import ModelVersion
from .dataset import NotTrainable
from .encoders import version_probabilities
from .versions import latest_model


def predict(project, texts) -> tuple[ModelVersion, list[dict]]:
    """(the version that answered, per text its label and every label's score)."""
    version = latest_model(project)
    if version is None:
        raise NotTrainable("This project has no trained model yet.")
    # The model learned from masked texts, so it is asked about masked texts too.
    probabilities = version_probabilities(version, mask_many_for_project(project, texts))
    return version, [
        {"label": version.label_names[int(row.argmax())],
         "scores": {name: round(float(p), 5) for name, p in zip(version.label_names, row)}}
        for row in probabilities
    ]
