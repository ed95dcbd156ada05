"""The loop's REST API: stats with the learning curve, model list, downloads that predict what is served."""
import io
import json

import numpy as np
import pytest

from training.loop import embedding_cache, predict
from training.loop.cold_start import cold_start
from training.loop.head_refit import refit_head
from training.ml.inference import load_classifier, predict_proba
from training.models import ModelKind

from .conftest import label_documents, train_full

pytestmark = pytest.mark.django_db


def test_stats_expose_learning_curve_and_stopping(loop_project, annotator, lead, client_for):
    cold_start(loop_project.id)[0]
    label_documents(loop_project, annotator, 12)
    refit_head(loop_project.id)[0]
    body = client_for(lead).get(f"/api/v1/projects/{loop_project.id}/stats/").json()
    assert "learning_curve" in body and "stopping" in body and body["head_every"] == 4
    models = client_for(lead).get(f"/api/v1/projects/{loop_project.id}/models/").json()
    assert models[0]["kind"] == "head" and models[0]["encoder_version"] == "base"


def _download(client, project, number):
    import zipfile

    response = client.get(f"/api/v1/projects/{project.id}/models/{number}/download/")
    assert response.status_code == 200, response.content
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _load_downloaded(archive, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    target = tmp_path / "download"
    archive.extractall(target)
    (folder,) = target.iterdir()
    return AutoModelForSequenceClassification.from_pretrained(folder).eval(), AutoTokenizer.from_pretrained(folder)


def _served_probabilities(project, texts):
    return np.array([[p["scores"][name] for name in ("negative", "neutral", "positive")]
                     for p in predict.predict(project, texts)[1]])


def _downloaded_probabilities(model, tokenizer, texts):
    columns = [model.config.label2id[name] for name in ("negative", "neutral", "positive")]
    return predict_proba(model, tokenizer, texts, max_length=64)[:, columns]


TEXTS = ["profit rose in quarter 77", "layoffs announced in quarter 78", "board appointed in quarter 79"]


def test_a_full_version_downloads_as_its_model_without_the_cache(loop_project, annotator, lead, client_for,
                                                                  outsider, tmp_path):
    version = train_full(loop_project, annotator)
    archive = _download(client_for(lead), loop_project, version.number)
    names = {name.split("/")[-1] for name in archive.namelist()}
    assert "config.json" in names and not names & {embedding_cache.EMBEDDINGS_FILE, embedding_cache.DOC_IDS_FILE}
    model, tokenizer = _load_downloaded(archive, tmp_path)
    assert np.allclose(_downloaded_probabilities(model, tokenizer, TEXTS), _served_probabilities(loop_project, TEXTS),
                       atol=1e-4)
    assert client_for(annotator).get(f"/api/v1/projects/{loop_project.id}/models/{version.number}/download/").status_code == 403
    assert client_for(outsider).get(f"/api/v1/projects/{loop_project.id}/models/{version.number}/download/").status_code == 404


def test_a_head_version_downloads_as_a_classifier_that_predicts_what_the_head_serves(loop_project, annotator, lead,
                                                                                    client_for, tmp_path):
    full = train_full(loop_project, annotator)
    label_documents(loop_project, annotator, 8)
    head = refit_head(loop_project.id)[0]
    assert head.kind == ModelKind.HEAD and head.encoder_version_id == full.id
    model, tokenizer = _load_downloaded(_download(client_for(lead), loop_project, head.number), tmp_path)
    served = _served_probabilities(loop_project, TEXTS)  # the newest version: the head
    assert np.allclose(_downloaded_probabilities(model, tokenizer, TEXTS), served, atol=1e-4)
    assert not np.allclose(served, _downloaded_probabilities(*load_classifier(full.artifact_dir), TEXTS), atol=1e-3)


def test_a_head_on_the_base_encoder_downloads_with_how_to_apply_it(loop_project, annotator, lead, client_for):

    cold_start(loop_project.id)[0]
    label_documents(loop_project, annotator, 12)
    head = refit_head(loop_project.id)[0]
    archive = _download(client_for(lead), loop_project, head.number)
    files = {name.split("/")[-1]: name for name in archive.namelist()}
    description = json.loads(archive.read(files["head.json"]))
    assert description["labels"] == head.label_names and description["base_model"] == head.base_model
    with archive.open(files["head.npz"]) as handle:
        weights = np.load(io.BytesIO(handle.read()))
    assert weights["weight"].shape == (len(head.label_names), 32)
