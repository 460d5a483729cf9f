"""API routes about the caller: profile, diversity answers, tokens, personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth import logout
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from convene.core.api import ERRORS, SESSION_ONLY, VISIBLE_TEXT, WholeInt

from . import services
from .models import Seniority, TokenScope
from .selectors import my_data

router = Router(tags=["me"])

# A skill or interest tag (services.skill_names: at most 60 characters, something visible).
Tag = Annotated[str, Field(max_length=60, pattern=VISIBLE_TEXT)]
# The diversity attributes a member may answer (settings.DIVERSITY_ATTRIBUTES) and an answer's length.
DiversityAttribute = Literal[tuple(settings.DIVERSITY_ATTRIBUTES)]
DiversityAnswerText = Annotated[str, Field(max_length=80)]


class ProfileOut(Schema):
    email: str
    display_name: str
    discipline: str
    organisation: str
    seniority: str
    skills: list[str]
    interests: list[str]
    hours_per_month: int
    bio: str
    time_zone: str = Field(..., description="IANA time zone name; empty: the browser's, else the site's")


# The zones the service accepts, as a closed set in the schema (so a client can list them).
ZoneName = Literal[tuple(sorted(available_timezones() | {""}))]


class ProfilePatch(Schema):
    # The limits are the service's (services.profile_update).
    display_name: str | None = Field(None, max_length=80)
    discipline: str | None = Field(None, max_length=80)
    organisation: str | None = Field(None, max_length=120)
    seniority: Seniority | None = None
    skills: list[Tag] | None = Field(None, max_length=30)
    interests: list[Tag] | None = Field(None, max_length=30)
    hours_per_month: WholeInt | None = Field(None, ge=0, le=200)
    bio: str | None = Field(None, max_length=2000)
    time_zone: ZoneName | None = Field(
        None, description="An IANA time zone name such as Asia/Singapore; empty to clear"
    )


class DiversityIn(Schema):
    # services.diversity_answers_set: answers other than blanks are stored only with consent.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"properties": {"consent": {"const": True}}},
                {"properties": {"answers": {"additionalProperties": {"type": "string", "pattern": "^\\s*$"}}}},
            ]
        }
    )

    answers: dict[DiversityAttribute, DiversityAnswerText]
    consent: StrictBool


class DiversityOut(Schema):
    answers: dict[str, str]


class TokenIn(Schema):
    name: str = Field(..., max_length=200)
    scope: TokenScope = TokenScope.WRITE
    expires_in_days: WholeInt | None = Field(None, ge=1, le=3650, description="Days until it expires; none: never")


class AccountDeleteIn(Schema):
    confirm: Literal["DELETE"] = Field(..., description="The word DELETE, so that nothing is deleted by accident")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    active: bool
    scope: TokenScope
    expires_at: datetime | None


class TokenCreated(TokenOut):
    secret: str


def _profile_out(user) -> dict:
    profile = services.profile_for(user)
    return {
        "email": user.email,
        "display_name": profile.display_name,
        "discipline": profile.discipline,
        "organisation": profile.organisation,
        "seniority": profile.seniority,
        "skills": [s.name for s in profile.skills.all()],
        "interests": [s.name for s in profile.interests.all()],
        "hours_per_month": profile.hours_per_month,
        "bio": profile.bio,
        "time_zone": profile.time_zone,
    }


@router.get("/profile", response={200: ProfileOut, **ERRORS})
def get_profile(request):
    return _profile_out(request.user)


@router.patch("/profile", response={200: ProfileOut, **ERRORS})
def update_profile(request, payload: ProfilePatch):
    services.profile_update(user=request.user, **payload.dict(exclude_unset=True))
    return _profile_out(request.user)


@router.get("/diversity", response={200: DiversityOut, **ERRORS}, summary="Your own diversity answers (only you)")
def get_diversity(request):
    return {"answers": {a.attribute: a.value for a in request.user.diversity_answers.all()}}


@router.put("/diversity", response={200: DiversityOut, **ERRORS})
def set_diversity(request, payload: DiversityIn):
    stored = services.diversity_answers_set(user=request.user, answers=payload.answers, consent=payload.consent)
    return {"answers": {a.attribute: a.value for a in stored}}


@router.delete("/diversity", response={204: None, **ERRORS})
def delete_diversity(request):
    services.diversity_answers_delete(user=request.user)
    return Status(204, None)


@router.get("/tokens", response={200: list[TokenOut], **ERRORS})
def list_tokens(request):
    return list(request.user.api_tokens.all())


@router.post(
    "/tokens", response={201: TokenCreated, **ERRORS}, auth=SESSION_ONLY, summary="Create a token (session only)"
)
def create_token(request, payload: TokenIn):
    token, secret = services.api_token_create(
        user=request.user, name=payload.name, scope=payload.scope, expires_in_days=payload.expires_in_days
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})


@router.delete(
    "/tokens/{token_id}", response={204: None, **ERRORS}, auth=SESSION_ONLY, summary="Revoke a token (session only)"
)
def revoke_token(request, token_id: int):
    services.api_token_revoke(user=request.user, token_id=token_id)
    return Status(204, None)


@router.get("/data", response={200: dict, **ERRORS}, summary="Everything Convene holds about you")
def download_data(request):
    return my_data(request.user)


@router.delete(
    "/account",
    response={204: None, **ERRORS},
    auth=SESSION_ONLY,
    summary="Delete your account (session only; cannot be undone; contributions stay as a former member's)",
)
def delete_account(request, payload: AccountDeleteIn):
    services.account_delete(user=request.user)
    logout(request)
    return Status(204, None)
