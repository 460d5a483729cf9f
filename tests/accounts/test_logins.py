"""Logins (issue 17, point 5): the admin uses the site's rate-limited login; the lockout is per
e-mail *and* client address, so a stranger cannot lock a member out, and it says how to get in."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.test import Client

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-good-long-password-1"


@pytest.fixture
def member():
    cache.clear()
    user = UserFactory(email="victim@example.com")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _login(address, password, *, path="/accounts/login/"):
    client = Client(REMOTE_ADDR=address)
    return client.post(path, {"login": "victim@example.com", "password": password}), client


def test_a_stranger_cannot_lock_the_member_out(member, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "50/m/ip,5/5m/key"}
    for _ in range(6):
        response, _client = _login("198.51.100.66", "wrong-password-x")
    assert "Too many failed logins" in response.content.decode()
    assert "reset your password" in response.content.decode()
    response, _client = _login("198.51.100.66", PASSWORD)  # the stranger's address stays locked
    assert response.status_code == 200
    response, client = _login("203.0.113.5", PASSWORD)  # the member, from their own address
    assert response.status_code == 302
    assert client.get("/me/profile/").status_code == 200


def test_the_admin_login_is_the_sites_rate_limited_login(member):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # the admin's own form no longer accepts passwords at all: 25 guesses meet the site's limit
    statuses = set()
    for _ in range(25):
        statuses.add(
            Client(REMOTE_ADDR="192.0.2.1").post("/admin/login/", {"username": "x", "password": "y"}).status_code
        )
    assert statuses == {302}
    for _ in range(6):
        response, _client = _login("192.0.2.1", "wrong-password-x")
    assert "Too many failed" in response.content.decode()


def test_staff_reach_the_admin_after_the_site_login(member):
    member.is_staff = True
    member.save()
    response, client = _login("203.0.113.9", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
