"""POST /api/v1/mail/inbound: a mail provider hands over a reply by e-mail (the same reading and
checks as the SMTP server), authenticated by the shared secret alone; JSON answers throughout."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from django.test import Client, override_settings

from convene.communities.models import Role
from convene.discussions import replies, services
from convene.discussions.models import Post
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/mail/inbound"
SECRET = "s3cret-for-the-provider"


@pytest.fixture
def setup():
    community = CommunityFactory(slug="psy")
    ben = UserFactory(email="ben@example.com", name="Ben Novak")
    MembershipFactory(community=community, user=ben, role=Role.MEMBER)
    thread = services.thread_create(community=community, author=ben, title="Rota", body="Swaps?")
    with override_settings(CONVENE_REPLY_DOMAIN="reply.example.org", CONVENE_INBOUND_SECRET=SECRET):
        yield thread, ben, replies.reply_address(ben.pk, thread.pk)


def _payload(to, body="Friday works.\n\nOn Sun, Convene wrote:\n> Swaps?", sender="ben@example.com", **headers):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, "Re: Rota"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return {"sender": sender, "recipients": [to], "message": message.as_string()}


def _post(data, secret=SECRET, client=None):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return (client or Client()).post(URL, data, content_type="application/json", headers=headers)


def test_a_provider_posts_a_reply_with_the_secret(setup):
    thread, ben, address = setup
    answer = _post(_payload(address))
    assert answer.status_code == 200, answer.content
    [post_id] = answer.json()["posts"]
    post = Post.objects.get(pk=post_id)
    assert post.author == ben and post.thread == thread and post.body == "Friday works."


def test_without_the_secret_nothing_is_posted_even_for_a_logged_in_member(setup):
    thread, ben, address = setup
    client = Client()
    client.force_login(ben)
    for secret in ("", "wrong"):
        answer = _post(_payload(address), secret=secret, client=client)
        assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
    with override_settings(CONVENE_INBOUND_SECRET=""):
        answer = _post(_payload(address))
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert Post.objects.filter(thread=thread).count() == 1


def test_refusals_are_json_422_and_automatic_mail_is_ignored(setup):
    thread, ben, address = setup
    forged = address.replace("reply+", "reply+1")
    answer = _post(_payload(forged))
    assert answer.status_code == 422 and answer.json()["code"] == "reply_refused"
    assert "not one Convene wrote" in answer.json()["detail"]
    answer = _post(_payload(address, sender="eve@example.com"))
    assert answer.status_code == 422 and "address the notification was sent to" in answer.json()["detail"]
    answer = _post(_payload(address, Auto_Submitted="auto-replied"))
    assert answer.status_code == 200 and answer.json() == {"posts": [], "ignored": "Auto-Submitted: auto-replied"}
    answer = _post({"sender": "ben@example.com", "recipients": [], "message": "x"})
    assert answer.status_code == 422
    assert Post.objects.filter(thread=thread).count() == 1
