"""Cold start: before any label the pool is embedded with the base encoder and ordered for coverage."""
import pytest

from labeling.services import queue
from training.loop.cold_start import cold_start

from .conftest import pool_priorities

pytestmark = pytest.mark.django_db


def test_cold_start_orders_the_real_queue_for_coverage(loop_project, annotator):
    cold_start(loop_project.id)[0]
    assert all(p is not None for p in pool_priorities(loop_project).values())
    served = [queue.next_document(loop_project, annotator).document.text.split(" in quarter")[0] for _ in range(3)]
    assert len(served) == 3
