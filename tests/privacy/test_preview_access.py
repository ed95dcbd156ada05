"""Who may preview masking on the site (config/urls.py): staff and members of some project, not every account."""
import pytest

pytestmark = pytest.mark.django_db
PREVIEW = "/api/v1/privacy/preview/"


def test_members_of_a_project_and_staff_may_preview(project, lead, annotator, make_user, client_for):
    staff = make_user("auditor")
    staff.is_staff = True
    staff.save()
    for user in (lead, annotator, staff):
        response = client_for(user).post(PREVIEW, {"text": "Mail bob@example.com"}, format="json")
        assert response.status_code == 200 and response.json()["masked_text"] == "Mail [EMAIL]"


def test_an_account_on_no_project_may_not(outsider, client_for):
    response = client_for(outsider).post(PREVIEW, {"text": "Mail bob@example.com"}, format="json")
    assert response.status_code == 403 and response.json() == {"detail": "Only members of a project may do this."}
