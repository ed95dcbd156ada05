"""Documents imported after a cache was made: embed them with the same encoder and score them at once.

They need not wait for the next fine-tune; the next head refit ranks them with the rest.
"""
import numpy as np

from labeling.models import Project

from .dataset import texts_by_id, uncached_documents
from .due import release_request
from .embedding_cache import (
    NO_EMBEDDINGS,
    cache_dir,
    embedding_source,
    load_cache,
    save_cache,
)
from .encoders import encoder_for, probabilities_of
from .queue_order import order_by_uncertainty
from .versions import latest_model, version_encoder


def embed_new_documents(project_id) -> int:
    """Append the documents the head's cache lacks to it and score them with the newest version; returns how many."""
    release_request(project_id, "embed")
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    source = embedding_source(project)
    if source is NO_EMBEDDINGS:
        return 0
    directory = cache_dir(project, source)
    ids, embeddings, _ = load_cache(directory)
    new_ids, texts = texts_by_id(uncached_documents(project, ids))
    if not new_ids:
        return 0
    ids = np.concatenate([ids, np.asarray(new_ids, dtype=np.int64)])
    embeddings = np.vstack([embeddings, encoder_for(source).embed(texts)])
    save_cache(directory, ids, embeddings)
    version = latest_model(project)
    if version is not None and version_encoder(version) == source:
        order_by_uncertainty(project, version.label_names, version.number, ids, probabilities_of(version, embeddings),
                             embeddings)
    return len(new_ids)
