"""Bad input to the loop's API is a 400 with the field named, never a database error."""
import pytest

from training.models import ProjectLoop

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("head_every", [0, 2**31, 2**63, "ten"])
def test_head_every_out_of_range_is_400(project, lead, client_for, head_every):
    response = client_for(lead).patch(f"/api/v1/projects/{project.id}/loop/", {"head_every": head_every}, format="json")
    assert response.status_code == 400 and "head_every" in response.json()
    assert not ProjectLoop.objects.filter(project=project, head_every__isnull=False).exists()


def test_the_largest_head_every_is_stored(project, lead, client_for):
    response = client_for(lead).patch(f"/api/v1/projects/{project.id}/loop/", {"head_every": 2**31 - 1}, format="json")
    assert response.status_code == 200 and response.json()["head_every_override"] == 2**31 - 1
