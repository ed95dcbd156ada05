"""Domain errors raised by labeling services; the API maps each to one HTTP status."""


class LabelingError(Exception):
    status_code = 400

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
