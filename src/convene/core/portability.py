"""Export a whole community to JSON and import it into another database.

The object graph is what deleting the community would delete (Django's own cascade collector),
plus the people it refers to: their account (no password: they set a new one), profile, skills
and consented diversity answers, and the shared catalogue rows it refers to (the activity types of
its sessions and catalogue entries), by their identifying fields only: an import matches those
by name or slug and never writes to the shared catalogue. Rows that point outside that graph (e.g. a glossary mapping to
another community's term) are left out, and so are many-to-many links to such rows.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import UTC, datetime

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.core import serializers
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction

from convene.accounts.models import DiversityAnswer, Profile, Skill, User
from convene.attachments.selectors import community_metadata as attachment_metadata
from convene.communities.models import Community, Membership
from convene.convening.models import ActivityType
from convene.convening.shipped import ensure_catalogue

FORMAT = "convene-community-export"
VERSION = 1
# Fields of allowed models never exported or imported, by model. A notification travels with its
# recipient (a person of the file) and its text and link, but not the object it points at (a generic
# reference that cannot be checked to stay inside the file) nor a mail failure (for operators only).
SKIP_FIELDS: dict[str, set[str]] = {
    "notifications.notification": {"content_type", "object_id", "mail_failed"},
    # A thread keeps its posts, follows and reactions; what it was about (a generic reference to a
    # session, response or project whose ids change in a copy) is left out, as for notifications.
    "discussions.thread": {"content_type", "object_id"},
}


def _label(obj) -> str:
    return obj._meta.label_lower


def _people_rows(user_ids: set[int]) -> list[models.Model]:
    users = list(User.objects.filter(pk__in=user_ids))
    profiles = list(Profile.objects.filter(user_id__in=user_ids).prefetch_related("skills", "interests"))
    skill_ids = {s.pk for p in profiles for s in [*p.skills.all(), *p.interests.all()]}
    return [
        *Skill.objects.filter(pk__in=skill_ids),
        *users,
        *profiles,
        *DiversityAnswer.objects.filter(user_id__in=user_ids),
    ]


def _shared_rows(rows: list[models.Model]) -> list[models.Model]:
    """The shared catalogue rows (SHARED_FIELDS) that `rows` refer to, e.g. a session's activity type."""
    wanted: dict[type, set[int]] = defaultdict(set)
    for obj in rows:
        for field in obj._meta.concrete_fields:
            if field.is_relation and field.related_model._meta.label_lower in SHARED_FIELDS:
                value = getattr(obj, field.attname)
                if value is not None:
                    wanted[field.related_model].add(value)
    return [obj for model, pks in wanted.items() for obj in model.objects.filter(pk__in=pks)]


def _references_outside(obj, keep: dict[str, set]) -> bool:
    skipped = SKIP_FIELDS.get(_label(obj), set())
    for field in obj._meta.concrete_fields:
        if field.name in skipped:
            continue
        if field.is_relation and field.many_to_one or field.one_to_one and field.is_relation:
            value = getattr(obj, field.attname)
            if value is None:
                continue
            target = field.related_model._meta.label_lower
            if value not in keep.get(target, set()):
                return True
    return False


def community_export(community) -> dict:
    collector = NestedObjects(using="default")
    collector.collect([community])
    rows = [obj for model_objs in collector.data.values() for obj in model_objs if _label(obj) in COMMUNITY_MODELS]

    def referenced_users(objs) -> set[int]:
        return {
            getattr(obj, f.attname)
            for obj in objs
            for f in obj._meta.concrete_fields
            if f.is_relation and f.related_model is User and getattr(obj, f.attname) is not None
        }

    keep: dict[str, set] = defaultdict(set)
    for obj in rows:
        keep[_label(obj)].add(obj.pk)
    keep[User._meta.label_lower] |= referenced_users(rows)  # people come along below
    for obj in _shared_rows(rows):  # so do the shared catalogue rows the community uses
        keep[_label(obj)].add(obj.pk)
    # Drop rows pointing outside the graph until nothing changes (a drop can orphan another row).
    changed = True
    while changed:
        changed = False
        for obj in list(rows):
            if _references_outside(obj, keep):
                rows.remove(obj)
                keep[_label(obj)].discard(obj.pk)
                changed = True
    # Only the people the remaining rows refer to, so a re-export after import is identical.
    user_ids = referenced_users(rows)
    people = _people_rows(user_ids)
    shared = [obj for obj in _shared_rows(rows) if _label(obj) != "accounts.skill"]  # skills came with people
    for obj in [*people, *shared]:
        keep[_label(obj)].add(obj.pk)
    rows += people + shared

    data = serializers.serialize("python", _ordered(rows))
    for item in data:
        fields = item["fields"]
        allowed = allowed_fields(item["model"])  # what an import reads: the same lists
        for name in set(fields) - allowed:
            fields.pop(name)
        for name, value in list(fields.items()):
            field = apps.get_model(item["model"])._meta.get_field(name)
            if field.many_to_many:  # keep links inside the graph only
                target = field.related_model._meta.label_lower
                fields[name] = sorted(pk for pk in value if pk in keep.get(target, set()))
            elif isinstance(value, datetime):
                fields[name] = value.isoformat()
    return {
        "format": FORMAT,
        "version": VERSION,
        "community": community.slug,
        "exported_at": datetime.now(UTC).isoformat(),
        "objects": data,
        # What files the community's sessions, responses, projects and threads hold: metadata only,
        # not the bytes, and not imported (docs/attachments.md).
        "attachments": attachment_metadata(community),
    }


def _ordered(rows: list[models.Model]) -> list[models.Model]:
    """Models in dependency order, rows by primary key, so the output is stable and importable."""
    by_model: dict[type, list] = defaultdict(list)
    for obj in rows:
        by_model[type(obj)].append(obj)
    app_list = defaultdict(list)
    for model in by_model:
        app_list[model._meta.app_config].append(model)
    ordered_models = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    seen = set()
    out = []
    for model in ordered_models:
        for obj in sorted(by_model.get(model, []), key=lambda o: o.pk):
            key = (_label(obj), obj.pk)
            if key not in seen:
                seen.add(key)
                out.append(obj)
    return out


class ImportRefused(Exception):
    pass


# ---------------------------------------------------------------------------- what an import may hold
# An import trusts nothing in the file: only these models, only these fields. People's accounts
# come without flags, passwords or permissions; tokens, sessions, invitations (their links are
# secrets), audit entries and installation logs are never imported. Every reference must point
# at a row of the same file (the community's own graph); anything else refuses the whole file.
PEOPLE_FIELDS = {
    "accounts.user": {"email", "date_joined"},
    "accounts.profile": {
        "user",
        "display_name",
        "bio",
        "discipline",
        "organisation",
        "seniority",
        "hours_per_month",
        "skills",
        "interests",
        "updated_at",
    },
    "accounts.diversityanswer": {"user", "attribute", "value", "consented_at"},
}
# Shared catalogues the community's rows point at: only the identifying fields travel; an import
# matches skills by name (creating a missing one, as a profile edit would) and activity types by
# slug (a missing one refuses the file: only site staff add to the shipped catalogue).
SHARED_FIELDS = {
    "accounts.skill": {"name"},
    "convening.activitytype": {"slug", "name"},
}
# The community's own rows, in dependency order; all their fields except the primary key.
COMMUNITY_MODELS = (
    "communities.community",
    "communities.membership",
    "communities.joinrequest",
    "communities.glossaryterm",
    "communities.termmapping",
    "communities.opportunityentry",
    "communities.contribution",
    "convening.communityactivity",
    "convening.session",
    "convening.candidate",
    "convening.rating",
    "convening.sessioninvitation",
    "convening.sessionrole",
    "convening.agendaitem",
    "convening.note",
    "convening.outcome",
    "convening.followup",
    "convening.turn",
    "convening.breakoutgroup",
    "convening.breakoutmember",
    "deliberation.jointresponse",
    "deliberation.participant",
    "deliberation.statement",
    "deliberation.vote",
    "deliberation.prediction",
    "deliberation.draftversion",
    "deliberation.minorityview",
    "deliberation.paragraphcomment",
    "deliberation.endorsement",
    "deliberation.opinionrequest",
    "projects.helprequest",
    "projects.helprequestnote",
    "projects.project",
    "projects.milestone",
    "projects.projectconflict",
    "projects.teamplace",
    "notifications.notification",
    "discussions.thread",
    "discussions.post",
    "discussions.postrevision",
    "discussions.follow",
    "discussions.reaction",
)
# Ledger rows name their origin as "kind:id" text ('session:12'); a copy with new ids rewrites them.
CONTEXT_FIELDS = {"communities.opportunityentry": "source", "communities.contribution": "context"}
CONTEXT_KINDS = {
    "session": "convening.session",
    "project": "projects.project",
    "response": "deliberation.jointresponse",
    "opinion_request": "deliberation.opinionrequest",
    "statement": "deliberation.statement",
}
IMPORT_ORDER = (
    "accounts.skill",
    "convening.activitytype",
    "accounts.user",
    "accounts.profile",
    "accounts.diversityanswer",
    *COMMUNITY_MODELS,
)


def allowed_fields(label: str) -> set[str]:
    """The fields an export writes and an import reads for `label`; empty when the model is not allowed."""
    if label in PEOPLE_FIELDS:
        return PEOPLE_FIELDS[label]
    if label in SHARED_FIELDS:
        return SHARED_FIELDS[label]
    if label not in COMMUNITY_MODELS:
        return set()
    model = apps.get_model(label)
    names = {f.name for f in model._meta.concrete_fields if not f.primary_key}
    names |= {f.name for f in model._meta.many_to_many}
    return names - SKIP_FIELDS.get(label, set())


def _check_shape(data) -> list[dict]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("This is not a Convene community export.")
    if data.get("version") != VERSION:
        raise ImportRefused(f"Export version {data.get('version')} is not supported (expected {VERSION}).")
    items = data.get("objects")
    if not isinstance(items, list):
        raise ImportRefused("The export has no list of objects.")
    seen = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("fields"), dict):
            raise ImportRefused("Every object must have a model, a primary key and fields.")
        label, pk = item.get("model"), item.get("pk")
        if not isinstance(label, str) or label not in IMPORT_ORDER:
            raise ImportRefused(f"Objects of kind “{label}” cannot be imported.")
        if not isinstance(pk, int) or isinstance(pk, bool) or (label, pk) in seen:
            raise ImportRefused(f"{label}: a missing, invalid or repeated primary key ({pk!r}).")
        seen.add((label, pk))
        extra = set(item["fields"]) - allowed_fields(label)
        if extra:
            raise ImportRefused(f"{label} may not carry {', '.join(sorted(extra))}.")
    if sum(1 for item in items if item["model"] == "communities.community") != 1:
        raise ImportRefused("The export must hold exactly one community.")
    return items


@transaction.atomic
def community_import(data: dict, *, slug: str | None = None, name: str | None = None, coordinator=None) -> int:
    """Load an export as a new community; the number of rows created.

    Only the allowed models and fields (above) are read; every reference must point inside the
    file. People are matched by e-mail (an existing account is linked, never changed) or created
    inactive without a password. Primary keys are kept when none of them is taken (a restore
    into an empty database comes back identical), else every row gets a new one. `slug` and
    `name` rename the community (an import beside the original); `coordinator` is made its
    coordinator (the person importing on the web or API).
    """
    new_name = name
    items = _check_shape(data)
    by_label: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_label[item["model"]].append(item)
    community_item = by_label["communities.community"][0]
    slug = slug or community_item["fields"].get("slug")
    if Community.objects.filter(slug=slug).exists():
        raise ImportRefused(f"A community with the address “{slug}” already exists here.")

    # People: matched by e-mail, else new and inactive.
    user_map: dict[int, int] = {}
    new_users = []
    for item in by_label["accounts.user"]:
        email = str(item["fields"].get("email") or "").strip().lower()
        if not email:
            raise ImportRefused(f"Person #{item['pk']} has no e-mail address.")
        existing = User.objects.filter(email__iexact=email).values_list("pk", flat=True).first()
        if existing is not None:
            user_map[item["pk"]] = existing
        else:
            new_users.append(item)
    skill_map: dict[int, int] = {}
    for item in sorted(by_label["accounts.skill"], key=lambda i: i["pk"]):  # shared tags: matched by name
        label_name = str(item["fields"].get("name", ""))[:100]
        skill = Skill.objects.filter(name=label_name).first()
        if skill is None:
            free = not Skill.objects.filter(pk=item["pk"]).exists()
            skill = Skill.objects.create(pk=item["pk"] if free else None, name=label_name)
        skill_map[item["pk"]] = skill.pk
    ensure_catalogue()  # a database emptied after migrating (flush) gets the shipped catalogue back
    activity_map: dict[int, int] = {}
    for item in by_label["convening.activitytype"]:  # the shared catalogue: matched by slug, never written
        activity_slug = str(item["fields"].get("slug", ""))
        found = ActivityType.objects.filter(slug=activity_slug).values_list("pk", flat=True).first()
        if found is None:
            raise ImportRefused(
                f"The activity “{activity_slug[:60]}” is not in this site's catalogue: "
                "ask the site staff to add it first."
            )
        activity_map[item["pk"]] = found

    community_rows = [i for label in COMMUNITY_MODELS for i in by_label[label]]
    own = [*new_users, *community_rows]
    keep_pks = not any(apps.get_model(i["model"]).objects.filter(pk=i["pk"]).exists() for i in own)
    pk_map: dict[tuple[str, int], int] = {("accounts.user", old): new for old, new in user_map.items()}
    pk_map |= {("accounts.skill", old): new for old, new in skill_map.items()}
    pk_map |= {("convening.activitytype", old): new for old, new in activity_map.items()}
    in_file = {(i["model"], i["pk"]) for i in items}
    touched: set[type] = {Skill}
    count = 0
    later: list[tuple[models.Model, str, tuple[str, int]]] = []  # references to rows saved afterwards
    contexts: list[tuple[models.Model, str, str, tuple[str, int]]] = []  # "kind:id" texts to rewrite

    def target_of(label: str, field, value) -> tuple[str, int]:
        target = field.related_model._meta.label_lower
        if (target, value) not in in_file:
            raise ImportRefused(f"{label} points at {target} #{value}, which is not part of this community.")
        return target, value

    matched_user_pks = set(user_map)
    for label in IMPORT_ORDER:
        if label in SHARED_FIELDS:
            continue  # matched above
        model = apps.get_model(label)
        if label == "accounts.profile":  # those made when the new accounts were saved give way to the file's
            new_user_pks = [pk_map[("accounts.user", i["pk"])] for i in new_users]
            model.objects.filter(user_id__in=new_user_pks).delete()
        for item in sorted(by_label[label], key=lambda i: i["pk"]):
            if label == "accounts.user" and item["pk"] in matched_user_pks:
                continue  # an account already here: linked, never changed
            if label in {"accounts.profile", "accounts.diversityanswer"}:
                owner = item["fields"].get("user")
                if owner in matched_user_pks:
                    continue  # an existing person's profile and answers stay as they are here
            obj = model()
            m2m: dict[str, list[int]] = {}
            for name, value in item["fields"].items():
                field = model._meta.get_field(name)
                if field.many_to_many:
                    if not isinstance(value, list):
                        raise ImportRefused(f"{label}.{name} must be a list.")
                    m2m[name] = [target_of(label, field, v) for v in value]
                elif field.is_relation:
                    if value is None:
                        setattr(obj, field.attname, None)
                        continue
                    ref = target_of(label, field, value)
                    if ref in pk_map:
                        setattr(obj, field.attname, pk_map[ref])
                    elif field.null:
                        setattr(obj, field.attname, None)
                        later.append((obj, field.attname, ref))
                    else:
                        raise ImportRefused(f"{label} #{item['pk']} refers to {ref[0]} #{ref[1]} listed after it.")
                else:
                    try:
                        setattr(obj, field.attname, field.to_python(value))
                    except Exception as exc:  # noqa: BLE001 - any unreadable value refuses the file
                        raise ImportRefused(f"{label}.{name}: {exc}") from None
            if label == "communities.community":
                obj.slug = slug
                if new_name:
                    obj.name = new_name
            if label == "accounts.user":
                obj.email = obj.email.strip().lower()
                obj.is_active = False  # a person who was not here yet: an operator or the person activates it
                obj.is_staff = obj.is_superuser = False
                obj.set_unusable_password()
            for field in model._meta.concrete_fields:
                if (
                    field.unique
                    and not field.primary_key
                    and not field.is_relation
                    and isinstance(field, models.CharField)
                ):
                    value = getattr(obj, field.attname)
                    if (
                        label != "communities.community"
                        and value
                        and model.objects.filter(**{field.attname: value}).exists()
                    ):
                        setattr(obj, field.attname, secrets.token_urlsafe(24))  # a link already in use here
            if label in CONTEXT_FIELDS and not keep_pks:
                ref = _context_reference(getattr(obj, CONTEXT_FIELDS[label]))
                if ref is not None and ref[1] not in in_file:
                    continue  # the original's ledger row for something the file does not hold
                if ref is not None:
                    contexts.append((obj, CONTEXT_FIELDS[label], ref[0], ref[1]))
                    setattr(obj, CONTEXT_FIELDS[label], f"import:{secrets.token_hex(8)}")  # until the id is known
            if keep_pks:
                obj.pk = item["pk"]
            try:
                with transaction.atomic():  # raw: the file's timestamps are kept, as loaddata does
                    obj.save_base(raw=True, force_insert=True)
            except IntegrityError as exc:
                raise ImportRefused(f"{label} #{item['pk']} cannot be stored here: {exc}") from None
            pk_map[(label, item["pk"])] = obj.pk
            for name, refs in m2m.items():
                getattr(obj, name).set([pk_map[ref] for ref in refs if ref in pk_map])
            touched.add(model)
            count += 1
    for user_pk in [pk_map[("accounts.user", i["pk"])] for i in new_users]:
        Profile.objects.get_or_create(user_id=user_pk)  # a person whose file had no profile
    for obj, attname, ref in later:
        if ref not in pk_map:
            continue  # a row that was skipped (an existing person's)
        type(obj).objects.filter(pk=obj.pk).update(**{attname: pk_map[ref]})
    for obj, attname, kind, ref in contexts:
        type(obj).objects.filter(pk=obj.pk).update(**{attname: f"{kind}:{pk_map[ref]}"})
    if coordinator is not None:
        community = Community.objects.get(slug=slug)
        Membership.objects.update_or_create(community=community, user=coordinator, defaults={"role": "coordinator"})
    _reset_sequences(touched)
    return count


def _context_reference(text) -> tuple[str, tuple[str, int]] | None:
    """('session', ('convening.session', 12)) for 'session:12'; None for anything else."""
    kind, _, pk = str(text or "").partition(":")
    if kind not in CONTEXT_KINDS or not pk.isdigit():
        return None
    return kind, (CONTEXT_KINDS[kind], int(pk))


def _reset_sequences(touched: set[type]) -> None:
    """Rows came with their ids: move PostgreSQL's id sequences past them (no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(touched))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
