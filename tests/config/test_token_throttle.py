"""Token logins are rate limited per client address (LOOPLABEL_TOKEN_LOGIN_RATE), so passwords are slow to guess."""
import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def test_token_logins_beyond_the_rate_are_429(lead, client_for, settings):
    settings.LOOPLABEL_TOKEN_LOGIN_RATE = "3/minute"
    cache.clear()  # other tests logged in from this address too
    client = client_for(None)
    for _ in range(3):
        assert client.post("/api/v1/auth/token/", {"username": "lead", "password": "guess"}).status_code == 400
    response = client.post("/api/v1/auth/token/", {"username": "lead", "password": "lead-password"})
    assert response.status_code == 429 and "throttled" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    # a forwarded-for header the client picks itself is no new address
    response = client.post("/api/v1/auth/token/", {"username": "lead", "password": "guess"},
                           HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 429
    cache.clear()
