"""Domain errors raised by labeling services; the API maps each to one HTTP status."""


class LabelingError(Exception):
    status_code = 400
    retry_after = None  # seconds, sent as Retry-After where set

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class InvalidInput(LabelingError):
    status_code = 400


class NotFound(LabelingError):
    status_code = 404


class Conflict(LabelingError):
    status_code = 409


class BudgetExhausted(Conflict):
    pass


class LeaseNotHeld(Conflict):
    pass


class TaskQueueUnavailable(LabelingError):
    """The broker did not take a job's message; the job was given up, so the request may simply be repeated."""

    status_code = 503
    retry_after = 60


class QueueBusy(LabelingError):
    """The request stored nothing and may simply be repeated: the queue or the database was too busy to answer now."""

    status_code = 503
    retry_after = 1
