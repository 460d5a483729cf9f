"""Replies by e-mail over a real SMTP conversation: the notification mail is caught by the test
sink (aiosmtpd), its Reply-To address is answered with smtplib to the inbound server
(`smtp_inbound.inbound_controller`, what `convene mail_inbound` runs) on 127.0.0.1, and the reply is
a post in the thread by the person who got the mail. Forged, expired and outsiders' addresses are
refused with 550; automatic mail is dropped; quotes and signatures are cut."""

from __future__ import annotations

import smtplib
import socket
import time
from email.message import EmailMessage

import pytest
from django.db import connection
from django.test import override_settings

from convene.communities.models import Membership, Role
from convene.discussions import replies, services
from convene.discussions.models import Post
from convene.notifications import inbound
from convene.notifications import services as notification_services
from convene.notifications.smtp_inbound import inbound_controller
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
DOMAIN = "reply.example.org"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbound_server():
    controller = inbound_controller(host="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with override_settings(CONVENE_REPLY_DOMAIN=DOMAIN):
            yield controller
    finally:
        controller.stop()


@pytest.fixture
def talk():
    community = CommunityFactory(slug="psy", name="Psychiatry")
    ana = UserFactory(email="ana@example.com", name="Ana Silva")
    ben = UserFactory(email="ben@example.com", name="Ben Novak")
    for user in (ana, ben):
        MembershipFactory(community=community, user=user, role=Role.MEMBER)
        notification_services.preferences_set(user=user, choices={"discussion.reply": "immediate"})
    thread = services.thread_create(community=community, author=ana, title="Night cover", body="Who can help?")
    return community, ana, ben, thread


def _send(server, *, to: str, sender: str, body: str, mail_from: str | None = None, **headers) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Re: [Convene] Night cover"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    with smtplib.SMTP(server.hostname, server.port, timeout=20) as client:
        client.send_message(message, from_addr=mail_from if mail_from is not None else sender)


def _reply_address(smtp_server, address: str) -> str:
    [mail] = smtp_server.to(address)
    return mail["Reply-To"].strip()


def test_a_reply_to_a_notification_mail_is_posted_in_its_thread_by_its_recipient(smtp_server, inbound_server, talk):
    community, ana, ben, thread = talk
    services.thread_follow(thread=thread, user=ben)
    services.post_add(thread=thread, author=ana, body="Tuesday is still open.")  # Ben follows: mailed at once
    reply_to = _reply_address(smtp_server, "ben@example.com")
    assert reply_to.startswith("reply+") and reply_to.endswith("@" + DOMAIN)
    assert len(reply_to.split("@")[0]) <= 64
    [mail] = smtp_server.to("ben@example.com")
    assert "Reply to this e-mail" in mail.get_body(("plain",)).get_content()

    body = (
        "I can take Tuesday.\n\nBen\n\nOn Sun, 6 Dec 2026 at 10:00, Convene <convene@localhost> wrote:\n"
        "> Ana Silva replied in “Night cover”\n> Open in Convene: http://x/\n"
    )
    _send(inbound_server, to=reply_to, sender="Ben Novak <ben@example.com>", body=body)
    post = Post.objects.filter(thread=thread).latest("pk")
    assert post.author == ben and post.body == "I can take Tuesday.\n\nBen"
    # The same effects as a reply on the web: Ana follows her thread and hears of it, by mail too.
    assert ana.notifications.filter(kind="discussion.reply", object_id=post.pk).exists()
    assert any("Ben Novak replied" in m["Subject"] for m in smtp_server.to("ana@example.com"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts the sessions PostgreSQL serves")
def test_the_server_keeps_no_database_connection_between_messages(inbound_server, talk):
    """The server's thread outlives every message; its connection is closed after each SMTP
    command, so none goes stale between messages hours apart (and a stopped server leaves no
    session behind: the one that kept CI's test databases from being dropped)."""
    community, ana, ben, thread = talk
    _send(inbound_server, to=replies.reply_address(ben.pk, thread.pk), sender="ben@example.com", body="Tuesday.")
    assert Post.objects.filter(thread=thread, author=ben).exists()
    others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    deadline = time.monotonic() + 10  # a backend leaves pg_stat_activity a moment after its client
    with connection.cursor() as cursor:
        while True:
            cursor.execute(others)
            count = cursor.fetchone()[0]
            if count == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert count == 0


def test_forged_expired_and_outsiders_addresses_are_refused_with_550(smtp_server, inbound_server, talk):
    community, ana, ben, thread = talk
    good = replies.reply_token(ben.pk, thread.pk)
    forged = good[:-1] + ("a" if good[-1] != "a" else "b")
    as_ana = replies.reply_token(ana.pk, thread.pk)[:-16] + good[-16:]  # Ben's MAC on Ana's address
    expired = replies.reply_token(ben.pk, thread.pk, issued=int(time.time()) - 40 * 86400)
    cases = {forged: "not one Convene wrote", as_ana: "not one Convene wrote", expired: "expired"}
    for token, reason in cases.items():
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            _send(inbound_server, to=f"reply+{token}@{DOMAIN}", sender="ben@example.com", body="Posting as Ana")
        [(code, text)] = refused.value.recipients.values()
        assert code == 550 and reason in text.decode(), text
    Membership.objects.filter(user=ben).delete()  # no longer a member: his own address stops working
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(inbound_server, to=f"reply+{good}@{DOMAIN}", sender="ben@example.com", body="Still here")
    [(code, text)] = refused.value.recipients.values()
    assert code == 550 and b"no longer post" in text
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        _send(inbound_server, to=f"someone@{DOMAIN}", sender="ben@example.com", body="Hello")
    assert Post.objects.filter(thread=thread).count() == 1


def test_a_reply_from_another_address_or_with_nothing_new_is_refused_at_data(inbound_server, talk):
    community, ana, ben, thread = talk
    address = f"reply+{replies.reply_token(ben.pk, thread.pk)}@{DOMAIN}"
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(inbound_server, to=address, sender="eve@example.com", body="I am Ben, honest")
    assert refused.value.smtp_code == 550 and b"address the notification was sent to" in refused.value.smtp_error
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(inbound_server, to=address, sender="ben@example.com", body="> only the quote\n-- \nBen")
    assert refused.value.smtp_code == 550 and b"empty" in refused.value.smtp_error
    assert Post.objects.filter(thread=thread).count() == 1


def test_automatic_mail_is_accepted_and_dropped_so_no_loop_starts(inbound_server, talk):
    community, ana, ben, thread = talk
    address = f"reply+{replies.reply_token(ben.pk, thread.pk)}@{DOMAIN}"
    _send(inbound_server, to=address, sender="ben@example.com", body="I am away.", Auto_Submitted="auto-replied")
    _send(inbound_server, to=address, sender="ben@example.com", body="I am away.", Precedence="bulk")
    _send(inbound_server, to=address, sender="mailer-daemon@example.com", body="Undeliverable", mail_from="")
    assert Post.objects.filter(thread=thread).count() == 1
    _send(inbound_server, to=address, sender="ben@example.com", body="Back now.", Auto_Submitted="no")
    assert Post.objects.filter(thread=thread).latest("pk").body == "Back now."


def test_no_reply_address_when_no_reply_domain_is_set(smtp_server, talk):
    community, ana, ben, thread = talk
    services.thread_follow(thread=thread, user=ben)
    with override_settings(CONVENE_REPLY_DOMAIN=""):
        services.post_add(thread=thread, author=ana, body="Tuesday?")
    [mail] = smtp_server.to("ben@example.com")
    assert mail["Reply-To"] is None
    assert "Reply to this e-mail" not in mail.get_body(("plain",)).get_content()


# ----------------------------------------------------------------------------- reading a reply


def _message(**parts) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "ben@example.com"
    if "plain" in parts:
        message.set_content(parts["plain"])
        if "html" in parts:
            message.add_alternative(parts["html"], subtype="html")
    else:
        message.set_content(parts["html"], subtype="html")
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes.\n\nOn Sun, 6 Dec 2026, Convene <c@x> wrote:\n> old", "Yes."),
        ("Yes.\nOn Sun, 6 Dec 2026 at 10:00, Convene Notifications\n<c@x> wrote:\n> old", "Yes."),
        ("Yes.\n> old\nAnd more.", "Yes.\nAnd more."),
        ("Yes.\n-- \nBen Novak\nWard 4", "Yes."),
        ("Yes.\n\n-----Original Message-----\nFrom: Convene", "Yes."),
        ("Oui.\n\nLe dim. 6 déc. 2026, Convene <c@x> a écrit :\n> old", "Oui."),
        ("好的。\n\n2026年12月6日 Convene <c@x> 写道：\n> old", "好的。"),
        ("On Friday I can come.\nThanks", "On Friday I can come.\nThanks"),  # not an attribution
    ],
)
def test_quotes_and_signatures_are_cut(text, expected):
    assert inbound.reply_text(_message(plain=text)) == expected


def test_an_html_only_reply_is_read_as_text_without_its_quote():
    html = (
        "<html><head><style>p{}</style></head><body><div>Yes, <b>Tuesday</b> &amp; Wednesday.</div>"
        "<div><br></div><div class='gmail_quote'>On Sun, 6 Dec 2026, Convene &lt;c@x&gt; wrote:"
        "<blockquote>Ana replied</blockquote></div></body></html>"
    )
    assert inbound.reply_text(_message(html=html)) == "Yes, Tuesday & Wednesday."
    assert inbound.reply_text(_message(plain="Plain wins.", html="<p>HTML</p>")) == "Plain wins."
