"""Reply by e-mail in the browser's company (issue 19): a member follows a thread in the browser;
another member replies in the browser; the follower's notification mail, caught by a real SMTP
server started here, carries a signed Reply-To; the follower answers it over SMTP to the inbound
server (what `convene mail_inbound` runs); the answer is in the thread in the browser; the follower
reacts to a post with the keyboard. axe-core on every page, at desktop width and at 390 px."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from playwright.sync_api import expect

from convene.communities.models import Role
from convene.discussions import services
from convene.discussions.models import Post, Reaction
from convene.notifications import services as notification_services
from convene.notifications.smtp_inbound import inbound_controller

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..notifications.smtp import Recorder, _free_port

DOMAIN = "reply.example.org"


@pytest.fixture
def mail_servers():
    """The outgoing sink (Django sends to it) and the inbound reply server, both on 127.0.0.1."""
    recorder = Recorder()
    sink = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    replies = inbound_controller(host="127.0.0.1", port=_free_port())
    sink.start()
    replies.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=sink.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=10,
            CONVENE_REPLY_DOMAIN=DOMAIN,
        ):
            yield recorder, replies
    finally:
        replies.stop()
        sink.stop()


@pytest.mark.django_db(transaction=True)
def test_a_follower_replies_by_mail_and_reacts_with_the_keyboard(journey, mail_servers):
    j = journey
    j.page.set_default_timeout(30_000)
    recorder, inbound = mail_servers
    community = CommunityFactory(slug="psy", name="Psychiatry network")
    lena = UserFactory(email="lena@example.com", name="Lena Ward")
    omar = UserFactory(email="omar@example.com", name="Omar Haddad")
    for user in (lena, omar):
        MembershipFactory(community=community, user=user, role=Role.MEMBER)
    notification_services.preferences_set(user=lena, choices={"discussion.reply": "immediate"})
    thread = services.thread_create(community=community, author=omar, title="Winter rota", body="Who covers the 24th?")

    # 1. Lena follows the thread in the browser
    j.login(lena)
    j.go(f"/discussions/{thread.pk}/")
    j.submit("Follow this thread")
    j.expect_text("You follow this thread")

    # 2. Omar replies in the browser
    j.login(omar)
    j.go(f"/discussions/{thread.pk}/")
    j.page.fill("#id_body", "I can do the morning of the 24th.")
    j.submit("Post the reply")
    j.expect_text("Your reply is posted")
    omars = Post.objects.filter(thread=thread, author=omar).latest("pk")

    # 3. Lena's mail went out at once and carries a signed reply address
    [mail] = recorder.to("lena@example.com")
    assert "Omar Haddad replied" in mail["Subject"]
    reply_to = mail["Reply-To"].strip()
    assert reply_to.startswith("reply+") and reply_to.endswith("@" + DOMAIN) and len(reply_to.split("@")[0]) <= 64
    text = mail.get_body(("plain",)).get_content()
    assert "Reply to this e-mail" in text

    # 4. She answers it from her mail program: a real SMTP conversation with the inbound server
    answer = EmailMessage()
    answer["From"] = "Lena Ward <lena@example.com>"
    answer["To"] = reply_to
    answer["Subject"] = "Re: " + mail["Subject"]
    answer["In-Reply-To"] = mail["Message-ID"]
    quoted = "\n".join("> " + line for line in text.splitlines())
    answer.set_content(f"Thanks Omar, I take the evening.\n\nOn Sun, 6 Dec 2026, Convene wrote:\n{quoted}\n")
    with smtplib.SMTP(inbound.hostname, inbound.port, timeout=20) as client:
        client.send_message(answer)
    lenas = Post.objects.filter(thread=thread, author=lena).get()
    assert lenas.body == "Thanks Omar, I take the evening."

    # 5. The answer is in the thread, in the browser, under her name
    j.login(lena)
    j.go(f"/discussions/{thread.pk}/")
    post = j.page.locator(f"#post-{lenas.pk}")
    expect(post).to_contain_text("Lena Ward")
    expect(post).to_contain_text("Thanks Omar, I take the evening.")

    # 6. She reacts to Omar's post with the keyboard: Tab onto the button, Space presses it (htmx)
    button = j.page.locator(f"#react-{omars.pk}-thumbs_up")
    expect(button).to_have_attribute("aria-pressed", "false")
    j.page.locator(f"#react-{omars.pk}-eyes").focus()
    for _ in range(5):  # eyes, thinking, smile, hooray, heart, thumbs up: one button each
        j.page.keyboard.press("Shift+Tab")
    assert j.page.evaluate("document.activeElement.id") == f"react-{omars.pk}-thumbs_up"
    j.page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_contain_text("1")
    assert j.page.evaluate("document.activeElement.id") == f"react-{omars.pk}-thumbs_up"  # focus kept
    assert Reaction.objects.filter(post=omars, user=lena, kind="thumbs_up").exists()
    j.check()

    # 7. Omar sees who reacted (on hover / title), and the page is fine on a phone
    j.login(omar)
    j.go(f"/discussions/{thread.pk}/")
    expect(j.page.locator(f"#react-{omars.pk}-thumbs_up")).to_have_attribute("title", "Lena Ward")
    j.page.set_viewport_size({"width": 390, "height": 844})
    j.check()
    assert j.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
