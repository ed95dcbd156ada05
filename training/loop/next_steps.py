"""What a step of the loop asks to happen next; `training.tasks.queue_next` queues it.

Loop steps never import Celery tasks: they return a NextSteps, and the edge (a task, a
hook listener, a view) hands it to `queue_next`. So one place decides how each request
becomes a message, and grep shows who asks for what.
"""
from dataclasses import dataclass, field


@dataclass
class NextSteps:
    project_id: int | None = None
    train_job_id: str | None = None  # a full fine-tune was requested (the job row exists)
    refit_head: bool = False
    cold_start: bool = False
    embed_new_documents: bool = False
    labels_arrived: bool = False  # the worker should decide what new labels make due (due.labels_arrived)
    # (version id, chunk index, document ids): parts of a large pool to embed.
    score_chunks: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.train_job_id or self.refit_head or self.cold_start or self.embed_new_documents
                    or self.labels_arrived or self.score_chunks)

    def __or__(self, other: "NextSteps") -> "NextSteps":
        return NextSteps(
            project_id=self.project_id if self.project_id is not None else other.project_id,
            train_job_id=self.train_job_id or other.train_job_id,
            refit_head=self.refit_head or other.refit_head,
            cold_start=self.cold_start or other.cold_start,
            embed_new_documents=self.embed_new_documents or other.embed_new_documents,
            labels_arrived=self.labels_arrived or other.labels_arrived,
            score_chunks=self.score_chunks + other.score_chunks,
        )
