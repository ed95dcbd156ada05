"""A project's masking: its strategy, applied within the project's scope.

The scope keeps surrogates, duplicate fingerprints and id pseudonyms consistent within a project and
different across projects, so every text of a project must be masked with the same one:
the import, a lead's correction and a prediction alike.
"""
from privacy.masking import mask
from privacy.services import ProtectedText, fingerprint, protect_text, pseudonymize_id


def masking_scope(project) -> str:
    return str(project.id)


def mask_for_project(project, text: str) -> str:
    """The masked text only, for texts whose original is not kept (metadata, texts to predict)."""
    return mask(text, strategy=project.masking_strategy, scope=masking_scope(project)).masked_text


def protect_for_project(project, text: str) -> ProtectedText:
    """The masked text, its spans and the encrypted original, for a document's text."""
    return protect_text(text, strategy=project.masking_strategy, scope=masking_scope(project))


def fingerprint_for_project(project, text: str) -> str:
    return fingerprint(text, scope=masking_scope(project))


def pseudonym_for_project(project, external_id: str) -> str:
    """A record's own id as the project stores it (privacy.services.pseudonymize_id); no id stays none."""
    return pseudonymize_id(external_id, scope=masking_scope(project)) if external_id else ""
