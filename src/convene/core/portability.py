"""Export a whole community to JSON and import it into another database.

The object graph is what deleting the community would delete (Django's own cascade collector),
plus the people it refers to: their account (no password: they set a new one), profile, skills
and consented diversity answers. Rows that point outside that graph (e.g. a glossary mapping to
another community's term) are left out, and so are many-to-many links to such rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.core import serializers
from django.db import models, transaction

FORMAT = "convene-community-export"
VERSION = 1
# Rows never exported: sessions, tokens, logs of sent mail belong to one installation.
SKIP_MODELS = {"accounts.apitoken", "sessions.session", "admin.logentry"}
# Fields never exported, by model (none since Participant.n_votes went, round 7).
SKIP_FIELDS: dict[str, set[str]] = {}


def _label(obj) -> str:
    return obj._meta.label_lower


def _people_rows(user_ids: set[int]) -> list[models.Model]:
    from allauth.account.models import EmailAddress

    from convene.accounts.models import DiversityAnswer, Profile, Skill, User

    users = list(User.objects.filter(pk__in=user_ids))
    profiles = list(Profile.objects.filter(user_id__in=user_ids).prefetch_related("skills", "interests"))
    skill_ids = {s.pk for p in profiles for s in [*p.skills.all(), *p.interests.all()]}
    return [
        *Skill.objects.filter(pk__in=skill_ids),
        *users,
        *profiles,
        *DiversityAnswer.objects.filter(user_id__in=user_ids),
        *EmailAddress.objects.filter(user_id__in=user_ids, verified=True),
    ]


def _references_outside(obj, keep: dict[str, set]) -> bool:
    for field in obj._meta.concrete_fields:
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
    rows = [obj for model_objs in collector.data.values() for obj in model_objs if _label(obj) not in SKIP_MODELS]

    user_model = apps.get_model("accounts", "User")

    def referenced_users(objs) -> set[int]:
        return {
            getattr(obj, f.attname)
            for obj in objs
            for f in obj._meta.concrete_fields
            if f.is_relation and f.related_model is user_model and getattr(obj, f.attname) is not None
        }

    keep: dict[str, set] = defaultdict(set)
    for obj in rows:
        keep[_label(obj)].add(obj.pk)
    keep[user_model._meta.label_lower] |= referenced_users(rows)  # people come along below
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
    for obj in people:
        keep[_label(obj)].add(obj.pk)
    rows += people

    data = serializers.serialize("python", _ordered(rows))
    for item in data:
        fields = item["fields"]
        for name in SKIP_FIELDS.get(item["model"], ()):
            fields.pop(name, None)
        if item["model"] == "accounts.user":
            fields["password"] = "!exported"  # noqa: S105 - unusable hash: the person sets a new password
            fields.pop("last_login", None)
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


@transaction.atomic
def community_import(data: dict) -> int:
    """Load an export into this database. Refuses files of another format or a clash of ids."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("This is not a Convene community export.")
    if data.get("version") != VERSION:
        raise ImportRefused(f"Export version {data.get('version')} is not supported (expected {VERSION}).")
    community_model = apps.get_model("communities", "Community")
    if community_model.objects.filter(slug=data.get("community")).exists():
        raise ImportRefused(f"A community with the address “{data.get('community')}” already exists here.")
    count = 0
    touched: set[type] = set()
    for item in serializers.deserialize("python", data["objects"]):
        model = type(item.object)
        if model.objects.filter(pk=item.object.pk).exists():
            if model._meta.label_lower in {
                "accounts.user",
                "accounts.skill",
                "accounts.profile",
                "account.emailaddress",
            }:
                continue  # the person (or tag) is already here: keep the local row
            raise ImportRefused(f"{model._meta.verbose_name} #{item.object.pk} already exists in this database.")
        item.save()
        touched.add(model)
        count += 1
    _reset_sequences(touched)
    return count


def _reset_sequences(touched: set[type]) -> None:
    """Rows came with their ids: move PostgreSQL's id sequences past them (no-op on SQLite)."""
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(touched))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
