"""A small thread-safe LRU mapping for what a worker keeps in memory between tasks
(encoders, embedding caches, classifiers, embeddings of recent texts)."""
import threading
from collections import OrderedDict


class LRUCache:
    """Keeps the `size` most recently used entries; safe to share between threads."""

    def __init__(self, size: int):
        self.size = size
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key, value):
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def __len__(self):
        return len(self._entries)
