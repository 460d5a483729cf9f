"""API tokens (issue 17, point 4): scope, expiry, session-only management, revocation on password change, PRG."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from convene.accounts import services
from convene.accounts.models import ApiToken
from convene.communities.models import AuditEntry

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-good-long-password-1"


@pytest.fixture
def user():
    user = UserFactory(email="tok@example.com")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_read_only_token_reads_but_is_refused_writes_with_403_json(user):
    _, secret = services.api_token_create(user=user, name="ro", scope="read")
    client = Client()
    assert client.get("/api/v1/me/profile", **_bearer(secret)).status_code == 200
    response = client.patch(
        "/api/v1/me/profile", json.dumps({"bio": "x"}), content_type="application/json", **_bearer(secret)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden" and "read-only" in response.json()["detail"]
    user.profile.refresh_from_db()
    assert user.profile.bio == ""


def test_expired_token_is_401(user, monkeypatch):
    token, secret = services.api_token_create(user=user, name="short", expires_in_days=1)
    assert Client().get("/api/v1/me/profile", **_bearer(secret)).status_code == 200
    # A day later (the lookup may be cached: expiry is checked on every request all the same)
    later = token.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = Client().get("/api/v1/me/profile", **_bearer(secret))
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    token.refresh_from_db()
    assert token.expired and not token.active


@pytest.mark.parametrize(
    "header", ["Bearer cvn_nonsense", "Bearer nothing", "Bearer ", "Token cvn_x", "Basic Zm9vOmJhcg=="]
)
def test_invalid_credentials_are_401_even_on_public_routes(user, header):
    for path in ("/api/v1/communities/", "/api/v1/convening/activities"):
        assert Client().get(path).status_code == 200  # public without credentials
        response = Client().get(path, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, (path, header)
        assert response.json()["code"] == "unauthenticated"


def test_a_token_cannot_create_or_revoke_tokens(user):
    token, secret = services.api_token_create(user=user, name="rw")
    client = Client()
    created = client.post(
        "/api/v1/me/tokens", json.dumps({"name": "child"}), content_type="application/json", **_bearer(secret)
    )
    assert created.status_code == 403 and created.json()["code"] == "forbidden"
    assert client.delete(f"/api/v1/me/tokens/{token.pk}", **_bearer(secret)).status_code == 403
    assert ApiToken.objects.filter(user=user).count() == 1 and ApiToken.objects.get().revoked_at is None
    assert client.get("/api/v1/me/tokens", **_bearer(secret)).status_code == 200  # listing is a read


def test_a_session_creates_tokens_with_scope_and_expiry(user):
    client = Client()
    client.force_login(user)
    client.cookies["csrftoken"] = "x" * 32
    csrf = {"HTTP_X_CSRFTOKEN": "x" * 32}
    response = client.post(
        "/api/v1/me/tokens",
        json.dumps({"name": "ci", "scope": "read", "expires_in_days": 30}),
        content_type="application/json",
        **csrf,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scope"] == "read" and body["expires_at"] and body["secret"].startswith("cvn_")
    listed = client.get("/api/v1/me/tokens").json()
    assert listed[0]["scope"] == "read" and "last_used_at" in listed[0] and "secret" not in listed[0]


def test_token_creation_page_is_post_redirect_get(user):
    client = Client()
    client.force_login(user)
    response = client.post("/me/tokens/", {"name": "sheet", "scope": "write", "expires_in_days": "90"})
    assert response.status_code == 302 and response["Location"] == "/me/tokens/new/"
    page = client.get("/me/tokens/new/")
    assert page.status_code == 200 and "cvn_" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    again = client.get("/me/tokens/new/")  # a reload shows nothing and creates nothing
    assert again.status_code == 302 and "cvn_" not in again.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.scope == "write" and token.expires_at is not None
    profile = client.get("/me/profile/").content.decode()
    assert "revokes all your tokens" in profile and "Read and write" in profile


def test_password_change_revokes_all_tokens(user):
    _, secret = services.api_token_create(user=user, name="a")
    services.api_token_create(user=user, name="b", scope="read")
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "another-long-pass-22", "password2": "another-long-pass-22"},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert Client().get("/api/v1/me/profile", **_bearer(secret)).status_code == 401
    assert AuditEntry.objects.filter(actor=user, action="tokens_revoked").exists()


def test_password_reset_revokes_all_tokens(user):
    import re

    from django.core import mail

    services.api_token_create(user=user, name="a")
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    client.post(form_url, {"password1": "a-brand-new-pass-42", "password2": "a-brand-new-pass-42"})
    user.refresh_from_db()
    assert user.check_password("a-brand-new-pass-42")
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()


def test_token_creation_and_revocation_are_audited(user):
    token, _ = services.api_token_create(user=user, name="a")
    services.api_token_revoke(user=user, token_id=token.pk)
    actions = set(AuditEntry.objects.filter(actor=user, subject=f"token:{token.pk}").values_list("action", flat=True))
    assert actions == {"token_created", "token_revoked"}
