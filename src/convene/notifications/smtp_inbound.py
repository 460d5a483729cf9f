"""The SMTP side of replies by e-mail: an aiosmtpd server that `convene mail_inbound` runs.

The reply domain's MX record points at it (or a relay in front of it forwards the domain to it).
Each recipient is checked as soon as the client names it (RCPT): an address that is not a reply
address, or whose token is forged, expired or no longer lets its person post, is refused with
550 and a reason. The message itself (DATA) goes through `inbound.inbound_receive`, as the
webhook's does; a refusal there is a 550 too, and automatic mail is accepted and dropped.
"""

from __future__ import annotations

import functools
import logging

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import connections
from django.utils.translation import gettext as _

from convene.core.errors import ServiceError
from convene.discussions.replies import ReplyRefused, reply_author_and_thread, token_in

from .inbound import inbound_receive

log = logging.getLogger(__name__)
DATA_SIZE_LIMIT = 10 * 1024 * 1024  # a reply with attachments; only its text is read


def _smtp_text(message: str) -> str:
    """One line of ASCII for an SMTP answer (reasons are translated text)."""
    return " ".join(str(message).split()).encode("ascii", "replace").decode("ascii")[:400]


def _closing_connections(function):
    """The handlers run in the one thread `sync_to_async` keeps for the life of the process; each
    closes that thread's database connection when it is done. A reply server is idle for hours
    between messages, so a kept connection would only go stale (and, in tests, keep the test
    database open after the server stopped, which PostgreSQL then refuses to drop)."""

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    return wrapped


@_closing_connections
def _check_recipient(address: str) -> None:
    token = token_in(address)
    if token is None:
        raise ReplyRefused(_("This address does not take mail: reply to a Convene notification instead."))
    reply_author_and_thread(token)


@_closing_connections
def _receive(content: bytes, mail_from: str, recipients: list[str]):
    return inbound_receive(content=content, mail_from=mail_from, recipients=recipients)


class InboundHandler:
    """aiosmtpd handler: refuse unknown recipients early, post replies on DATA."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            await sync_to_async(_check_recipient)(address)
        except ReplyRefused as exc:
            log.info("reply by mail refused at RCPT %s: %s", address, exc.message)
            return f"550 5.7.1 {_smtp_text(exc.message)}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        try:
            received = await sync_to_async(_receive)(content, envelope.mail_from or "", list(envelope.rcpt_tos))
        except (ReplyRefused, ServiceError) as exc:
            log.info("reply by mail refused: %s", exc.message)
            return f"550 5.7.1 {_smtp_text(exc.message)}"
        if received.ignored:
            log.info("automatic mail dropped: %s", received.ignored)
            return "250 OK: automatic mail, not posted"
        return f"250 OK: posted ({len(received.posts)})"


def inbound_controller(*, host: str, port: int) -> Controller:
    """A not yet started server for replies by mail on host:port."""
    return Controller(InboundHandler(), hostname=host, port=port, data_size_limit=DATA_SIZE_LIMIT)
