"""Signed reply addresses (discussions/replies.py): compact, bound to one person and one thread,
refused when forged, damaged or expired, and only for people who may still post in the thread."""

from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings
from django.utils import timezone

from convene.communities.models import Membership, Role
from convene.discussions import replies, services
from convene.discussions.models import Post

from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    community = CommunityFactory(slug="psy")
    ana = UserFactory(email="ana@example.com", name="Ana Silva")
    MembershipFactory(community=community, user=ana, role=Role.MEMBER)
    return services.thread_create(community=community, author=ana, title="Rota", body="Who swaps?"), ana


def test_a_token_fits_a_local_part_even_for_the_largest_ids():
    token = replies.reply_token(2**63 - 1, 2**63 - 1, issued=2**40)
    assert len(replies.PREFIX + token) <= replies.LOCAL_PART_LIMIT
    assert token == token.lower() and "@" not in token
    assert replies.reply_target(token, now=2**40) == (2**63 - 1, 2**63 - 1)


def test_a_token_names_its_person_and_thread_and_survives_a_change_of_case():
    token = replies.reply_token(12, 345)
    assert replies.reply_target(token) == (12, 345)
    assert replies.reply_target(token.upper()) == (12, 345)


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # another MAC
        lambda t: "13." + t.split(".", 1)[1],  # another person with the first one's MAC
        lambda t: t.split(".")[0] + ".99." + ".".join(t.split(".")[2:]),  # another thread
        lambda t: t.rsplit(".", 1)[0],  # no MAC
        lambda t: "",
        lambda t: "x" * 200,
    ],
)
def test_a_forged_or_damaged_token_is_refused(damage):
    token = replies.reply_token(12, 345)
    with pytest.raises(replies.ReplyRefused, match="not one Convene wrote"):
        replies.reply_target(damage(token))


def test_a_token_expires_after_the_configured_days():
    issued = int(time.time()) - 31 * 86400
    token = replies.reply_token(12, 345, issued=issued)
    with pytest.raises(replies.ReplyRefused, match="expired"):
        replies.reply_target(token)
    with override_settings(CONVENE_REPLY_MAX_AGE_DAYS=60):
        assert replies.reply_target(token) == (12, 345)


def test_an_address_only_when_a_reply_domain_is_set():
    with override_settings(CONVENE_REPLY_DOMAIN=""):
        assert replies.reply_address(1, 2) is None
    with override_settings(CONVENE_REPLY_DOMAIN="reply.example.org"):
        address = replies.reply_address(1, 2)
        assert address.startswith("reply+") and address.endswith("@reply.example.org")
        assert replies.token_in(address.upper()) == address.split("+", 1)[1].split("@")[0]
        assert replies.token_in("reply+abc@elsewhere.example") is None
        assert replies.token_in("ana@reply.example.org") is None


def test_a_reply_by_mail_posts_as_the_person_with_the_web_s_effects(thread):
    thread, ana = thread
    ben = UserFactory(email="ben@example.com", name="Ben Novak")
    MembershipFactory(community=thread.community, user=ben, role=Role.MEMBER)
    token = replies.reply_token(ben.pk, thread.pk)
    post = services.post_add_by_mail(token=token, body=f"Me, @[Ana Silva](user:{ana.pk})", senders=[ben.email])
    assert post.author == ben and post.thread == thread
    assert ana.notifications.filter(kind="discussion.mention").exists()  # mentions work as on the web


def test_the_sender_must_be_the_person_or_one_of_their_verified_addresses(thread):
    thread, ana = thread
    token = replies.reply_token(ana.pk, thread.pk)
    with pytest.raises(replies.ReplyRefused, match="address the notification was sent to"):
        services.post_add_by_mail(token=token, body="Hi", senders=["eve@example.com"])
    EmailAddress.objects.create(user=ana, email="ana.work@example.com", verified=True)
    assert services.post_add_by_mail(token=token, body="Hi", senders=["ANA.WORK@example.com"]).author == ana


def test_no_reply_for_a_removed_member_a_closed_account_or_a_hidden_thread(thread):
    thread, ana = thread
    ben = UserFactory(email="ben@example.com")
    MembershipFactory(community=thread.community, user=ben, role=Role.MEMBER)
    cora = UserFactory(email="cora@example.com")
    MembershipFactory(community=thread.community, user=cora, role=Role.COORDINATOR)
    Membership.objects.filter(user=ben).delete()
    with pytest.raises(replies.ReplyRefused, match="no longer post"):
        services.post_add_by_mail(token=replies.reply_token(ben.pk, thread.pk), body="Hi")
    guest = UserFactory(email="gus@example.com")
    MembershipFactory(community=thread.community, user=guest, role=Role.GUEST)
    with pytest.raises(replies.ReplyRefused, match="no longer post"):
        services.post_add_by_mail(token=replies.reply_token(guest.pk, thread.pk), body="Hi")
    services.thread_hide(thread=thread, actor=cora, reason="Moved")
    with pytest.raises(replies.ReplyRefused):
        services.post_add_by_mail(token=replies.reply_token(ana.pk, thread.pk), body="Hi")
    with pytest.raises(replies.ReplyRefused, match="hidden"):  # a coordinator sees it but cannot reply
        services.post_add_by_mail(token=replies.reply_token(cora.pk, thread.pk), body="Hi")
    ana.is_active = False
    ana.save(update_fields=["is_active"])
    with pytest.raises(replies.ReplyRefused, match="closed"):
        services.post_add_by_mail(token=replies.reply_token(ana.pk, thread.pk), body="Hi")
    assert Post.objects.filter(thread=thread).count() == 1
    assert thread.last_post_at <= timezone.now()
