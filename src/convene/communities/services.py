"""Write paths for communities: creation, joining, invitations, roles, glossary, audit."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from convene.accounts.models import User
from convene.core.errors import Conflict, Gone, InvalidInput, Unprocessable
from convene.core.portability import ImportRefused, community_export, community_import
from convene.core.text import clean_text, normalise_name
from convene.notifications.events import coordinator_ids, message_send, require_audience
from convene.notifications.outbox import item, mail_later
from convene.notifications.services import notify

from .models import (
    AuditEntry,
    Community,
    GlossaryTerm,
    Invitation,
    InvitationStatus,
    JoinRequest,
    Membership,
    RequestStatus,
    Role,
    TermMapping,
    Visibility,
)

RESERVED_SLUGS = {"new", "api", "admin", "accounts", "static"}


def audit(
    *,
    community: Community | None,
    actor: User | None,
    action: str,
    target: User | None = None,
    subject: str = "",
    **detail,
) -> None:
    """Record an administrative act (see AuditEntry). Never pass the content of anonymous contributions."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    AuditEntry.objects.create(
        community=community, actor=actor, action=action, target=target, subject=subject, detail=detail
    )


def _name(name: str | None) -> str:
    """A community's name is an identity: NFC, no bidi controls or invisible characters (core.text)."""
    cleaned = normalise_name(clean_text(name, field="name", limit=120, required=True))
    if not cleaned:
        raise InvalidInput("Name is required (it has no visible characters).", field="name")
    return cleaned


def _slug(slug: str | None, name: str) -> str:
    slug = slugify(slug or name)[:60]
    if not slug:
        raise InvalidInput("Choose a web address (slug) with letters or digits.", field="slug")
    if slug in RESERVED_SLUGS:
        raise Conflict(f"The address “{slug}” is reserved; choose another.", code="slug_taken", field="slug")
    return slug


@transaction.atomic
def community_create(
    *,
    creator: User,
    name: str,
    domain: str,
    slug: str | None = None,
    description: str = "",
    visibility: str = Visibility.PUBLIC,
) -> Community:
    name = _name(name)
    domain = clean_text(domain, field="domain", limit=200, required=True)
    description = clean_text(description, field="description", limit=5000)
    if visibility not in Visibility.values:
        raise InvalidInput("Visibility must be public or private.", field="visibility")
    slug = _slug(slug, name)
    if Community.objects.filter(slug=slug).exists():
        raise Conflict(f"A community already uses the address “{slug}”.", code="slug_taken", field="slug")
    try:
        with transaction.atomic():
            community = Community.objects.create(
                name=name, slug=slug, domain=domain, description=description, visibility=visibility
            )
    except IntegrityError:
        raise Conflict(f"A community already uses the address “{slug}”.", code="slug_taken", field="slug") from None
    Membership.objects.create(community=community, user=creator, role=Role.COORDINATOR)
    audit(community=community, actor=creator, action="community_created")
    return community


@transaction.atomic
def community_update(
    *,
    community: Community,
    actor: User,
    name: str | None = None,
    domain: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
) -> Community:
    changed = []
    if name is not None:
        community.name = _name(name)
        changed.append("name")
    if domain is not None:
        community.domain = clean_text(domain, field="domain", limit=200, required=True)
        changed.append("domain")
    if description is not None:
        community.description = clean_text(description, field="description", limit=5000)
        changed.append("description")
    if visibility is not None:
        if visibility not in Visibility.values:
            raise InvalidInput("Visibility must be public or private.", field="visibility")
        community.visibility = visibility
        changed.append("visibility")
    if changed:
        community.save(update_fields=changed)
        audit(community=community, actor=actor, action="community_updated", fields=changed)
    return community


@transaction.atomic
def community_delete(*, community: Community, actor: User) -> None:
    audit(community=community, actor=actor, action="community_deleted", slug=community.slug, name=community.name)
    community.delete()  # the entries stay, with no community (AuditEntry.community is SET_NULL)


def community_export_by(*, community: Community, actor: User) -> dict:
    """The community as an export file (core/portability.py), with an audit entry."""
    data = community_export(community)
    audit(community=community, actor=actor, action="community_exported", rows=len(data["objects"]))
    return data


def _emails_in(data: dict) -> set[str]:
    objects = data.get("objects") if isinstance(data, dict) else None
    return {
        str(item["fields"].get("email") or "").strip().lower()
        for item in objects or []
        if isinstance(item, dict) and item.get("model") == "accounts.user" and isinstance(item.get("fields"), dict)
    }


@transaction.atomic
def community_import_by(*, actor: User, data: dict, slug: str, name: str | None = None) -> Community:
    """Import an export as a NEW community on this site, which `actor` then coordinates.

    The same allow-list as `convene import` (core/portability.py). On top of it, since the
    person importing is not an operator: the file must come from a community of this site that
    `actor` coordinates, and every account of this site it names must be a member of that
    community, so a crafted file cannot put other people's names on contributions they never
    made. Refusals: 403 (not your community), 409 (address taken), 422 (the file, with the reason).
    """
    source_slug = data.get("community") if isinstance(data, dict) else None
    source = Community.objects.filter(slug=str(source_slug or "")[:60]).first()
    if source is None or not Membership.objects.filter(community=source, user=actor, role=Role.COORDINATOR).exists():
        raise PermissionDenied(
            "You can import only an export of a community of this site that you coordinate "
            f"(this file is from “{str(source_slug)[:60]}”)."
        )
    name = _name(name) if name else None
    slug = _slug(slug, name or source.name)
    if Community.objects.filter(slug=slug).exists():
        raise Conflict(f"A community already uses the address “{slug}”.", code="slug_taken", field="slug")
    known = set(
        User.objects.filter(email__in=_emails_in(data))
        .exclude(memberships__community=source)
        .values_list("email", flat=True)
    )
    if known:
        raise Unprocessable(
            f"The file names {len(known)} account(s) of this site that are not members of “{source.name}”; "
            "only that community's own members can be linked.",
            code="import_refused",
        )
    try:
        community_import(data, slug=slug, name=name, coordinator=actor)
    except ImportRefused as exc:
        raise Unprocessable(f"This file cannot be imported: {exc}", code="import_refused") from None
    community = Community.objects.get(slug=slug)
    audit(community=community, actor=actor, action="community_imported", source=source.slug)
    audit(community=source, actor=actor, action="community_copied", to=community.slug)
    return community


def _lock_memberships(community: Community):
    return Membership.objects.select_for_update().filter(community=community)


def _lock_for_change(community: Community, membership: Membership, actor: User) -> Membership:
    """Lock, in primary-key order, the changed membership, the actor's and every coordinator's.

    Two coordinators demoting each other at once then wait for one another instead of locking
    the same rows in opposite orders (a deadlock on PostgreSQL). The second to run sees the first
    one's change: if it took away the actor's coordinator role, or the community would be left
    without one, it is refused with 409.
    """
    rows = list(
        _lock_memberships(community)
        .filter(Q(pk=membership.pk) | Q(user=actor) | Q(role=Role.COORDINATOR))
        .order_by("pk")
    )
    target = next((m for m in rows if m.pk == membership.pk), None)
    if target is None:
        raise Conflict("This person is no longer a member of the community.", code="not_member")
    own = next((m for m in rows if m.user_id == actor.pk), None)
    if own is not None and own.role != Role.COORDINATOR and own.pk != target.pk:
        raise Conflict("You are no longer a coordinator of this community.", code="not_coordinator")
    return target


def _ensure_coordinator_remains(community: Community, leaving: Membership) -> None:
    if leaving.role != Role.COORDINATOR:
        return
    others = _lock_memberships(community).filter(role=Role.COORDINATOR).exclude(pk=leaving.pk)
    if not others.exists():
        raise Conflict(
            "A community always keeps at least one coordinator: make someone else coordinator first.",
            code="last_coordinator",
        )


@transaction.atomic
def membership_join_request(*, community: Community, user: User, message: str = "") -> JoinRequest:
    if not community.is_public:
        raise Conflict("This community is private: ask a coordinator for an invitation.", code="private")
    if Membership.objects.filter(community=community, user=user).exists():
        raise Conflict("You are already a member of this community.", code="already_member")
    message = clean_text(message, field="message", limit=1000)
    existing = JoinRequest.objects.filter(community=community, user=user, status=RequestStatus.PENDING).first()
    if existing:
        return existing  # asking twice is harmless
    join_request = JoinRequest.objects.create(community=community, user=user, message=message)
    notify(
        recipients=coordinator_ids(community),
        kind="membership.requested",
        obj=join_request,
        text=f"{user.display_name} asks to join {community.name}.",
        url=reverse("communities:requests", args=[community.slug]),
        community=community,
        actor=user,
    )
    return join_request


@transaction.atomic
def join_request_decide(*, join_request: JoinRequest, actor: User, approve: bool) -> JoinRequest:
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != RequestStatus.PENDING:
        raise Conflict("This request was already decided.", code="already_decided")
    join_request.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    if approve:
        Membership.objects.get_or_create(
            community=join_request.community, user=join_request.user, defaults={"role": Role.MEMBER}
        )
    audit(
        community=join_request.community,
        actor=actor,
        target=join_request.user,
        action="join_approved" if approve else "join_declined",
    )
    community = join_request.community
    notify(
        recipients=[join_request.user_id],
        kind="membership.decided",
        obj=join_request,
        text=f"Your request to join {community.name} was approved: welcome."
        if approve
        else f"Your request to join {community.name} was declined.",
        url=reverse("communities:detail", args=[community.slug]) if approve else reverse("communities:list"),
        community=community,
        actor=actor,
    )
    return join_request


@transaction.atomic
def invitation_create(*, community: Community, actor: User, email: str, role: str = Role.MEMBER) -> Invitation:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"“{email[:80]}” is not a valid email address.", field="email") from None
    if role not in Role.values:
        raise InvalidInput("Role must be guest, member or coordinator.", field="role")
    if Membership.objects.filter(community=community, user__email__iexact=email).exists():
        raise Conflict(f"{email} is already in this community.", code="already_member", field="email")
    invitation = Invitation.objects.create(community=community, email=email, role=role, invited_by=actor)
    audit(community=community, actor=actor, action="invitation_sent", email=email, role=role)
    _mail_invitation(invitation)
    return invitation


def _mail_invitation(invitation: Invitation) -> None:
    """The invitation mail, sent by the worker after the commit (outbox), never in the request."""
    link = settings.SITE_URL.rstrip("/") + reverse("communities:invitation", args=[invitation.token])
    inviter = invitation.invited_by.display_name if invitation.invited_by else "A coordinator"
    mail_later(
        [
            item(
                to=invitation.email,
                subject=f"Invitation to {invitation.community.name}",
                body=(
                    f"{inviter} invites you to join “{invitation.community.name}” on Convene "
                    f"as {Role(invitation.role).label.lower()}.\n\nAccept here (valid until "
                    f"{invitation.expires_at:%d %B %Y}):\n{link}\n"
                ),
            )
        ]
    )


def invitation_by_token(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("community").filter(token=str(token)[:64]).first()
    if invitation is None:
        raise Http404("This invitation link is not valid.")
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == InvitationStatus.REVOKED:
        raise Gone("This invitation was withdrawn by a coordinator.", code="invitation_revoked")
    if invitation.status == InvitationStatus.ACCEPTED:
        if invitation.accepted_by_id == user.pk:
            return Membership.objects.get(community=invitation.community, user=user)
        raise Gone("This invitation was already used.", code="invitation_used")
    if invitation.expired:
        raise Gone("This invitation has expired: ask the coordinator for a new one.", code="invitation_expired")
    if invitation.email.lower() != user.email.lower():
        raise Conflict(
            f"This invitation was sent to another address. Log in as {invitation.email} to accept it.",
            code="wrong_account",
        )
    membership, created = Membership.objects.get_or_create(
        community=invitation.community, user=user, defaults={"role": invitation.role}
    )
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_by"])
    audit(community=invitation.community, actor=user, target=user, action="invitation_accepted", role=membership.role)
    if invitation.invited_by_id:  # the coordinator who sent it learns that it reached someone
        notify(
            recipients=[invitation.invited_by_id],
            kind="invitation.accepted",
            obj=invitation,
            text=f"{user.display_name} accepted your invitation and joined {invitation.community.name} "
            f"as {Role(membership.role).label.lower()}.",
            url=reverse("communities:members", args=[invitation.community.slug]),
            community=invitation.community,
            actor=user,
        )
    return membership


@transaction.atomic
def community_message_send(*, community: Community, actor: User, text: str, audience: str = "everyone") -> int:
    """A coordinator writes to every member of the community (guests included); returns how many
    people it reaches. Nobody sees anyone's address; the audit log records it, never the text."""
    require_audience("community", audience)
    reached = message_send(
        recipients=Membership.objects.filter(community=community).values_list("user_id", flat=True),
        kind="community.message",
        obj=community,
        sender=actor,
        about=f"everyone in {community.name}",
        text=text,
        url=reverse("communities:detail", args=[community.slug]),
        community=community,
    )
    audit(community=community, actor=actor, action="message_sent", audience=audience, recipients=reached)
    return reached


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    if invitation.status != InvitationStatus.PENDING:
        raise Conflict("Only pending invitations can be withdrawn.", code="not_pending")
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status"])
    audit(community=invitation.community, actor=actor, action="invitation_revoked", email=invitation.email)
    return invitation


@transaction.atomic
def membership_leave(*, community: Community, user: User) -> None:
    membership = _lock_memberships(community).filter(user=user).first()
    if membership is None:
        raise Conflict("You are not a member of this community.", code="not_member")
    _ensure_coordinator_remains(community, membership)
    membership.delete()
    audit(community=community, actor=user, target=user, action="member_left")


@transaction.atomic
def membership_remove(*, community: Community, actor: User, membership: Membership) -> None:
    membership = _lock_for_change(community, membership, actor)
    _ensure_coordinator_remains(community, membership)
    membership.delete()
    audit(community=community, actor=actor, target=membership.user, action="member_removed", role=membership.role)


@transaction.atomic
def membership_change_role(*, community: Community, actor: User, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise InvalidInput("Role must be guest, member or coordinator.", field="role")
    membership = _lock_for_change(community, membership, actor)
    if membership.role == role:
        return membership
    if role != Role.COORDINATOR:
        _ensure_coordinator_remains(community, membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit(community=community, actor=actor, target=membership.user, action="role_changed", old=old, new=role)
    return membership


@transaction.atomic
def glossary_term_save(
    *, community: Community, actor: User, term: str, definition: str, term_obj: GlossaryTerm | None = None
) -> GlossaryTerm:
    term = clean_text(term, field="term", limit=80, required=True)
    definition = clean_text(definition, field="definition", limit=2000, required=True)
    clash = GlossaryTerm.objects.filter(community=community, term__iexact=term)
    if term_obj is not None:
        clash = clash.exclude(pk=term_obj.pk)
    if clash.exists():
        raise Conflict(f"“{term}” is already in this glossary.", code="term_exists", field="term")
    if term_obj is None:
        term_obj = GlossaryTerm.objects.create(community=community, term=term, definition=definition)
    else:
        term_obj.term, term_obj.definition = term, definition
        term_obj.save(update_fields=["term", "definition", "updated_at"])
    audit(community=community, actor=actor, action="glossary_term_saved", subject=f"term:{term_obj.pk}", term=term)
    return term_obj


@transaction.atomic
def glossary_term_delete(*, term: GlossaryTerm, actor: User) -> None:
    audit(
        community=term.community, actor=actor, action="glossary_term_deleted", subject=f"term:{term.pk}", term=term.term
    )
    term.delete()


@transaction.atomic
def term_mapping_create(*, source: GlossaryTerm, target: GlossaryTerm, actor: User, note: str = "") -> TermMapping:
    if source.community_id == target.community_id:
        raise InvalidInput("Map a term to a term of another community.", field="target")
    note = clean_text(note, field="note", limit=300)
    if TermMapping.objects.filter(source=source, target=target).exists():
        raise Conflict("These two terms are already mapped.", code="mapping_exists")
    mapping = TermMapping.objects.create(source=source, target=target, note=note, created_by=actor)
    audit(
        community=source.community,
        actor=actor,
        action="term_mapping_created",
        subject=f"mapping:{mapping.pk}",
        from_term=source.term,
        to_term=target.term,
    )
    return mapping


@transaction.atomic
def term_mapping_delete(*, mapping: TermMapping, actor: User) -> None:
    audit(
        community=mapping.source.community, actor=actor, action="term_mapping_deleted", subject=f"mapping:{mapping.pk}"
    )
    mapping.delete()


def personal_data_erase(user: User) -> None:
    """Communities' part of leaving (core.hooks): memberships, join requests, invitations to the address.

    Refused while the person is the only coordinator of a community: it would be left without one.
    """
    memberships = list(Membership.objects.filter(user=user).select_related("community").order_by("pk"))
    for membership in memberships:
        _ensure_coordinator_remains(membership.community, membership)
    Membership.objects.filter(user=user).delete()
    JoinRequest.objects.filter(user=user, status=RequestStatus.PENDING).delete()
    JoinRequest.objects.filter(user=user).update(message="")
    Invitation.objects.filter(email__iexact=user.email).delete()
