"""A project's masking: its strategy and entity types, applied within the project's scope.

The scope keeps surrogates, duplicate fingerprints and id pseudonyms consistent within a project and
different across projects, so every text of a project must be masked with the same one:
the import, a lead's correction and a prediction alike.
"""
from privacy.masking import mask_many
from privacy.services import ProtectedText, fingerprint, protect_texts, pseudonymize_id


def masking_scope(project) -> str:
    return str(project.id)


def mask_for_project(project, text: str) -> str:
    """The masked text only, for texts whose original is not kept (a lead's correction)."""
    return mask_many_for_project(project, [text])[0]


def mask_many_for_project(project, texts) -> list[str]:
    """`mask_for_project` for a batch (texts to predict, metadata values)."""
    results = mask_many(
        texts, strategy=project.masking_strategy, scope=masking_scope(project), entity_types=project.masked_entity_types
    )
    return [result.masked_text for result in results]


def mask_json_for_project(project, values: list) -> list:
    """Each JSON value with every string and number in it masked, at any depth, in one batch.

    Numbers are masked as the text they are written as (a phone or card number can be a JSON
    number) and stay numbers where masking changes nothing. Keys are masked too: a record can
    key a map by email addresses; where two keys of a map mask alike, the last one's value is
    kept. Callers bound the depth (the import readers refuse records nested deeper than 64).
    """
    leaves = []
    for value in values:
        _collect_leaves(value, leaves)
    masked = iter(mask_many_for_project(project, leaves))
    return [_rebuild(value, masked) for value in values]


def _collect_leaves(value, leaves):
    if isinstance(value, str):
        leaves.append(value)
    elif isinstance(value, (int, float)):  # bools too, which masking leaves alone
        leaves.append(str(value))
    elif isinstance(value, list):
        for item in value:
            _collect_leaves(item, leaves)
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect_leaves(key, leaves)
            _collect_leaves(item, leaves)


def _rebuild(value, masked):
    """`value` with its leaves replaced by the next masked texts, in `_collect_leaves` order."""
    if isinstance(value, str):
        return next(masked)
    if isinstance(value, (int, float)):
        text = next(masked)
        return value if text == str(value) else text
    if isinstance(value, list):
        return [_rebuild(item, masked) for item in value]
    if isinstance(value, dict):
        rebuilt = {}
        for key, item in value.items():
            masked_key = next(masked)
            rebuilt[masked_key] = _rebuild(item, masked)
        return rebuilt
    return value  # null


def protect_many_for_project(project, texts) -> list[ProtectedText]:
    """The masked text, its spans and the encrypted original of each document text of a batch.

    A batch, so that model detectors run at their speed and a name found in one text is masked
    in all (privacy.detectors.recurring)."""
    return protect_texts(
        texts, strategy=project.masking_strategy, scope=masking_scope(project), entity_types=project.masked_entity_types
    )


def fingerprint_for_project(project, text: str) -> str:
    return fingerprint(text, scope=masking_scope(project))


def pseudonym_for_project(project, external_id: str) -> str:
    """A record's own id as the project stores it (privacy.services.pseudonymize_id); no id stays none."""
    return pseudonymize_id(external_id, scope=masking_scope(project)) if external_id else ""
