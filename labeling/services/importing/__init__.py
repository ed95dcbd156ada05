"""Import texts from CSV, JSONL or plain text, streaming, as a background job.

`start_import` checks what can be checked at once (format, encoding, the text column) so
the caller gets a 400 straight away, and creates the job for the caller to queue;
`run_import` does the rest in the worker. Documents are staged in state IMPORTING and
become visible in one update at the end, so a failed import leaves nothing half-way and
never touches documents already stored. `sweep_stale_imports` (periodic) fails imports
whose worker died and names the queued ones to send again; `give_up_import` fails one
whose message the broker refused.
"""
from .readers import normalise_whitespace
from .recovery import give_up_import, sweep_stale_imports
from .running import run_import
from .starting import start_import

__all__ = ["give_up_import", "normalise_whitespace", "run_import", "start_import", "sweep_stale_imports"]
