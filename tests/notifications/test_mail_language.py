"""Mail in the recipient's language: their profile's, else the site's (never the sender's)."""

from __future__ import annotations

import pytest
from django.utils import translation

from convene.accounts.services import profile_update
from convene.communities.models import Role
from convene.discussions import services as discussions
from convene.notifications import mail
from convene.notifications.models import Notification
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

from .smtp import smtp_server  # noqa: F401 - the real SMTP server fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def thread_people():
    community = CommunityFactory(slug="wards", name="Ward nurses")
    author = UserFactory(email="ben@example.org", name="Ben Novak")
    zh = UserFactory(email="li@example.org", name="李娜")
    en = UserFactory(email="ann@example.org", name="Ann Lee")
    for user in (author, zh, en):
        MembershipFactory(community=community, user=user, role=Role.MEMBER)
    profile_update(user=zh, language="zh-hans")
    thread = discussions.thread_create(community=community, author=author, title="Night rota", body="Who can swap?")
    return thread, author, zh, en


def _mention(user) -> str:
    return f"@[{user.display_name}](user:{user.pk})"


def test_a_mention_mail_is_in_each_recipients_language(smtp_server, thread_people):  # noqa: F811
    thread, author, zh, en = thread_people
    # The author writes from an English page; each recipient still reads their own language.
    with translation.override("en"):
        discussions.post_add(thread=thread, author=author, body=f"{_mention(zh)} {_mention(en)} can you?")
    [chinese] = smtp_server.to("li@example.org")
    assert chinese["Subject"].strip() == "[Convene] Ben Novak 在“Night rota”中提及了您"
    text = chinese.get_body(("plain",)).get_content()
    html = chinese.get_body(("html",)).get_content()
    for part in (text, html):
        assert "提及您的内容" in part  # the kind's label
        assert "退订这些电子邮件" in part
        assert "mentioned you" not in part and "Unsubscribe" not in part
    assert '<html lang="zh-hans">' in html
    [english] = smtp_server.to("ann@example.org")
    assert english["Subject"].strip() == "[Convene] Ben Novak mentioned you in “Night rota”"
    assert "Mentions of you" in english.get_body(("plain",)).get_content()
    # The notification list shows each person the same words as their mail.
    assert Notification.objects.get(recipient=zh).text == "Ben Novak 在“Night rota”中提及了您"
    assert Notification.objects.get(recipient=en).text == "Ben Novak mentioned you in “Night rota”"


def test_a_chinese_sender_does_not_make_an_english_readers_mail_chinese(smtp_server, thread_people):  # noqa: F811
    thread, author, zh, en = thread_people
    with translation.override("zh-hans"):
        discussions.post_add(thread=thread, author=author, body=f"{_mention(en)} ok?")
    [english] = smtp_server.to("ann@example.org")
    assert english["Subject"].strip() == "[Convene] Ben Novak mentioned you in “Night rota”"
    assert "You get this because it concerns you in Convene." in english.get_body(("plain",)).get_content()


def test_a_digest_is_in_the_recipients_language_with_local_dates(smtp_server, thread_people):  # noqa: F811
    thread, author, zh, en = thread_people
    discussions.thread_follow(thread=thread, user=zh)
    discussions.post_add(thread=thread, author=author, body="Swapped, thanks.")  # a daily-digest kind
    run = mail.digest_run("daily")
    assert run.people == 1
    [digest] = smtp_server.to("li@example.org")
    assert digest["Subject"].strip() == "[Convene] 您的每日摘要：1 条通知"
    text = digest.get_body(("plain",)).get_content()
    assert "您关注的话题中的回复" in text and "月" in text and "日" in text  # "12月6日 03:00"
    assert "Your daily digest" not in text and "All your notifications" not in text
