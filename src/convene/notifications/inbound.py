"""Replies by e-mail: read an incoming message and post what the person wrote in its thread.

One path for both ways mail arrives: the SMTP server of `convene mail_inbound` (smtp_inbound.py) and
the provider webhook `POST /api/v1/mail/inbound` (api.py) call `inbound_receive`. It ignores
automatic mail (no envelope sender, `Auto-Submitted` other than `no`, `Precedence: bulk`...) so an
out-of-office answer or a bounce never becomes a post nor starts a loop, takes the text/plain part
(or the HTML one turned into text), cuts what the mail program quoted and the signature, and hands
the rest to `discussions.services.post_add_by_mail`, which checks the signed reply address.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser

from django.db import transaction
from django.utils.translation import gettext as _

from convene.discussions.replies import ReplyRefused, token_in
from convene.discussions.services import post_add_by_mail

__all__ = ["Received", "ReplyRefused", "inbound_receive", "is_automatic", "reply_text"]

# "On Mon, 7 Dec 2026 at 10:02, Convene <…> wrote:" and its usual translations.
_WROTE = re.compile(
    r"^\s*(On\s.+\swrote:|Le\s.+\sa\s+écrit\s*:|Am\s.+\sschrieb\s.+:|El\s.+\sescribió:|Op\s.+\sschreef\s.+:|.+写道[:：])\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(r"^\s*(-{2,}\s*Original Message\s*-{2,}|_{20,}|-{5,}\s*Forwarded message\s*-{5,})\s*$", re.I)
_SIGNATURE = {"-- ", "--"}
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


@dataclass
class Received:
    posts: list = field(default_factory=list)  # the posts made
    ignored: str = ""  # why nothing was posted, for automatic mail (accepted and dropped)


def is_automatic(message: EmailMessage, mail_from: str) -> str:
    """Why the message is automatic mail to drop silently (a bounce, an auto-reply), or ""."""
    if not (mail_from or "").strip().strip("<>").strip():
        return "empty envelope sender (a bounce)"
    auto = str(message.get("Auto-Submitted", "no")).split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if str(message.get("Precedence", "")).strip().lower() in _AUTOMATIC_PRECEDENCE:
        return "Precedence: " + str(message.get("Precedence")).strip().lower()
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "auto-reply header"
    return ""


class _Text(HTMLParser):
    """HTML to plain text: block elements start lines; quoted blocks, styles and scripts are dropped."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "ul", "ol", "table"}
    SKIP = {"blockquote", "style", "script", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """What the person wrote: lines up to "On … wrote:", an "Original Message" rule or a "-- "
    signature separator, without lines quoted with ">"."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if line in _SIGNATURE or line.rstrip() == "--" or _ORIGINAL.match(line) or _WROTE.match(line):
            break
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if line.lstrip().startswith("On ") and following.endswith("wrote:") and _WROTE.match(f"{line} {following}"):
            break  # the attribution line wrapped in two
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def reply_text(message: EmailMessage) -> str:
    """The new words of a reply: its text/plain part (or its HTML part as text), quotes cut."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError):  # an unknown charset or a broken encoding
        return ""
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return strip_quoted(content)


def parse(content: bytes | str) -> EmailMessage:
    if isinstance(content, str):
        return email.message_from_string(content, policy=policy.default)
    return email.message_from_bytes(content, policy=policy.default)


@transaction.atomic
def inbound_receive(*, content: bytes | str, mail_from: str, recipients: list[str]) -> Received:
    """Post the reply in the thread of each reply address among `recipients`.

    Automatic mail is accepted and dropped (`Received.ignored` says why). ReplyRefused (or a
    service's InvalidInput) when there is no reply address, the reply is empty once quotes are cut,
    or an address is forged, expired or no longer lets its person post: then nothing is posted.
    """
    message = parse(content)
    reason = is_automatic(message, mail_from)
    if reason:
        return Received(ignored=reason)
    tokens = [t for t in (token_in(r) for r in recipients) if t]
    if not tokens:
        raise ReplyRefused(_("None of the recipients is a Convene reply address."))
    text = reply_text(message)
    if not text:
        raise ReplyRefused(_("The reply is empty once the quoted mail is taken away."))
    senders = [mail_from, *(address for _name, address in getaddresses(message.get_all("From", [])))]
    posts = [post_add_by_mail(token=token, body=text, senders=senders) for token in dict.fromkeys(tokens)]
    return Received(posts=posts)
