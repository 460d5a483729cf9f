"""Write paths for people: profiles, diversity answers (opt-in), API tokens."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.communities.models import Membership, Role
from convene.communities.services import audit
from convene.core.db import unique_or_none
from convene.core.errors import Conflict, InvalidInput
from convene.core.hooks import erase_personal_data
from convene.core.permissions import owned_or_404
from convene.core.text import clean_text, normalise_name

from .languages import is_language
from .models import ApiToken, DiversityAnswer, Profile, Seniority, Skill, TokenScope, User
from .zones import is_zone

logger = logging.getLogger(__name__)

MAX_TAGS = 30


def skill_names(raw: str | Iterable[str], *, field: str = "skills") -> list[str]:
    """Normalise free text ("Python, SQL;  pandas") into unique lower-case tags."""
    label = {"skills": _("Skills"), "interests": _("Interests")}.get(field) or field.replace("_", " ").capitalize()
    items = raw.replace(";", ",").split(",") if isinstance(raw, str) else list(raw)
    names: list[str] = []
    for item in items:
        name = " ".join(str(item).split()).lower()
        if not name:
            continue
        if len(name) > 60:
            raise InvalidInput(
                _("%(label)s: the tag “%(tag)s…” is longer than 60 characters.") % {"label": label, "tag": name[:20]},
                field=field,
            )
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise InvalidInput(
            _("%(label)s: at most %(limit)d tags, please.") % {"label": label, "limit": MAX_TAGS}, field=field
        )
    return names


def _skills(names: Iterable[str]) -> list[Skill]:
    return [Skill.objects.get_or_create(name=name)[0] for name in names]


def profile_for(user: User) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str | None = None,
    discipline: str | None = None,
    organisation: str | None = None,
    seniority: str | None = None,
    skills: Iterable[str] | str | None = None,
    interests: Iterable[str] | str | None = None,
    hours_per_month: int | None = None,
    bio: str | None = None,
    time_zone: str | None = None,
    language: str | None = None,
) -> Profile:
    profile = profile_for(user)
    limits = {"display_name": 80, "discipline": 80, "organisation": 120, "bio": 2000}
    labels = {
        "display_name": _("Display name"),
        "discipline": _("Practice / discipline"),
        "organisation": _("Organisation"),
        "bio": _("Bio"),
    }
    values = {
        "display_name": display_name,
        "discipline": discipline,
        "organisation": organisation,
        "bio": bio,
    }
    for field, value in values.items():
        if value is None:
            continue
        value = value.strip()
        if len(value) > limits[field]:
            raise InvalidInput(
                _("%(label)s is longer than %(limit)d characters.") % {"label": labels[field], "limit": limits[field]},
                field=field,
            )
        if field == "display_name" and value:
            value = normalise_name(value)  # an identity: no bidi overrides or invisible characters (core.text)
            if not value:
                raise InvalidInput(_("Display name has no visible characters."), field=field)
        setattr(profile, field, value)
    if seniority is not None:
        if seniority and seniority not in Seniority.values:
            raise InvalidInput(_("Unknown seniority band “%(band)s”.") % {"band": seniority}, field="seniority")
        profile.seniority = seniority
    if time_zone is not None:
        time_zone = time_zone.strip()
        if time_zone and not is_zone(time_zone):
            raise InvalidInput(
                _("Unknown time zone “%(zone)s”; use a name like Europe/London.") % {"zone": time_zone[:64]},
                field="time_zone",
            )
        profile.time_zone = time_zone
    if language is not None:
        language = language.strip()
        if language and not is_language(language):
            raise InvalidInput(
                _("Unknown language “%(code)s”; choose one of %(codes)s.")
                % {"code": language[:16], "codes": ", ".join(code for code, _name in settings.LANGUAGES)},
                field="language",
            )
        profile.language = language
    if hours_per_month is not None:
        if not 0 <= int(hours_per_month) <= 200:
            raise InvalidInput(_("Hours per month must be between 0 and 200."), field="hours_per_month")
        profile.hours_per_month = int(hours_per_month)
    profile.save()
    if skills is not None:
        profile.skills.set(_skills(skill_names(skills)))
    if interests is not None:
        profile.interests.set(_skills(skill_names(interests)))
    return profile


@transaction.atomic
def diversity_answers_set(*, user: User, answers: Mapping[str, str], consent: bool) -> list[DiversityAnswer]:
    """Replace the member's diversity answers. Without consent nothing is stored and old answers go."""
    known = settings.DIVERSITY_ATTRIBUTES
    unknown = set(answers) - set(known)
    if unknown:
        raise InvalidInput(_("Unknown attribute: %(names)s.") % {"names": ", ".join(sorted(unknown))}, field="answers")
    filled = {k: " ".join(v.split()) for k, v in answers.items() if v and v.strip()}
    for key, value in filled.items():
        if len(value) > 80:
            raise InvalidInput(_("%(label)s is longer than 80 characters.") % {"label": known[key]}, field=key)
    if filled and not consent:
        raise InvalidInput(_("Tick the consent box to store these answers, or leave them empty."), field="consent")
    DiversityAnswer.objects.filter(user=user).exclude(attribute__in=filled).delete()
    stored = []
    now = timezone.now()
    for key, value in filled.items():
        answer, _created = DiversityAnswer.objects.update_or_create(
            user=user, attribute=key, defaults={"value": value, "consented_at": now}
        )
        stored.append(answer)
    return stored


def diversity_answers_delete(*, user: User) -> int:
    deleted, _per_model = DiversityAnswer.objects.filter(user=user).delete()
    return deleted


TOKEN_LIFETIMES = (None, 30, 90, 365)  # days a token may live, chosen at creation (None: until revoked)


def api_token_create(
    *, user: User, name: str, scope: str = TokenScope.WRITE, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the token a name so you can recognise it later."), field="name")
    if len(name) > 60:
        raise InvalidInput(_("Token names are at most 60 characters."), field="name")
    if scope not in TokenScope.values:
        raise InvalidInput(_("Scope must be “read” or “write”."), field="scope")
    if expires_in_days is not None and not 1 <= int(expires_in_days) <= 3650:
        raise InvalidInput(_("A token lives between 1 and 3650 days (or until revoked)."), field="expires_in_days")
    now = timezone.now()
    expires_at = now + timedelta(days=int(expires_in_days)) if expires_in_days is not None else None
    secret = "cvn_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:10],
        key_hash=ApiToken.hash(secret),
        scope=scope,
        expires_at=expires_at,
        created_at=now,
    )
    audit(community=None, actor=user, action="token_created", subject=f"token:{token.pk}", scope=scope)
    return token, secret


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = owned_or_404(ApiToken.objects.filter(user=user), token_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])  # (the signal in apps.py drops the cached lookup)
        audit(community=None, actor=user, action="token_revoked", subject=f"token:{token.pk}")
    return token


def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every live token of `user` (on a password change or reset); how many were revoked."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    ids = list(live.values_list("pk", flat=True))
    if ids:
        ApiToken.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
        token_forget(*ApiToken.objects.filter(pk__in=ids).values_list("key_hash", flat=True))
        audit(community=None, actor=user, action="tokens_revoked", subject=f"user:{user.pk}", reason=reason, n=len(ids))
    return len(ids)


# token_for_secret keeps what it found in the shared cache for TOKEN_CACHE_SECONDS, so an API
# request does not read the token and its user from the database each time. What could make the
# entry wrong is dropped at once (`token_forget`): the token saved or deleted (revoked, touched),
# all a user's tokens revoked, the user saved or deleted (deactivated, made staff). Expiry is
# checked on every request against the cached `expires_at`, so an expired token is refused at
# the moment it expires. Keyed by the secret's hash, never by the secret.
TOKEN_CACHE_SECONDS = 60
_LOOKUP_KEY = "accounts:token:{}"


def token_forget(*key_hashes: str) -> None:
    """Drop the cached lookups of these tokens, now and again after the current transaction commits
    (a request that read the old row before the commit may have cached it meanwhile)."""
    keys = [_LOOKUP_KEY.format(h) for h in key_hashes]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def token_for_secret(secret: str) -> ApiToken | None:
    """The live (not revoked, not expired, active user) token with this secret, or None.

    From the cache when it was found in the last TOKEN_CACHE_SECONDS (see `token_forget`), else
    one query. Use is recorded at most once a minute per token.
    """
    if not secret or not secret.startswith("cvn_"):
        return None
    now = timezone.now()
    key_hash = ApiToken.hash(secret)
    key = _LOOKUP_KEY.format(key_hash)
    token = cache.get(key)
    if token is None:
        token = unique_or_none(  # key_hash is unique
            ApiToken.objects.select_related("user").filter(
                key_hash=key_hash, revoked_at__isnull=True, user__is_active=True
            )
        )
        if token is None:
            return None
        cache.set(key, token, timeout=TOKEN_CACHE_SECONDS)
    if token.expired:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        if api_token_touch(token_id=token.pk):  # a skipped record is tried again on the next use
            token.last_used_at = now
            cache.set(key, token, timeout=TOKEN_CACHE_SECONDS)
    return token


def user_for_token(secret: str) -> User | None:
    token = token_for_secret(secret)
    return token.user if token is not None else None


def api_token_touch(*, token_id: int) -> bool:
    """Record that a token was used (callers do it at most once a minute per token).

    Best effort: the request that used the token is usually a read, and must not fail or wait
    long because this write cannot be made. On SQLite another writer may hold the database's one
    write lock (readers go on in WAL mode): the update waits at most TOUCH_WAIT_MS, then is skipped.
    """
    try:
        with _short_lock_wait(), transaction.atomic():
            ApiToken.objects.filter(pk=token_id).update(last_used_at=timezone.now())
    except OperationalError as exc:
        logger.info("A token's last use was not recorded (%s).", exc)
        return False
    return True


TOUCH_WAIT_MS = 200


@contextmanager
def _short_lock_wait():
    """On SQLite, wait at most TOUCH_WAIT_MS for the write lock (then restore the connection's wait)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout={TOUCH_WAIT_MS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout={before}")


@transaction.atomic
def profile_fill_from_idp(*, user: User, display_name: str = "", organisation: str = "") -> Profile:
    """Fill the profile's empty display name and organisation from the identity provider's claims.
    What the member typed is never overwritten; over-long or invisible values are cut or skipped."""
    profile = profile_for(user)
    changes: dict[str, str] = {}
    if display_name and not profile.display_name:
        name = normalise_name(display_name[:80])
        if name:
            changes["display_name"] = name
    if organisation and not profile.organisation:
        org = normalise_name(organisation[:120])
        if org:
            changes["organisation"] = org
    if changes:
        for field, value in changes.items():
            setattr(profile, field, value)
        profile.save(update_fields=[*changes, "updated_at"])
    return profile


# Leaving -------------------------------------------------------------------------------------------

SIGN_IN_MODELS = (
    ("allauth.account", "account.EmailAddress"),
    ("allauth.socialaccount", "socialaccount.SocialAccount"),
    ("allauth.mfa", "mfa.Authenticator"),
)
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never delivered; keeps the unique e-mail column unique


def personal_data_erase(user: User) -> None:
    """Accounts' part of leaving: profile, diversity answers, tokens, sign-in methods (hooks)."""
    Profile.objects.filter(user=user).delete()
    DiversityAnswer.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    for app, model in SIGN_IN_MODELS:  # allauth's; two-factor is installed only when enabled
        if apps.is_installed(app):
            apps.get_model(model).objects.filter(user=user).delete()


@transaction.atomic
def account_delete(*, user: User, by: User | None = None, community=None, reason: str = "") -> User:
    """Delete a person's account: everything personal goes, their contributions stay unnamed.

    The user row is kept (inactive, no password, an address that cannot receive mail, shown as
    "A former member") so that the votes, statements, endorsements and turns it holds keep every
    record and aggregate consistent; each app removes what it holds about the person through its
    `personal_data_erase` hook (profile, answers, tokens, memberships, offers, notifications ...).
    `by` is a coordinator acting on the person's request (audited in `community`); None means the
    person themself. What is kept, and why, is in docs/privacy.md.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.deleted_at is not None:
        raise Conflict(_("This account is already deleted."))
    if user.is_superuser or user.is_staff:
        raise Conflict(_("Site administrators are removed by another administrator, in the admin."))
    acting = by if by is not None else user
    apps_erased = erase_personal_data(user)
    user.email = f"former-{user.pk}@{ERASED_DOMAIN}"
    user.set_unusable_password()  # also ends every session: Django checks the password hash per session
    user.is_active = False
    user.deleted_at = timezone.now()
    user.save(update_fields=["email", "password", "is_active", "deleted_at"])
    audit(
        community=community,
        actor=acting if by is not None else None,
        action="account_deleted" if by is None else "personal_data_removed",
        target=user,
        subject=f"user:{user.pk}",
        reason=reason[:200],
        apps=apps_erased,
    )
    return user


@transaction.atomic
def member_personal_data_remove(*, community, actor: User, membership, reason: str) -> User:
    """A coordinator removes a member's personal data on the member's request (audited).

    Not for themself (the profile's "Delete my account" is), nor for anyone who coordinates a
    community: another coordinator first makes them a member, so no community loses its last one
    by someone else's hand.
    """
    reason = clean_text(reason, field="reason", limit=200, required=True, label="How the person asked")
    if membership.user_id == actor.pk:
        raise Conflict(_("To delete your own account, use “Delete my account” on your profile."))
    if Membership.objects.filter(user_id=membership.user_id, role=Role.COORDINATOR).exists():
        raise Conflict(_("This person coordinates a community: make them a member there first."), code="coordinator")
    return account_delete(user=membership.user, by=actor, community=community, reason=reason)
