"""Embeddings of every document under one encoder, cached on disk beside the version.

A full run embeds the project once with its fine-tuned encoder; the cold start does the
same with the base encoder. Head refits, scoring of new documents and stability checks
read these caches instead of running the transformer again.
"""
import os
from pathlib import Path

import numpy as np

from ..ml.head import feature_scaling
from ..ml.lru import LRUCache
from ..models import ModelKind, ModelVersion, ProjectLoop
from .versions import project_models_dir

EMBEDDINGS_FILE, DOC_IDS_FILE = "embeddings.npy", "doc_ids.npy"
# No cache exists yet for the project (`embedding_source` returns None for the base encoder's).
NO_EMBEDDINGS = object()
_loaded = LRUCache(4)  # (directory, mtime) -> (ids, embeddings, scaling): the next refit reads from memory


def save_cache(directory, doc_ids, embeddings):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in ((DOC_IDS_FILE, np.asarray(doc_ids, dtype=np.int64)), (EMBEDDINGS_FILE, np.asarray(embeddings, dtype=np.float32))):
        tmp = directory / f".{name}.tmp"
        try:
            with open(tmp, "wb") as handle:
                np.save(handle, array)
        except OSError:
            tmp.unlink(missing_ok=True)  # a disk that filled up gets its space back; the cache stays as it was
            raise
        os.replace(tmp, directory / name)  # doc_ids first, embeddings last: embeddings present = cache complete


def has_cache(directory) -> bool:
    return bool(directory) and (Path(directory) / EMBEDDINGS_FILE).exists()


def load_cache(directory):
    """(doc ids, embeddings, feature scaling) of a cache directory."""
    path = Path(directory) / EMBEDDINGS_FILE
    key = (str(directory), path.stat().st_mtime_ns)
    cached = _loaded.get(key)
    if cached is not None:
        return cached
    ids = np.load(Path(directory) / DOC_IDS_FILE)
    embeddings = np.load(path)
    # Caches only grow by appending (new documents), so a read between the two file
    # replacements sees one array longer than the other; their common prefix is consistent.
    rows = min(len(ids), len(embeddings))
    ids, embeddings = ids[:rows], embeddings[:rows]
    return _loaded.put(key, (ids, embeddings, feature_scaling(embeddings)))


def base_cache_dir(project) -> Path:
    return project_models_dir(project) / "base"


def cache_dir(project, encoder_version):
    """Where the embeddings of `encoder_version` (None: the base encoder) are cached."""
    return encoder_version.artifact_dir if encoder_version else ProjectLoop.objects.for_project(project).base_cache_dir


def embedding_source(project):
    """The encoder whose cached embeddings the head uses: the newest FULL version with a cache,
    None for the base encoder's cache, NO_EMBEDDINGS when there is none."""
    for version in ModelVersion.objects.filter(project=project, kind=ModelKind.FULL).order_by("-number")[:3]:
        if has_cache(version.artifact_dir):
            return version
    loop = ProjectLoop.objects.filter(project=project).first()
    if loop and has_cache(loop.base_cache_dir):
        return None
    return NO_EMBEDDINGS


def has_embedding_source(project) -> bool:
    return embedding_source(project) is not NO_EMBEDDINGS
