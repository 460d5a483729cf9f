"""API routes for communities, memberships, join requests, invitations and glossaries."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, StrictBool

from convene.accounts.services import member_personal_data_remove
from convene.core.api import ERRORS, OPTIONAL, VISIBLE_TEXT, Pagination, WholeInt
from convene.notifications.schemas import CommunityMessageIn, MessageOut

from . import services
from .models import GlossaryTerm, Invitation, JoinRequest, Membership, Role, TermMapping, Visibility
from .permissions import Need, community_for, visible_communities
from .selectors import glossary, join_request_in, mappings_from, member_directory, profile_public, term_in

router = Router(tags=["communities"])


class CommunityOut(Schema):
    slug: str
    name: str
    domain: str
    description: str
    visibility: Visibility
    created_at: datetime


# The address is slugify(slug or name): one of them needs a letter or digit that survives as ASCII.
_SLUGGABLE = (
    "[A-Za-z0-9\u00c0-\u00c5\u00c7-\u00cf\u00d1-\u00d6\u00d9-\u00dd"
    "\u00e0-\u00e5\u00e7-\u00ef\u00f1-\u00f6\u00f9-\u00fd\u00ff]"
)


class CommunityIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["slug"], "properties": {"slug": {"type": "string", "pattern": _SLUGGABLE}}},
                {"properties": {"slug": {"enum": ["", None]}, "name": {"pattern": _SLUGGABLE}}},
            ]
        }
    )

    # services._name: 1..120 characters, something visible.
    name: str = Field(..., min_length=1, max_length=120, pattern=VISIBLE_TEXT)
    domain: str = Field(..., min_length=1, max_length=200, pattern=VISIBLE_TEXT)
    slug: str | None = Field(None, max_length=200)
    description: str = Field("", max_length=20000)
    visibility: Visibility = Visibility.PUBLIC


class CommunityExport(Schema):
    """A community export file (`convene export`, core/portability.py): also the import's body."""

    format: str = Field(..., max_length=100, description="convene-community-export")
    version: WholeInt
    community: str = Field(..., max_length=200, description="the address (slug) of the exported community")
    exported_at: str | None = Field(None, max_length=100)
    objects: list[dict] = Field(..., description="rows by model, primary key and fields (an allow-list)")


class ImportTarget(Schema):
    slug: str = Field(..., max_length=60, description="address of the new community")
    name: str | None = Field(
        None, min_length=1, max_length=120, pattern=VISIBLE_TEXT, description="its name (default: the exported one's)"
    )


class CommunityPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120, pattern=VISIBLE_TEXT)
    domain: str | None = Field(None, min_length=1, max_length=200, pattern=VISIBLE_TEXT)
    description: str | None = Field(None, max_length=20000)
    visibility: Visibility | None = None


class MemberOut(Schema):
    id: int
    user_id: int
    role: Role
    joined_at: datetime
    profile: dict


class CommunityRoleIn(Schema):
    role: Role


class JoinRequestIn(Schema):
    message: str = Field("", max_length=5000)


class JoinRequestOut(Schema):
    id: int
    user_id: int
    message: str
    status: str
    created_at: datetime


class DecisionIn(Schema):
    approve: StrictBool


class InvitationIn(Schema):
    email: str = Field(..., max_length=254)
    role: Role = Role.MEMBER


class CommunityInvitationOut(Schema):
    id: int
    email: str
    role: Role
    status: str
    expires_at: datetime


class TermIn(Schema):
    term: str = Field(..., max_length=500)
    definition: str = Field(..., max_length=10000)


class TermOut(Schema):
    id: int
    term: str
    definition: str


class MappingIn(Schema):
    source_term_id: WholeInt
    target_term_id: WholeInt
    note: str = Field("", max_length=1000)


class MappingOut(Schema):
    id: int
    source_term_id: int
    source_term: str
    source_community: str
    target_term_id: int
    target_term: str
    target_community: str
    note: str


class AuditOut(Schema):
    id: int
    action: str
    actor_id: int | None
    target_id: int | None
    subject: str
    detail: dict
    created_at: datetime


def _member_out(m: Membership) -> dict:
    return {
        "id": m.pk,
        "user_id": m.user_id,
        "role": m.role,
        "joined_at": m.joined_at,
        "profile": profile_public(m.user.profile),
    }


def _mapping_out(m: TermMapping) -> dict:
    return {
        "id": m.pk,
        "source_term_id": m.source_id,
        "source_term": m.source.term,
        "source_community": m.source.community.slug,
        "target_term_id": m.target_id,
        "target_term": m.target.term,
        "target_community": m.target.community.slug,
        "note": m.note,
    }


def _membership(community, membership_id) -> Membership:
    membership = Membership.objects.select_related("user").filter(community=community, pk=membership_id).first()
    if membership is None:
        raise Http404("No such membership in this community.")
    return membership


@router.get("/", response=list[CommunityOut], auth=OPTIONAL, summary="Communities you can see")
@paginate(Pagination)
def list_communities(request):
    return visible_communities(request.user).order_by("name")


@router.post("/", response={201: CommunityOut, **ERRORS}, summary="Create a community (you become its coordinator)")
def create_community(request, payload: CommunityIn):
    community = services.community_create(creator=request.user, **payload.dict())
    return Status(201, community)


@router.post(
    "/import",
    response={201: CommunityOut, **ERRORS},
    summary="Import an export of a community you coordinate as a new community (you coordinate it)",
)
def import_community(request, payload: CommunityExport, target: Query[ImportTarget]):
    community = services.community_import_by(
        actor=request.user, data=payload.dict(), slug=target.slug, name=target.name
    )
    return Status(201, community)


@router.get("/{slug}/export", response={200: CommunityExport, **ERRORS}, summary="Export the community as JSON")
def export_community(request, slug: str):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    return services.community_export_by(community=community, actor=request.user)


@router.get("/{slug}", response={200: CommunityOut, **ERRORS}, auth=OPTIONAL)
def get_community(request, slug: str):
    return community_for(request.user, slug)


@router.patch("/{slug}", response={200: CommunityOut, **ERRORS})
def update_community(request, slug: str, payload: CommunityPatch):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    return services.community_update(community=community, actor=request.user, **payload.dict(exclude_unset=True))


@router.delete("/{slug}", response={204: None, **ERRORS})
def delete_community(request, slug: str):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    services.community_delete(community=community, actor=request.user)
    return Status(204, None)


@router.get("/{slug}/members", response={200: list[MemberOut], **ERRORS})
@paginate(Pagination)
def list_members(request, slug: str, q: str = "", skill: str = "", discipline: str = "", organisation: str = ""):
    community = community_for(request.user, slug, need=Need.MEMBER)
    return [
        _member_out(m)
        for m in member_directory(
            community, q=q[:100], skill=skill[:60], discipline=discipline[:80], organisation=organisation[:120]
        )
    ]


@router.get("/{slug}/members/{membership_id}", response={200: MemberOut, **ERRORS})
def get_member(request, slug: str, membership_id: int):
    community = community_for(request.user, slug, need=Need.MEMBER)
    return _member_out(_membership(community, membership_id))


@router.patch("/{slug}/members/{membership_id}", response={200: MemberOut, **ERRORS})
def change_role(request, slug: str, membership_id: int, payload: CommunityRoleIn):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    membership = services.membership_change_role(
        community=community, actor=request.user, membership=_membership(community, membership_id), role=payload.role
    )
    return _member_out(membership)


@router.delete("/{slug}/members/{membership_id}", response={204: None, **ERRORS})
def remove_member(request, slug: str, membership_id: int):
    community = community_for(request.user, slug, need=Need.GUEST)
    membership = _membership(community, membership_id)
    if membership.user_id == request.user.pk:
        services.membership_leave(community=community, user=request.user)
    else:
        community = community_for(request.user, slug, need=Need.COORDINATOR)
        services.membership_remove(community=community, actor=request.user, membership=membership)
    return Status(204, None)


class PersonalDataRemoveIn(Schema):
    # The service's limit (accounts.services.member_personal_data_remove); kept in the audit entry.
    reason: str = Field(..., max_length=200, pattern=VISIBLE_TEXT, description="How the person asked (audited)")


@router.post(
    "/{slug}/members/{membership_id}/erase",
    response={204: None, **ERRORS},
    summary="Remove a member's personal data at their request (audited; cannot be undone)",
)
def erase_member(request, slug: str, membership_id: int, payload: PersonalDataRemoveIn):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    membership = _membership(community, membership_id)
    member_personal_data_remove(community=community, actor=request.user, membership=membership, reason=payload.reason)
    return Status(204, None)


@router.post("/{slug}/join-requests", response={201: JoinRequestOut, **ERRORS})
def request_to_join(request, slug: str, payload: JoinRequestIn):
    community = community_for(request.user, slug)
    return Status(
        201, services.membership_join_request(community=community, user=request.user, message=payload.message)
    )


@router.get("/{slug}/join-requests", response={200: list[JoinRequestOut], **ERRORS})
@paginate(Pagination)
def list_join_requests(request, slug: str):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    return JoinRequest.objects.filter(community=community, status="pending")


@router.post("/{slug}/join-requests/{request_id}/decision", response={200: JoinRequestOut, **ERRORS})
def decide_join_request(request, slug: str, request_id: int, payload: DecisionIn):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    join_request = join_request_in(community, request_id)
    return services.join_request_decide(join_request=join_request, actor=request.user, approve=payload.approve)


@router.get("/{slug}/invitations", response={200: list[CommunityInvitationOut], **ERRORS})
@paginate(Pagination)
def list_invitations(request, slug: str):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    return Invitation.objects.filter(community=community)


@router.post("/{slug}/invitations", response={201: CommunityInvitationOut, **ERRORS})
def invite(request, slug: str, payload: InvitationIn):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    invitation = services.invitation_create(
        community=community, actor=request.user, email=payload.email, role=payload.role
    )
    return Status(201, invitation)


@router.post("/{slug}/messages", response={201: MessageOut, **ERRORS}, summary="Write to every member")
def community_message(request, slug: str, payload: CommunityMessageIn):
    """A coordinator writes to every member; each gets a notification (mail or digest as they
    chose), and nobody sees anyone's address."""
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    sent = services.community_message_send(
        community=community, actor=request.user, audience=payload.audience, text=payload.text
    )
    return Status(201, {"sent": sent, "text": payload.text.strip()})


@router.get("/{slug}/glossary", response={200: list[TermOut], **ERRORS})
@paginate(Pagination)
def list_terms(request, slug: str):
    community = community_for(request.user, slug, need=Need.GUEST)
    return glossary(community)


@router.post("/{slug}/glossary", response={201: TermOut, **ERRORS})
def add_term(request, slug: str, payload: TermIn):
    community = community_for(request.user, slug, need=Need.MEMBER)
    return Status(201, services.glossary_term_save(community=community, actor=request.user, **payload.dict()))


@router.get("/{slug}/glossary/{term_id}", response={200: TermOut, **ERRORS})
def get_term(request, slug: str, term_id: int):
    community = community_for(request.user, slug, need=Need.GUEST)
    return term_in(community, term_id)


@router.put("/{slug}/glossary/{term_id}", response={200: TermOut, **ERRORS})
def update_term(request, slug: str, term_id: int, payload: TermIn):
    community = community_for(request.user, slug, need=Need.MEMBER)
    return services.glossary_term_save(
        community=community, actor=request.user, term_obj=term_in(community, term_id), **payload.dict()
    )


@router.delete("/{slug}/glossary/{term_id}", response={204: None, **ERRORS})
def delete_term(request, slug: str, term_id: int):
    community = community_for(request.user, slug, need=Need.MEMBER)
    services.glossary_term_delete(term=term_in(community, term_id), actor=request.user)
    return Status(204, None)


@router.get("/{slug}/mappings", response={200: list[MappingOut], **ERRORS})
@paginate(Pagination)
def list_mappings(request, slug: str):
    community = community_for(request.user, slug, need=Need.GUEST)
    seen = set(visible_communities(request.user).values_list("pk", flat=True))
    return [_mapping_out(m) for m in mappings_from(community, seen=seen)]


@router.post("/{slug}/mappings", response={201: MappingOut, **ERRORS})
def add_mapping(request, slug: str, payload: MappingIn):
    community = community_for(request.user, slug, need=Need.MEMBER)
    source = term_in(community, payload.source_term_id)
    target = GlossaryTerm.objects.select_related("community").filter(pk=payload.target_term_id).first()
    if target is None:
        raise Http404("No such target term.")
    community_for(request.user, target.community.slug)  # the target must be visible to the caller
    mapping = services.term_mapping_create(source=source, target=target, actor=request.user, note=payload.note)
    return Status(201, _mapping_out(mapping))


@router.get("/{slug}/audit", response={200: list[AuditOut], **ERRORS})
@paginate(Pagination)
def list_audit(request, slug: str):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    return community.audit_entries.all()
