"""Community pages: the main actions through real form posts."""

import pytest

from convene.communities.models import AuditEntry, JoinRequest, Membership

pytestmark = pytest.mark.django_db


def test_join_request_then_approval_through_pages(world):
    outsider = world.client("outsider")
    response = outsider.post("/c/pub/join/", {"message": "I work nights on the ward."}, follow=True)
    assert "sent to the coordinators" in response.content.decode()
    request = JoinRequest.objects.get(user=world.users["outsider"])
    page = world.client("coordinator").get("/c/pub/requests/").content.decode()
    assert "I work nights on the ward." in page
    world.client("coordinator").post("/c/pub/requests/", {"request": request.pk, "decision": "approve"})
    assert Membership.objects.filter(community=world.public, user=world.users["outsider"], role="member").exists()
    home = world.client("coordinator").get("/").content.decode()
    assert "join request" not in home.lower()  # nothing left waiting


def test_directory_search_by_skill_and_discipline(world):
    from convene.accounts.services import profile_update

    profile_update(user=world.users["member"], discipline="Social work", skills="housing, safeguarding")
    client = world.client("member")
    by_skill = client.get("/c/pub/members/?skill=housing").content.decode()
    assert "Mia Member" in by_skill and "Cora Coordinator" not in by_skill
    by_discipline = client.get("/c/pub/members/?discipline=social").content.decode()
    assert "Mia Member" in by_discipline
    assert "Fewer than 5 people found" in client.get("/c/pub/members/?q=nobody-like-this").content.decode()


def test_create_community_form_keeps_input_on_error(world):
    client = world.client("member")
    response = client.post(
        "/communities/new/", {"name": "Public Practice", "slug": "pub", "domain": "typed text", "visibility": "public"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "already uses the address" in html and "typed text" in html


def test_last_coordinator_cannot_leave_via_page(world):
    response = world.client("coordinator").post("/c/priv/leave/", follow=True)
    assert "at least one coordinator" in response.content.decode()
    assert Membership.objects.filter(community=world.private, user=world.users["coordinator"]).exists()


def test_role_change_is_audited_and_visible(world):
    membership = Membership.objects.get(community=world.public, user=world.users["member"])
    world.client("coordinator").post(f"/c/pub/members/{membership.pk}/role/", {"role": "coordinator"})
    assert AuditEntry.objects.filter(action="role_changed", target=world.users["member"]).exists()
    assert "Role changed" in world.client("coordinator").get("/c/pub/audit/").content.decode()


def test_expired_invitation_page_says_so(world):
    from datetime import timedelta

    from django.utils import timezone

    from convene.communities.models import Invitation

    invitation = Invitation.objects.create(
        community=world.private, email="late@example.com", expires_at=timezone.now() - timedelta(days=1)
    )
    html = world.client("outsider").get(f"/invitations/{invitation.token}/").content.decode()
    assert "expired" in html
    assert world.client("outsider").get("/invitations/not-a-real-token/").status_code == 404


def test_glossary_compare_page_lists_mappings(world):
    from convene.communities.models import TermMapping

    TermMapping.objects.create(
        source=world.objects["public_term"], target=world.objects["private_term"], note="same person"
    )
    html = world.client("member").get("/c/pub/glossary/compare/priv/").content.decode()
    assert "client" in html and "patient" in html and "same person" in html


def test_directory_query_count_does_not_grow_with_members(world, django_assert_max_num_queries):
    from ..factories import MembershipFactory, UserFactory

    for i in range(25):
        user = UserFactory(email=f"many{i}@example.com")
        MembershipFactory(community=world.public, user=user)
    client = world.client("member")
    client.get("/c/pub/members/")  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get("/c/pub/members/")
    assert response.content.decode().count("/c/pub/members/") >= 25
