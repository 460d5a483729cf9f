"""Leaving through the API (issue 20 point 5): one's own account, and a coordinator acting on a request."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from convene.accounts import services
from convene.accounts.models import ApiToken, User
from convene.communities.models import AuditEntry, Role

from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
ACCOUNT = "/api/v1/me/account"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _delete(client, body, **headers):
    return client.delete(ACCOUNT, data=json.dumps(body), content_type="application/json", **headers)


def test_a_member_deletes_their_account_and_is_signed_out():
    lee = UserFactory(email="lee@example.com", name="Lee Leaver")
    client = _signed_in(lee)
    response = _delete(client, {"confirm": "DELETE"})
    assert response.status_code == 204
    lee.refresh_from_db()
    assert lee.deleted_at is not None and not lee.is_active and "lee@" not in lee.email
    assert client.get("/api/v1/me/profile").status_code == 401  # the session is gone


@pytest.mark.parametrize("body", [{}, {"confirm": "delete me"}, {"confirm": ""}, {"confirm": True}])
def test_without_the_word_nothing_is_deleted(body):
    lee = UserFactory(email="lee@example.com")
    response = _delete(_signed_in(lee), body)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    lee.refresh_from_db()
    assert lee.deleted_at is None and lee.is_active


def test_a_token_cannot_delete_the_account():
    """A leaked script token must not be able to end a person's account: sessions only."""
    lee = UserFactory(email="lee@example.com")
    _, secret = services.api_token_create(user=lee, name="script")
    response = _delete(Client(), {"confirm": "DELETE"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code in (401, 403)
    assert response.json()["detail"]
    assert User.objects.get(pk=lee.pk).deleted_at is None
    assert ApiToken.objects.filter(user=lee).exists()


def test_a_coordinator_removes_a_members_personal_data_on_request():
    community = CommunityFactory(slug="psy")
    cora = UserFactory(email="cora@example.com")
    MembershipFactory(community=community, user=cora, role=Role.COORDINATOR)
    lee = UserFactory(email="lee@example.com", name="Lee Leaver")
    membership = MembershipFactory(community=community, user=lee, role=Role.MEMBER)
    path = f"/api/v1/communities/psy/members/{membership.pk}/erase"
    client = _signed_in(cora)

    blank = client.post(path, data=json.dumps({"reason": "  "}), content_type="application/json")
    assert blank.status_code == 422 and User.objects.get(pk=lee.pk).deleted_at is None

    response = client.post(path, data=json.dumps({"reason": "Asked by letter"}), content_type="application/json")
    assert response.status_code == 204
    lee.refresh_from_db()
    assert lee.deleted_at is not None and lee.display_name == User.FORMER_MEMBER
    entry = AuditEntry.objects.get(action="personal_data_removed")
    assert entry.actor == cora and entry.community == community and entry.target == lee
    assert "Asked by letter" in json.dumps(entry.detail, ensure_ascii=False)


def test_a_coordinator_cannot_erase_another_coordinator_or_themself():
    community = CommunityFactory(slug="psy")
    cora = UserFactory(email="cora@example.com")
    cora_m = MembershipFactory(community=community, user=cora, role=Role.COORDINATOR)
    dev = UserFactory(email="dev@example.com")
    dev_m = MembershipFactory(community=community, user=dev, role=Role.COORDINATOR)
    client = _signed_in(cora)
    for membership in (cora_m, dev_m):
        response = client.post(
            f"/api/v1/communities/psy/members/{membership.pk}/erase",
            data=json.dumps({"reason": "Asked"}),
            content_type="application/json",
        )
        assert response.status_code == 409
        assert response.json()["detail"]
    assert User.objects.filter(deleted_at__isnull=False).count() == 0
