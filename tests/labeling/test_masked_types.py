"""Which entity types a project masks: a lead's setting with safe defaults, applied to every
text of an import as one batch."""
import pytest

from labeling.models import Document, Project
from privacy.detectors import ALWAYS_MASKED, DEFAULT_MASKED_TYPES

from ..conftest import import_texts

pytestmark = pytest.mark.django_db

TEXT = "Shares of Siemens rose after Joe Kaeser spoke in Munich."


def _settings(client, project, types):
    return client.patch(f"/api/v1/projects/{project.id}/", {"masked_entity_types": types}, format="json")


def test_new_projects_mask_names_but_not_places_or_organisations(project, lead):
    assert project.masked_entity_types == list(DEFAULT_MASKED_TYPES)
    import_texts(project, lead, f"text\n{TEXT}\n")
    assert Document.objects.get().text == "Shares of Siemens rose after [PERSON] spoke in Munich."


def test_a_lead_masks_organisations_and_places_in_texts_imported_afterwards(project, lead, client_for):
    import_texts(project, lead, f"text\n{TEXT}\n")
    response = _settings(client_for(lead), project, [*DEFAULT_MASKED_TYPES, "ORGANIZATION", "LOCATION"])
    assert response.status_code == 200, response.json()
    import_texts(project, lead, f"text\n{TEXT} Again.\n")
    assert sorted(Document.objects.values_list("text", flat=True)) == [
        "Shares of Siemens rose after [PERSON] spoke in Munich.",  # imported before: unchanged
        "Shares of [ORGANIZATION] rose after [PERSON] spoke in [LOCATION]. Again.",
    ]


@pytest.mark.parametrize("types, message", [
    ([kind for kind in DEFAULT_MASKED_TYPES if kind != "PERSON"], "PERSON cannot be shown to annotators"),
    ([*DEFAULT_MASKED_TYPES, "SHOE_SIZE"], "Unknown entity types: SHOE_SIZE"),
    ("PERSON", "Give a list of entity types"),
])
def test_names_addresses_and_identifiers_cannot_be_unmasked(project, lead, client_for, types, message):
    response = _settings(client_for(lead), project, types)
    assert response.status_code == 400 and message in str(response.json())
    assert Project.objects.get(pk=project.pk).masked_entity_types == list(DEFAULT_MASKED_TYPES)


def test_annotators_cannot_change_what_is_masked(project, annotator, client_for):
    assert _settings(client_for(annotator), project, list(ALWAYS_MASKED)).status_code == 403


def test_a_name_found_in_one_row_is_masked_in_the_other_rows_of_the_import(project, lead):
    shouted = "URGENT: KOWALCZYK CALLED ABOUT THE REFUND AGAIN"
    import_texts(project, lead, f"text\n{shouted}\n")
    assert Document.objects.get().text == shouted  # alone, in capitals, nothing tells it is a name
    import_texts(project, lead, f"text\n\"Dear Tamara Kowalczyk, your refund is on its way.\"\n{shouted}!\n")
    assert set(Document.objects.values_list("text", flat=True)) == {
        shouted, "Dear [PERSON], your refund is on its way.", "URGENT: [PERSON] CALLED ABOUT THE REFUND AGAIN!"}
