"""Unicode edge cases and very long strings through every API write operation and the web forms.

Every POST/PUT/PATCH operation of the permission matrix is called, by a role the matrix lets
through, with each string field of its body replaced by: text mixing RTL scripts, bidi controls,
emoji sequences, zero-width and combining characters (stored and returned intact, or refused
with a clear 400/422 if the field is not free text); a string far over any length limit; NUL and
other control characters; and a lone surrogate. Nothing may answer 5xx, nothing may be stored
truncated, and every refusal has the `{detail, code}` shape naming the field.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from ..conftest import build_world
from ..permissions import ROLES, all_cases, setup_world
from ..support import VOID_ELEMENTS

RTL = "مرحبا بالعالم שלום עולם"
EMOJI = "👩🏽‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 👍🏿"
INVISIBLE = "a\u200bb\u200dc\ufeffd\u2060e"
COMBINING = "e\u0301 Z\u0324\u0354\u0367\u0311 \u0928\u093f"  # decomposed é, zalgo, Devanagari
BIDI = "abc \u202eevil\u202c \u2067x\u2069"
VALID = f"{RTL} {EMOJI} {INVISIBLE} {COMBINING} {BIDI}"
# Fits every short field (the shortest free-text limit is 40 characters).
SHORT = "שלום مرحبا 👩🏽‍💻👨‍👩‍👧 a\u200bb\ufeff e\u0301 \u202eab\u202c"
LONG = "x" * 100_001

# Body keys that are not free text (keys, choices, addresses, codes): any answer but 5xx is fine,
# as long as a refusal is a clear 400/422.
NOT_FREE_TEXT = {
    "to",
    "audience",  # a choice (invited, attending, waitlisted, team, everyone)
    "answer",
    "action",
    "decision",
    "stance",
    "role",
    "email",
    "contact",
    "source_url",
    "online_link",
    "value",
    "code",
    "token",  # an invitation link's secret: any other text is "not a valid link" (404), not free text
    "paragraph",
    "target",
    "time_zone",
    "kind",
    "state",
    "status",
    "visibility",
    "slug",
    "seniority",
    "rsvp",
    # kept only in the audit entry's JSON detail (tests/accounts/test_deletion_api.py reads it there)
    "POST /api/v1/communities/{slug}/members/{membership_id}/erase reason",
    "commitment",
    "starts_at",
    "ends_at",
    "deadline",
    "gathering_ends",
    "drafting_ends",
    "endorsement_ends",
    "due",
    "due_on",
    "period",
    "activity",
    "community",
    "communities",
}


# Short identity fields are normalised (core.text.normalise_name), not stored as sent.
IDENTITY_FIELDS = {
    "display_name",
    "requester_name",
    "POST /api/v1/communities/ name",
    "PATCH /api/v1/communities/{slug} name",
}


# Writes whose body is not text a person typed, with why.
NOT_TEXT_BODIES = {
    "POST /api/v1/communities/import": "the body is an export file, checked field by field by the import's "
    "allow-list (tests/core/test_portability.py, tests/core/test_hostile_input.py)",
}


def write_cases():
    """(case, role) for every write operation with a body, as the first role allowed to make it."""
    out = []
    for case in all_cases("API"):
        method = case.route.split(" ", 1)[0]
        if method not in {"POST", "PUT", "PATCH"} or case.data is None or case.route in NOT_TEXT_BODIES:
            continue
        if case.extra.get("multipart"):  # file uploads: tests/attachments/test_api.py checks their text
            continue
        for role in reversed(ROLES):  # coordinator first
            if 200 <= case.expect[ROLES.index(role)] < 300:
                out.append((case, role))
                break
    return out


def _string_keys(body: dict) -> list[str]:
    return [k for k, v in body.items() if isinstance(v, str) or (isinstance(v, list) and v and isinstance(v[0], str))]


def _stored_in(value: str) -> list:
    """The model fields that hold exactly `value` in some row."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("convene."):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, (models.CharField, models.TextField)) and model.objects.filter(**{f.name: value}).exists():
                found.append(f)
    return found


def _schema_limits() -> dict[str, dict[str, int]]:
    """ "METHOD /path" -> {body key: maxLength} from the OpenAPI schema."""
    from convene.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    limits = {}
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ref = body.get("$ref", "")
            props = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}) if ref else {}
            limits[f"{method.upper()} {path}"] = {
                k: p["maxLength"] for k, p in props.items() if isinstance(p, dict) and "maxLength" in p
            }
    return limits


# Body keys whose messages use the label people see instead of the key.
LABELS = {"text": {"statement"}, "message": {"reason"}, "decision": {"decide"}, "contact": {"email"}}


def _names_field(detail, key: str) -> bool:
    text = json.dumps(detail, ensure_ascii=False).lower()
    words = {key.lower(), key.replace("_", " ").lower(), *key.lower().split("_"), *LABELS.get(key, ())}
    return any(w in text for w in words)


APPS = sorted({c.route.split(" ", 1)[1].split("/")[3] for c, _ in write_cases()})


# Apps whose API writes carry little free text: notifications' take ids and choices only (mark
# read, preferences); discussions' carry a title and a body (thread) or a body (reply).
MIN_CALLS = {"notifications": 0, "discussions": 6}

VARIANTS = [("valid", SHORT), ("long", LONG), ("control", "bell\x07 and escape\x1b"), ("nul", "a\x00b")]


def _check_write(client, route: str, path: str, base: dict, problems: list, who: str) -> int:
    """Each string field of `base` in turn gets each variant; returns the number of requests made."""
    from convene.core.text import normalise_name

    method = route.split(" ", 1)[0].lower()
    limits = _schema_limits().get(route, {})
    calls = 0
    for key in _string_keys(base):
        is_list = isinstance(base[key], list)
        # exactly the API's own limit: accepted and stored whole, or refused clearly, never a 500
        at_limit = [("at_limit", "y" * limits[key])] if key in limits and not is_list else []
        for variant, text in VARIANTS + at_limit:
            body = json.dumps({**base, key: [text] if is_list else text})
            with transaction.atomic():
                response = getattr(client, method)(path, data=body, content_type="application/json")
                calls += 1
                label = f"{route} [{key}={variant}] as {who}: {response.status_code}"
                if response.status_code >= 500:
                    problems.append(f"{label} {response.content[:200]!r}")
                elif response.status_code >= 400:
                    payload = response.json()
                    if set(payload) != {"detail", "code"}:
                        problems.append(f"{label}: error body {payload}")
                    elif variant == "valid" and not {key, f"{route} {key}"} & NOT_FREE_TEXT:
                        problems.append(f"{label}: free text refused: {payload}")
                    elif variant in {"long", "control", "at_limit"} and not _names_field(payload["detail"], key):
                        problems.append(f"{label}: the message does not name {key}: {payload['detail']}")
                elif variant == "valid" and not {key, f"{route} {key}"} & NOT_FREE_TEXT:
                    expect = normalise_name(SHORT) if {key, f"{route} {key}"} & IDENTITY_FIELDS else SHORT
                    if is_list:
                        expect = " ".join(SHORT.split()).lower()  # skill tags are lower-case, single-spaced
                    returned = json.dumps(response.json(), ensure_ascii=False) if response.content else ""
                    if expect not in returned and not _stored_in(expect):
                        problems.append(f"{label}: the text was not stored intact")
                elif variant == "at_limit":
                    too_long = [
                        f"{f.model.__name__}.{f.name}" for f in _stored_in(text) if len(text) > (f.max_length or 10**9)
                    ]
                    if too_long:
                        problems.append(
                            f"{label}: stored beyond the column's max_length in {too_long} (PostgreSQL: 500)"
                        )
                elif variant in {"long", "control", "nul"}:
                    problems.append(f"{label}: accepted {variant} text")
                transaction.set_rollback(True)
    # a lone surrogate cannot be stored (not UTF-8): refused with 400 naming the field, not a 500
    for key in _string_keys(base)[:1]:
        raw = json.dumps({**base, key: "PLACEHOLDER"}).replace('"PLACEHOLDER"', '"a\\ud800b"')
        with transaction.atomic():
            response = getattr(client, method)(path, data=raw, content_type="application/json")
            calls += 1
            if response.status_code != 400 or set(response.json()) != {"detail", "code"}:
                problems.append(f"{route} lone surrogate: {response.status_code} {response.content[:200]!r}")
            elif key not in response.json()["detail"]:
                problems.append(f"{route} lone surrogate: the message does not name {key}")
            transaction.set_rollback(True)
    return calls


@pytest.mark.parametrize("app", APPS)
def test_api_writes_take_unicode_and_refuse_bad_text_clearly(db, app, settings):
    settings.CONVENE_API_WRITES_PER_MINUTE = 0
    settings.CONVENE_OPINION_REQUESTS_PER_HOUR = 10**6
    world = build_world()
    setup_world(world)
    clients = {role: world.client(role) for role in ROLES}
    problems, calls = [], 0
    for case, role in write_cases():
        if case.route.split(" ", 1)[1].split("/")[3] != app:
            continue
        path = case.route.split(" ", 1)[1].format(**case.kwargs(world))
        calls += _check_write(clients[role], case.route, path, case.data(world), problems, role)
    assert calls >= MIN_CALLS.get(app, 8)
    assert not problems, "\n".join(problems)


def test_writes_of_later_phases_take_unicode_and_refuse_bad_text_clearly(world, settings):
    """The write operations that the matrix only reaches in the wrong phase (409), in the right one."""
    from convene.communities.models import GlossaryTerm
    from convene.deliberation import services as deliberation
    from convene.deliberation.models import Phase
    from convene.projects import services as projects
    from convene.projects.models import HelpRequest, Project, TeamPlace

    settings.CONVENE_API_WRITES_PER_MINUTE = 0
    settings.CONVENE_OPINION_REQUESTS_PER_HOUR = 10**6
    setup_world(world)
    users, o = world.users, world.objects
    coordinator = users["coordinator"]
    now = timezone.now()

    def response_in(phase):
        r = deliberation.response_create(community=world.private, creator=coordinator, title="T", what_changed="W")
        deliberation.response_update(
            response=r,
            actor=coordinator,
            gathering_ends=now + timedelta(days=1),
            drafting_ends=now + timedelta(days=2),
            endorsement_ends=now + timedelta(days=3),
        )
        deliberation.response_transition(response=r, actor=coordinator, to=Phase.GATHERING)
        deliberation.response_transition(response=r, actor=coordinator, to=Phase.DRAFTING)
        r.refresh_from_db()
        deliberation.draft_save(response=r, user=coordinator, text="One.\n\nTwo.", base_version=r.draft_version)
        if phase == Phase.ENDORSEMENT:
            deliberation.response_transition(response=r, actor=coordinator, to=Phase.ENDORSEMENT)
        r.refresh_from_db()
        return r

    drafting, endorsing = response_in(Phase.DRAFTING), response_in(Phase.ENDORSEMENT)
    view = deliberation.minority_view_add(response=drafting, actor=coordinator, text="Keep it")
    target = GlossaryTerm.objects.create(community=world.public, term="service user", definition="A person.")
    asked = HelpRequest.objects.get(pk=o["help_request"].pk)
    projects.help_request_ask(help_request=asked, actor=coordinator, question="How often?")
    project = Project.objects.get(pk=o["project"].pk)
    TeamPlace.objects.filter(project=project, user=coordinator).update(status="published")
    D = "/api/v1/deliberation/responses"
    calls = [
        ("coordinator", f"PUT {D}/{{id}}/draft", drafting.pk, {"text": "x", "base_version": drafting.draft_version}),
        (
            "member",
            f"POST {D}/{{id}}/draft/comments",
            drafting.pk,
            {"paragraph": deliberation.paragraph_key("One."), "text": "x"},
        ),
        ("member", f"POST {D}/{{id}}/minority-views", drafting.pk, {"text": "x", "held_by": "x"}),
        ("coordinator", f"POST {D}/{{id}}/minority-views/{view.pk}/answer", drafting.pk, {"answer": "x"}),
        ("member", f"POST {D}/{{id}}/endorsements", endorsing.pk, {"stance": "object", "reason": "x"}),
        ("outsider", "POST /api/v1/communities/{id}/join-requests", "pub", {"message": "x"}),
        (
            "coordinator",
            "POST /api/v1/communities/{id}/mappings",
            "priv",
            {"source_term_id": o["private_term"].pk, "target_term_id": target.pk, "note": "x"},
        ),
        ("outsider", "POST /api/v1/projects/requests/{id}/answer", asked.pk, {"answer": "x"}),
        ("coordinator", "PUT /api/v1/projects/{id}/reflection", project.pk, {"text": "x"}),
    ]
    problems, made = [], 0
    for role, route, pk, base in calls:
        client = world.client(role)
        made += _check_write(client, route, route.split(" ", 1)[1].format(id=pk), base, problems, role)
    assert made >= len(calls) * 4
    assert not problems, "\n".join(problems)


def test_valid_unicode_is_not_silently_normalised_in_free_text(world, api):
    """Free text keeps every code point: decomposed accents stay decomposed, zero-width stays."""
    member = api("member")
    r = member.patch("/me/profile", {"bio": VALID})
    assert r.status_code == 200
    assert r.json()["bio"] == VALID
    assert unicodedata.is_normalized("NFD", "e\u0301") and "e\u0301" in member.get("/me/profile").json()["bio"]


def _isolated(html: str, needle: str) -> bool:
    """Every occurrence of `needle` in the page's text is inside <bdi> or an element with dir."""
    from html.parser import HTMLParser

    class Finder(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack, self.seen, self.bad = [], 0, 0

        def handle_starttag(self, tag, attrs):
            if tag not in VOID_ELEMENTS:
                self.stack.append((tag, tag in {"bdi", "title", "option", "textarea"} or "dir" in dict(attrs)))

        def handle_endtag(self, tag):
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][0] == tag:
                    del self.stack[i:]
                    break

        def handle_data(self, data):
            if needle in data:
                self.seen += 1
                self.bad += not any(isolating for _, isolating in self.stack)

    finder = Finder()
    finder.feed(html)
    return finder.seen > 0 and finder.bad == 0


def test_web_forms_take_unicode_refuse_bad_text_and_isolate_rtl(world):
    """Through the web forms: RTL/emoji text kept, names normalised, bad text refused inline, RTL isolated."""
    from convene.communities.models import Community

    client = world.client("coordinator")
    profile = world.users["coordinator"].profile
    form = {"display_name": "Cora", "hours_per_month": 0, "bio": ""}

    r = client.post("/me/profile/", {**form, "display_name": "\u202eCora \u05e9\u05dc\u05d5\u05dd\u200b", "bio": VALID})
    assert r.status_code == 302
    profile.refresh_from_db()
    assert profile.display_name == "Cora \u05e9\u05dc\u05d5\u05dd" and profile.bio == VALID

    for field, value, message in [
        ("display_name", "\u200b\u200d\ufeff\u202e", "no visible characters"),
        ("bio", "bell\x07", "control characters"),
        ("bio", "x" * 2001, "at most 2000 characters"),
        ("bio", "nul\x00", "Null characters are not allowed"),
    ]:
        r = client.post("/me/profile/", {**form, field: value})
        assert r.status_code == 200, (field, value)
        assert message in r.content.decode(), (field, message)
        profile.refresh_from_db()
        assert profile.display_name == "Cora \u05e9\u05dc\u05d5\u05dd" and profile.bio == VALID, "nothing saved"

    r = client.post(
        "/communities/new/",
        {"name": "\u202eمجتمع الممارسة", "slug": "rtl", "domain": RTL, "description": VALID, "visibility": "public"},
    )
    assert r.status_code == 302
    community = Community.objects.get(slug="rtl")
    assert community.name == "مجتمع الممارسة" and community.domain == RTL and community.description == VALID
    for url in ["/c/rtl/", "/c/rtl/members/", "/communities/"]:
        html = client.get(url).content.decode()
        assert _isolated(html, "مجتمع الممارسة"), url
    assert _isolated(client.get("/c/rtl/members/").content.decode(), "Cora \u05e9\u05dc\u05d5\u05dd")
    assert _isolated(client.get("/c/rtl/").content.decode(), RTL)


def test_docx_export_survives_control_characters_stored_earlier(world):
    """Text stored before the edges refused control characters still exports (python-docx refuses them)."""
    import io
    import zipfile

    from convene.deliberation.models import JointResponse, Phase

    response = JointResponse.objects.create(
        community=world.public, title="Bell\x07 title", what_changed="W", state=Phase.DRAFTING, draft_text="One\x07 two"
    )
    response.communities.add(world.public)
    r = world.client("member").get(f"/responses/{response.pk}/final.docx")
    assert r.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(r.content)).read("word/document.xml").decode()
    assert "One two" in xml
