from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from convene.communities import services
from convene.communities.models import AuditEntry, Community, Membership, Role
from convene.core.errors import Conflict, Gone, InvalidInput

from ..factories import CommunityFactory, MembershipFactory, TermFactory, UserFactory


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com")


def test_create_makes_creator_coordinator_and_audits(alice):
    community = services.community_create(creator=alice, name="Nurses  Who Code", domain="Automation on wards")
    assert community.slug == "nurses-who-code"
    assert Membership.objects.get(community=community, user=alice).role == Role.COORDINATOR
    assert AuditEntry.objects.filter(community=community, action="community_created").count() == 1


def test_duplicate_slug_is_a_conflict_and_changes_nothing(alice):
    services.community_create(creator=alice, name="Triage", domain="x")
    with pytest.raises(Conflict) as err:
        services.community_create(creator=alice, name="Other", slug="triage", domain="y")
    assert "triage" in err.value.message
    assert Community.objects.get(slug="triage").name == "Triage"


@pytest.mark.parametrize("field,value", [("name", "x" * 121), ("domain", "y" * 201), ("name", "   ")])
def test_bad_names_are_refused_with_field(alice, field, value):
    kwargs = {"name": "Fine", "domain": "fine", field: value}
    with pytest.raises(InvalidInput) as err:
        services.community_create(creator=alice, **kwargs)
    assert err.value.field == field
    assert not Community.objects.exists()


def test_reserved_slug_refused(alice):
    with pytest.raises(Conflict):
        services.community_create(creator=alice, name="New", domain="x")


def test_join_request_approval_flow(alice):
    community = services.community_create(creator=alice, name="Open", domain="x")
    bob = UserFactory(email="bob@example.com")
    request = services.membership_join_request(community=community, user=bob, message="Hi")
    again = services.membership_join_request(community=community, user=bob)
    assert again.pk == request.pk  # asking twice is harmless
    services.join_request_decide(join_request=request, actor=alice, approve=True)
    assert Membership.objects.get(community=community, user=bob).role == Role.MEMBER
    with pytest.raises(Conflict):
        services.join_request_decide(join_request=request, actor=alice, approve=False)
    assert AuditEntry.objects.filter(action="join_approved", target=bob).exists()


def test_private_community_refuses_join_requests(alice):
    community = services.community_create(creator=alice, name="Closed", domain="x", visibility="private")
    with pytest.raises(Conflict):
        services.membership_join_request(community=community, user=UserFactory())


def test_invitation_mail_accept_and_reuse(alice, django_capture_on_commit_callbacks):
    community = services.community_create(creator=alice, name="Closed", domain="x", visibility="private")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            community=community, actor=alice, email="Carol@Example.com", role=Role.GUEST
        )
    assert invitation.email == "carol@example.com"
    assert len(mail.outbox) == 1 and invitation.token in mail.outbox[0].body
    carol = UserFactory(email="carol@example.com")
    membership = services.invitation_accept(invitation=invitation, user=carol)
    assert membership.role == Role.GUEST
    assert services.invitation_accept(invitation=invitation, user=carol).pk == membership.pk  # idempotent
    with pytest.raises(Gone):
        services.invitation_accept(invitation=invitation, user=UserFactory(email="dan@example.com"))


def test_expired_and_wrong_account_invitations(alice):
    community = CommunityFactory()
    invitation = services.invitation_create(community=community, actor=alice, email="erin@example.com")
    with pytest.raises(Conflict):
        services.invitation_accept(invitation=invitation, user=UserFactory(email="frank@example.com"))
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    with pytest.raises(Gone) as err:
        services.invitation_accept(invitation=invitation, user=UserFactory(email="erin@example.com"))
    assert "expired" in err.value.message
    assert not Membership.objects.filter(community=community).exists()


def test_invalid_invitation_email(alice):
    with pytest.raises(InvalidInput):
        services.invitation_create(community=CommunityFactory(), actor=alice, email="not-an-email")


def test_last_coordinator_cannot_leave_demote_or_be_removed(alice):
    community = services.community_create(creator=alice, name="Solo", domain="x")
    mine = Membership.objects.get(community=community, user=alice)
    with pytest.raises(Conflict):
        services.membership_leave(community=community, user=alice)
    with pytest.raises(Conflict):
        services.membership_change_role(community=community, actor=alice, membership=mine, role=Role.MEMBER)
    with pytest.raises(Conflict):
        services.membership_remove(community=community, actor=alice, membership=mine)
    bob = MembershipFactory(community=community, role=Role.MEMBER)
    services.membership_change_role(community=community, actor=alice, membership=bob, role=Role.COORDINATOR)
    services.membership_leave(community=community, user=alice)
    assert list(community.memberships.values_list("role", flat=True)) == [Role.COORDINATOR]
    assert AuditEntry.objects.filter(action="role_changed", detail__new="coordinator").exists()


def test_glossary_duplicates_and_mappings(alice):
    a, b = CommunityFactory(), CommunityFactory()
    term = services.glossary_term_save(community=a, actor=alice, term="Client", definition="d")
    with pytest.raises(Conflict):
        services.glossary_term_save(community=a, actor=alice, term="client", definition="again")
    other = TermFactory(community=b, term="patient")
    mapping = services.term_mapping_create(source=term, target=other, actor=alice, note="same person")
    with pytest.raises(Conflict):
        services.term_mapping_create(source=term, target=other, actor=alice)
    with pytest.raises(InvalidInput):
        services.term_mapping_create(source=term, target=TermFactory(community=a), actor=alice)
    from convene.communities.selectors import mapping_table

    rows = mapping_table(b, a)
    assert [(r["ours"].term, r["theirs"].term) for r in rows] == [("patient", "Client")]
    assert mapping.note == "same person"
