"""Signed reply addresses: `reply+<token>@<CONVENE_REPLY_DOMAIN>` names one person and one thread.

The token is `<user>.<thread>.<issued>.<mac>`: the two ids and the issue time in base 36, and the
first 80 bits of an HMAC over them (Django's `salted_hmac`, so keyed by SECRET_KEY with a salt of
its own) in lower-case base 32. Lower case throughout because mail servers may change the case of
a local part; at most 57 characters with the prefix, inside RFC 5321's 64. A token older than
CONVENE_REPLY_MAX_AGE_DAYS is refused, and so is any token whose MAC does not match: nobody can
write a working address for someone else or for another thread.
"""

from __future__ import annotations

import base64
import re
import time

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .permissions import Need, thread_for

SALT = "convene.discussions.reply-by-mail"
PREFIX = "reply+"
MAC_BYTES = 10  # 80 bits: 16 base-32 characters
LOCAL_PART_LIMIT = 64  # RFC 5321, 4.5.3.1.1
_TOKEN = re.compile(r"^([0-9a-z]{1,13})\.([0-9a-z]{1,13})\.([0-9a-z]{1,8})\.([a-z2-7]{16})$")


class ReplyRefused(Exception):
    """A reply by mail that cannot be posted; the message says why (it goes back in the SMTP answer)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _mac(payload: str) -> str:
    digest = salted_hmac(SALT, payload, algorithm="sha256").digest()[:MAC_BYTES]
    return base64.b32encode(digest).decode("ascii").lower()


def reply_token(user_id: int, thread_id: int, *, issued: int | None = None) -> str:
    issued = int(time.time()) if issued is None else int(issued)
    payload = f"{_b36(int(user_id))}.{_b36(int(thread_id))}.{_b36(issued)}"
    return f"{payload}.{_mac(payload)}"


def reply_address(user_id: int, thread_id: int) -> str | None:
    """The Reply-To of a mail to `user_id` about `thread_id`; None when replies by mail are off."""
    domain = settings.CONVENE_REPLY_DOMAIN
    if not domain:
        return None
    return f"{PREFIX}{reply_token(user_id, thread_id)}@{domain}"


def token_in(address: str) -> str | None:
    """The token of a reply address (`reply+TOKEN@domain`, any case), or None for another address."""
    address = (address or "").strip().strip("<>").lower()
    local, at, domain = address.rpartition("@")
    if not at or not local.startswith(PREFIX):
        return None
    wanted = settings.CONVENE_REPLY_DOMAIN
    if wanted and domain != wanted:
        return None
    return local.removeprefix(PREFIX)


def reply_target(token: str, *, now: float | None = None) -> tuple[int, int]:
    """(user id, thread id) of a token; ReplyRefused for a damaged, forged or expired one."""
    match = _TOKEN.match((token or "").strip().lower())
    if not match:
        raise ReplyRefused(_("This reply address is not one Convene wrote."))
    user, thread, issued, mac = match.groups()
    if not constant_time_compare(mac, _mac(f"{user}.{thread}.{issued}")):
        raise ReplyRefused(_("This reply address is not one Convene wrote."))
    age = (time.time() if now is None else now) - int(issued, 36)
    if age > settings.CONVENE_REPLY_MAX_AGE_DAYS * 86400:
        raise ReplyRefused(_("This reply address has expired: reply on the website instead."))
    if age < -300:  # issued in the future: a clock far off or a made-up time
        raise ReplyRefused(_("This reply address is not one Convene wrote."))
    return int(user, 36), int(thread, 36)


def _may_send_as(user, senders: list[str]) -> bool:
    """True when one of the mail's sender addresses is the person's (their login address or another
    verified address of theirs): a forwarded notification mail does not let someone else reply."""
    senders = {s.strip().strip("<>").lower() for s in senders if s and "@" in s}
    if not senders:
        return False
    if (user.email or "").lower() in senders:
        return True
    known = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return any(address.lower() in senders for address in known)


def reply_author_and_thread(token: str, *, senders: list[str] | None = None):
    """(author, thread) a reply by mail would post as and in, after the same checks as the web's.

    ReplyRefused when the token is bad or expired, the account is gone, the mail comes from an
    address not the person's (when `senders` is given), or the person may no longer post there (no
    longer a member, the thread hidden or in a community they cannot see).
    """
    user_id, thread_id = reply_target(token)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ReplyRefused(_("The account this reply address belongs to is closed."))
    if senders is not None and not _may_send_as(user, senders):
        raise ReplyRefused(_("Reply from the address the notification was sent to."))
    try:
        thread = thread_for(user, thread_id, need=Need.MEMBER)
    except (Http404, PermissionDenied):
        raise ReplyRefused(_("You can no longer post in this thread.")) from None
    if thread.is_hidden:
        raise ReplyRefused(_("This thread is hidden: it takes no replies."))
    return user, thread
