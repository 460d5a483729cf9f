"""API schemas of the coordinators' messages, shared by the session, project and community routes."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from convene.core.api import VISIBLE_TEXT

from .events import MESSAGE_LIMIT

MESSAGE_TEXT = Field(
    ...,
    min_length=1,
    max_length=MESSAGE_LIMIT,
    pattern=VISIBLE_TEXT,
    description="The message (plain text). Recipients see the sender's name and the message, never each other.",
)


class SessionMessageIn(Schema):
    audience: Literal["invited", "attending", "waitlisted"] = Field(
        "invited", description="Everyone invited, those who answered yes, or those on the waiting list."
    )
    text: str = MESSAGE_TEXT


class ProjectMessageIn(Schema):
    audience: Literal["team"] = "team"
    text: str = MESSAGE_TEXT


class CommunityMessageIn(Schema):
    audience: Literal["everyone"] = "everyone"
    text: str = MESSAGE_TEXT


class MessageOut(Schema):
    sent: int = Field(description="How many people the message reached (as notifications).")
    text: str = Field(description="The message as it was sent (trimmed).")
