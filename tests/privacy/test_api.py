"""Preview and audit endpoints, read_original, and the read-only admin."""
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from privacy import crypto
from privacy.models import RawTextAccess
from privacy.services import read_original

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.privacy.urls")]
PREVIEW = "/api/v1/privacy/preview/"
AUDIT = "/api/v1/privacy/audit/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("auditor", password="pw", is_staff=True)


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user("member", password="pw")


def test_preview_needs_a_login(client_for):
    response = client_for(None).post(PREVIEW, {"text": "bob@example.com"}, format="json")
    assert response.status_code in (401, 403)


def test_on_its_own_the_preview_is_for_staff(client_for, member):
    """privacy cannot tell who works on a project; the site widens the rule (test_preview_access.py)."""
    response = client_for(member).post(PREVIEW, {"text": "bob@example.com"}, format="json")
    assert response.status_code == 403


def test_preview_masks_and_returns_original_offsets(client_for, staff):
    text = "Mail bob@example.com or call +44 20 7946 0958"
    response = client_for(staff).post(PREVIEW, {"text": text, "strategy": "tag"}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "masked_text": "Mail [EMAIL] or call [PHONE]",
        "spans": [{"type": "EMAIL", "start": 5, "end": 20}, {"type": "PHONE", "start": 29, "end": 45}],
    }


def test_preview_defaults_to_tags_and_accepts_every_strategy(client_for, staff):
    client = client_for(staff)
    assert client.post(PREVIEW, {"text": "bob@example.com"}, format="json").json()["masked_text"] == "[EMAIL]"
    for strategy in ("surrogate", "redact"):
        response = client.post(PREVIEW, {"text": "bob@example.com", "strategy": strategy}, format="json")
        assert response.status_code == 200 and "bob@example.com" not in response.json()["masked_text"]


@pytest.mark.parametrize("body, field", [
    ({"text": "x", "strategy": "scramble"}, "strategy"),
    ({"strategy": "tag"}, "text"),
])
def test_preview_rejects_bad_input_with_a_message(client_for, staff, body, field):
    response = client_for(staff).post(PREVIEW, body, format="json")
    assert response.status_code == 400
    assert field in str(response.json())


def test_read_original_records_who_read_what_and_why(member):
    token = crypto.encrypt("Jane Doe, bob@example.com")
    assert read_original(token, user=member, object_type="labeling.Document", object_id=42, reason="ticket #7") == (
        "Jane Doe, bob@example.com"
    )
    record = RawTextAccess.objects.get()
    assert (record.user, record.object_type, record.object_id, record.reason) == (
        member, "labeling.Document", "42", "ticket #7"
    )


def test_read_original_requires_a_reason(member):
    with pytest.raises(ValueError, match="reason"):
        read_original(crypto.encrypt("x"), user=member, object_type="labeling.Document", object_id=1, reason="  ")
    assert not RawTextAccess.objects.exists()


def test_failed_read_is_audited_too(member):
    with pytest.raises(ValueError):
        read_original("not-a-token", user=member, object_type="labeling.Document", object_id=1, reason="check")
    assert RawTextAccess.objects.count() == 1


def test_audit_list_is_for_admins_only(client_for, member, staff):
    read_original(crypto.encrypt("x"), user=member, object_type="labeling.Document", object_id=1, reason="why")
    assert client_for(None).get(AUDIT).status_code in (401, 403)
    assert client_for(member).get(AUDIT).status_code == 403
    response = client_for(staff).get(AUDIT)
    assert response.status_code == 200
    [entry] = response.json()["results"]
    assert entry["user"] == "member" and entry["object_id"] == "1" and entry["reason"] == "why"


def test_audit_list_filters(client_for, member, staff):
    for object_id in (1, 2):
        read_original(crypto.encrypt("x"), user=member, object_type="labeling.Document", object_id=object_id,
                      reason="r")
    response = client_for(staff).get(AUDIT, {"object_id": "2"})
    assert [entry["object_id"] for entry in response.json()["results"]] == ["2"]


def test_admin_lists_audit_records_read_only(staff):
    model_admin = admin.site._registry[RawTextAccess]
    request = RequestFactory().get("/admin/privacy/rawtextaccess/")
    request.user = get_user_model().objects.create_superuser("root", password="pw")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
