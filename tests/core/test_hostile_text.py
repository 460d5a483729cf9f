"""Script payloads in every user text field of the demo journeys; every page and export checked.

The demo (`convene demo`) is loaded and the journeys it leaves out are walked through the real
services (a joint response to delivery with draft, comments, minority views and endorsements; a
declined request for opinion; a join request, an invitation, a conflict, a token). Then every text
field of every project model that a person can write gets a payload carrying a marker unique to
the field. Crawling every page reachable from the home page (as several roles, plus the pages
that are only reached from e-mail) must show no element, attribute or link that came from the
payload. Each field's marker must turn up somewhere (page, export or API), so a field added later
is noticed: it is either shown (and so checked) or listed below with the reason it is not.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ..support import VOID_ELEMENTS

# Fields that are not free text a person writes (tokens, keys, codes, computed values), or whose
# validation refuses markup before it is stored. Key: "app.Model.field".
NOT_USER_TEXT = {
    "accounts.User.password": "a hash",
    "accounts.User.email": "EmailValidator refuses <, >, quotes and spaces",
    "accounts.ApiToken.prefix": "generated",
    "accounts.ApiToken.key_hash": "generated",
    "accounts.DiversityAnswer.attribute": "a key of settings.DIVERSITY_ATTRIBUTES",
    "communities.Community.slug": "SlugField: letters, digits, - and _ only",
    "communities.Invitation.email": "EmailValidator",
    "communities.Invitation.token": "generated",
    "communities.AuditEntry.action": "a fixed verb from the code",
    "communities.AuditEntry.detail": "JSON written by the code",
    "communities.OpportunityEntry.source": "'kind:id' written by the code",
    "communities.Contribution.context": "'kind:id' written by the code",
    "convening.ActivityType.slug": "SlugField",
    "convening.ActivityType.tool_url_name": "a URL name from the code",
    "convening.ActivityType.agenda_template": "copied into agenda items, whose titles are covered",
    "convening.CommunityActivity.agenda_template": "[{title, minutes}] from parse_agenda; titles only in the "
    "edit form's textarea (escaped by the widget)",
    "convening.Session.time_zone": "validated against zoneinfo",
    "convening.Session.online_link": "URLField: http(s) only, checked in test_links_refuse_javascript_urls",
    "convening.Session.code": "generated",
    "convening.Session.grouping": "parameters written by the code",
    "convening.SentReminder.kind": "a fixed word from the code",
    "deliberation.JointResponse.secret": "generated",
    "deliberation.JointResponse.source_url": "http(s) only, checked in test_links_refuse_javascript_urls",
    "deliberation.Participant.user_key": "a keyed hash",
    "deliberation.MapCache.data": "computed by the engine from votes",
    "deliberation.DraftVersion.diff": "computed from two versions; shown as text on the versions page",
    "deliberation.ParagraphComment.paragraph_key": "a hash of the paragraph",
    "deliberation.OpinionRequest.contact": "EmailValidator",
    "deliberation.OpinionRequest.token": "generated",
    "deliberation.ReminderSent.phase": "a phase name from the code",
    "projects.Project.shortfalls": "counts written by the matcher",
    "notifications.Preference.kind": "a code of notifications.kinds.KINDS, checked by preferences_set",
}

# Covered fields that no page shows, with the reason (their markers are then not looked for).
NOT_SHOWN = {
    "convening.EmailInvitation.email": "invitees' addresses are never shown (docs/privacy.md): the link goes to them",
    "convening.EmailInvitation.token": "the invitation link's secret, only in the e-mail sent to the invitee",
    "notifications.Notification.mail_failed": "a delivery failure's reason is for operators (admin) only",
}

# Free-text lists (skill names) inside JSON fields.
JSON_TEXT_LISTS = {
    "projects.Project.required_skills",
    "projects.Project.learning_skills",
    "projects.MentoringOffer.teaches",
    "projects.MentoringOffer.wants",
    "projects.TeamPlace.shared_skills",
}
JSON_TEXT_KEYS = {"projects.TeamPlace.skills_before", "projects.TeamPlace.skills_after"}

PAYLOAD = (
    '{marker}<script>xss("{marker}")</script>"><img src=x onerror=xss(1)>\'><svg onload=xss(1)>'
    '{{{{ request }}}}{{% debug %}}[link](javascript:xss(1)) <a href="javascript:xss(1)">a</a>'
)
SHORT_PAYLOAD = '{marker}<script>x()</script>"><img src=x onerror=x()>'


def text_fields():
    """Every CharField/TextField/JSONField of the project's models, as ("app.Model.field", model, field)."""
    for model in apps.get_models():
        if not model.__module__.startswith("convene."):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, (models.CharField, models.TextField, models.JSONField)) and not f.choices:
                yield f"{model._meta.label}.{f.name}", model, f


def covered_fields():
    return sorted((label, m, f) for label, m, f in text_fields() if label not in NOT_USER_TEXT)


def marker(index: int) -> str:
    return f"zq{index:03d}q"


def payload_for(field, mark: str) -> str:
    limit = getattr(field, "max_length", None) or 10_000
    text = PAYLOAD.format(marker=mark)
    if len(text) > limit:
        text = SHORT_PAYLOAD.format(marker=mark)
    return text[:limit]


# ---------------------------------------------------------------------------------------------
# The world: the demo plus the journeys it does not walk, through the services.


def _walk_missing_journeys():
    from convene.accounts.models import User
    from convene.accounts.services import api_token_create
    from convene.communities import services as communities
    from convene.communities.models import Community, Membership
    from convene.convening.services import catalogue_entry_create
    from convene.deliberation import services as deliberation
    from convene.deliberation.models import Phase
    from convene.discussions import services as discussions
    from convene.notifications.services import notify
    from convene.projects import services as projects
    from convene.projects.models import Project

    psy = Community.objects.get(slug="psychiatry")
    coordinator = User.objects.get(email="coordinator@example.org")
    members = [m.user for m in Membership.objects.filter(community=psy, role="member").order_by("user__email")[:4]]
    now = timezone.now()

    response = deliberation.response_create(
        community=psy, creator=coordinator, title="Delivered response", what_changed="Something changed."
    )
    deliberation.response_update(
        response=response,
        actor=coordinator,
        gathering_ends=now + timedelta(days=2),
        drafting_ends=now + timedelta(days=4),
        endorsement_ends=now + timedelta(days=6),
    )
    deliberation.response_transition(response=response, actor=coordinator, to=Phase.GATHERING)
    statements = [
        deliberation.statement_submit(response=response, user=coordinator, text=f"View {i}") for i in range(3)
    ]
    for user in members:
        for s in statements:
            deliberation.vote_cast(response=response, user=user, statement_id=s.pk, value=1)
    rejected = deliberation.statement_submit(response=response, user=members[0], text="Off topic")
    deliberation.statement_moderate(statement=rejected, actor=coordinator, decision="reject", reason="Off topic")
    deliberation.response_transition(response=response, actor=coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    deliberation.draft_save(
        response=response, user=coordinator, text="First paragraph.\n\nSecond one.", base_version=response.draft_version
    )
    response.refresh_from_db()
    deliberation.comment_add(
        response=response, user=members[0], paragraph=deliberation.paragraph_key("First paragraph."), text="Hm."
    )
    view = deliberation.minority_view_add(response=response, actor=coordinator, text="Keep it", held_by="Some")
    deliberation.minority_view_answer(view=view, user=coordinator, answer="Heard.")
    deliberation.response_transition(response=response, actor=coordinator, to=Phase.ENDORSEMENT)
    deliberation.endorsement_cast(response=response, user=members[0], stance="endorse", reason="Good.")
    deliberation.endorsement_cast(response=response, user=members[1], stance="object", reason="Not quite.")
    deliberation.response_transition(response=response, actor=coordinator, to=Phase.DELIVERED)

    declined = deliberation.opinion_request_submit(
        community=psy,
        requester_name="Someone",
        organisation="Elsewhere",
        contact="someone@elsewhere.example",
        question="What about this?",
        deadline=(now + timedelta(days=60)).date(),
    )
    deliberation.opinion_request_decline(opinion_request=declined, actor=coordinator, reason="Not ours.")

    outsider = User.objects.create_user(email="outsider@example.org", password=None)
    public = Community.objects.filter(visibility="public").exclude(memberships__user=outsider).first()
    communities.membership_join_request(community=public, user=outsider, message="Let me in.")
    communities.invitation_create(community=psy, actor=coordinator, email="invitee@example.org")
    ignite = Community.objects.get(slug="ignite")
    project = Project.objects.filter(lead_community=ignite).order_by("pk").first()
    conflicted = (
        Membership.objects.filter(community=ignite, role="member")
        .exclude(user__project_places__project=project)
        .order_by("user__email")
        .last()
        .user
    )
    projects.conflict_declare(project=project, user=conflicted, note="My team.")
    asker = Membership.objects.filter(community=ignite, role="member").order_by("user__email").first().user
    help_request = projects.help_request_submit(
        community=ignite,
        requester=asker,
        title="Declined request",
        team_name="A team",
        process="By hand.",
        minutes_per_run=30,
        runs_per_month=4,
        done_looks_like="Automatic.",
        contact="Ask at the desk",
    )
    ignite_coordinator = User.objects.get(email="ignite.coordinator@example.org")
    projects.help_request_decline(help_request=help_request, actor=ignite_coordinator, reason="Not now.")
    catalogue_entry_create(
        community=psy,
        actor=coordinator,
        name="Case round",
        summary="Weekly.",
        how="Bring one case.",
        agenda="Cases | 45",
    )
    api_token_create(user=coordinator, name="script")
    thread = discussions.thread_create(community=psy, author=members[0], title="Handover notes", body="First note")
    post = discussions.post_add(thread=thread, author=members[1], body="A reply")
    discussions.post_edit(post=post, editor=members[1], body="A reply, edited")
    discussions.post_hide(post=post, actor=coordinator, reason="Off topic")
    hidden = discussions.thread_create(community=psy, author=members[0], title="Second thread", body="Again")
    discussions.thread_hide(thread=hidden, actor=coordinator, reason="A duplicate")
    notify(
        recipients=[coordinator, members[0]],
        kind="team.published",
        text="Your team was published",
        url="/communities/",
        community=psy,
    )
    return {
        "response": response,
        "declined": declined,
        "project": project,
        "conflicted": conflicted,
        "help_request": help_request,
    }


def _inject_payloads() -> dict[str, str]:
    """Put a payload into every covered field of every row; returns label -> marker."""
    markers = {}
    for index, (label, model, field) in enumerate(covered_fields()):
        mark = marker(index)
        markers[label] = mark
        for pk in model.objects.values_list("pk", flat=True):
            text = payload_for(field, f"{mark}r{pk} ")  # the row keeps unique constraints happy
            if label in JSON_TEXT_LISTS:
                value = [text]
            elif label in JSON_TEXT_KEYS:
                value = {text: 3}
            elif isinstance(field, models.JSONField):
                raise AssertionError(
                    f"{label}: say how its JSON holds user text (JSON_TEXT_*) or list it in NOT_USER_TEXT"
                )
            else:
                value = text
            model.objects.filter(pk=pk).update(**{field.name: value})
    return markers


# ---------------------------------------------------------------------------------------------
# Checking HTML.


_MARK = re.compile(r"zq\d{3}q")


class _Inspector(HTMLParser):
    """Collects every element and attribute that user text could have produced."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.unisolated: list[str] = []  # user text not inside <bdi> or an element with dir
        self._in_script = False
        self._stack: list[tuple[str, bool]] = []  # (tag, isolates its content)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID_ELEMENTS:
            self._stack.append((tag, tag in {"bdi", "title", "option", "textarea", "script"} or "dir" in attrs))
        if tag == "script":
            self._in_script = True
            if "src" not in attrs and attrs.get("type") != "application/json":
                self.problems.append(f"inline <script {attrs}>")
        if tag in {"iframe", "object", "embed"}:
            self.problems.append(f"<{tag}> element")
        if tag == "img" and attrs.get("src") == "x":
            self.problems.append("<img src=x> from a payload")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._in_script and "xss" in data:
            self.problems.append(f"payload inside <script>: {data[:60]!r}")
        # Choice labels of Django's widgets (<label> around a checkbox) are rendered by Django, not our templates.
        in_widget_label = bool(self._stack) and self._stack[-1][0] == "label"
        if _MARK.search(data) and not in_widget_label and not any(isolating for _, isolating in self._stack):
            where = ">".join(t for t, _ in self._stack[-3:])
            self.unisolated.append(f"{where}: {data.strip()[:40]!r}")


def inspect_html(html: str, *, isolation: bool = False) -> list[str]:
    """Problems with user text in `html`; with `isolation`, also user text that is not bidi-isolated."""
    parser = _Inspector()
    parser.feed(html)
    parser.close()
    problems = parser.problems
    if isolation:
        problems += [f"not isolated (wrap in <bdi> or give dir): {u}" for u in parser.unisolated]
    for raw in ("<script>xss", "<script>x()", "<img src=x", "<svg onload", '<a href="javascript'):
        if raw in html:
            problems.append(f"raw {raw!r} in the page")
    if "WSGIRequest" in html:
        problems.append("user text was evaluated as a template")
    return problems


_HREF = re.compile(r'href="([^"#][^"]*)"')
_SKIP = ("/static/", "/admin/", "/accounts/logout", "/api/v1/docs", "mailto:", "http://", "https://", "//")


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", url)


def crawl(client: Client, seeds: list[str], *, max_pages: int = 400, per_shape: int = 2):
    """GET every same-site page reachable from the seeds (a few of each URL shape)."""
    seen, shapes, queue, bodies = set(), {}, list(seeds), []
    while queue and len(seen) < max_pages:
        url = urldefrag(queue.pop(0)).url
        if url in seen or url.startswith(_SKIP) or not url.startswith("/"):
            continue
        shape = _shape(url)
        if shapes.get(shape, 0) >= per_shape and url not in seeds:
            continue
        seen.add(url)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if response.status_code != 200:
            continue
        kind = response.get("Content-Type", "")
        bodies.append((url, kind, response.content))
        if kind.startswith("text/html"):
            html = response.content.decode()
            queue.extend(h.replace("&amp;", "&") for h in _HREF.findall(html))
    return bodies


def _download_text(kind: str, content: bytes) -> str:
    if content[:2] == b"PK":  # DOCX or a zip of CSV files
        with zipfile.ZipFile(io.BytesIO(content)) as files:
            return "\n".join(files.read(n).decode("utf-8", "replace") for n in files.namelist())
    return content.decode("utf-8", "replace")


@pytest.fixture
def hostile(db):
    call_command("demo", stdout=io.StringIO())
    extra = _walk_missing_journeys()
    markers = _inject_payloads()
    return markers, extra


def _seeds(extra):
    from convene.communities.models import Invitation
    from convene.deliberation.models import OpinionRequest
    from convene.discussions.models import Thread
    from convene.projects.models import HelpRequest, Project

    seeds = ["/", "/communities/", reverse("accounts:profile")]
    seeds += [reverse("deliberation:track", kwargs={"token": r.token}) for r in OpinionRequest.objects.all()]
    seeds += [reverse("communities:invitation", kwargs={"token": i.token}) for i in Invitation.objects.all()]
    seeds += [reverse("deliberation:detail", kwargs={"pk": extra["response"].pk})]
    seeds += [reverse("discussions:list", kwargs={"slug": "psychiatry"})]
    seeds += [reverse("discussions:thread", kwargs={"thread_id": t.pk}) for t in Thread.objects.all()]
    seeds += [reverse("projects:detail", kwargs={"project_id": p.pk}) for p in Project.objects.all()]
    seeds += [reverse("projects:request_detail", kwargs={"request_id": h.pk}) for h in HelpRequest.objects.all()]
    return seeds


def test_every_text_field_is_covered_or_explained():
    labels = {label for label, _, _ in text_fields()}
    assert sorted(set(NOT_USER_TEXT) - labels) == [], "NOT_USER_TEXT names fields that no longer exist"
    assert sorted(set(NOT_SHOWN) - labels) == [], "NOT_SHOWN names fields that no longer exist"
    json_fields = {label for label, _, f in covered_fields() if isinstance(f, models.JSONField)}
    assert json_fields == JSON_TEXT_LISTS | JSON_TEXT_KEYS, "say how each JSON field holds user text"


def test_payloads_in_every_text_field_stay_inert(hostile):
    from convene.accounts.models import User

    markers, extra = hostile
    people = ["coordinator@example.org", "ignite.coordinator@example.org", "member01@example.org", None]
    found, problems, pages = set(), [], 0
    for email in people:
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        for url, kind, content in crawl(client, _seeds(extra)):
            if kind.startswith("text/html"):
                pages += 1
                text = content.decode()
                # allauth's own pages (/accounts/) are not ours to mark up
                isolation = not url.startswith("/accounts/")
                problems += [f"{url} ({email}): {p}" for p in inspect_html(text, isolation=isolation)]
            else:
                assert "html" not in kind, f"{url} is served as {kind}"
                text = _download_text(kind, content)
            found |= {label for label, mark in markers.items() if mark in text}
    # The API shows some fields no page lists (e.g. an opinion request's contact details).
    api = Client()
    api.force_login(User.objects.get(email="coordinator@example.org"))
    delivered = extra["response"].pk
    for path in ["/me/profile", "/me/tokens", "/me/diversity", f"/deliberation/responses/{delivered}/draft/versions"]:
        reply = api.get(f"/api/v1{path}")
        assert reply.status_code == 200, path
        found |= {label for label, mark in markers.items() if mark in reply.content.decode()}
    # A declared conflict is shown to the person who declared it.
    conflicted = Client()
    conflicted.force_login(extra["conflicted"])
    page = conflicted.get(reverse("projects:detail", kwargs={"project_id": extra["project"].pk})).content.decode()
    problems += inspect_html(page)
    found |= {label for label, mark in markers.items() if mark in page}
    assert not problems, "\n".join(problems[:400])
    assert pages >= 40, pages
    assert sorted(found & set(NOT_SHOWN)) == [], "shown after all: take these out of NOT_SHOWN"
    missing = sorted(set(markers) - found - set(NOT_SHOWN))
    assert missing == [], f"no page, export or API showed {missing} (add a page or list them in NOT_SHOWN)"


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "javascript:alert(1)",
        "{{ request }}{% debug %}",
        "[x](javascript:alert(1)) <a href='javascript:alert(1)'>a</a> ![i](x onerror=alert(1))",
    ],
)
def test_payload_variants_in_the_markdown_draft(world, payload):
    """The draft is the one text rendered as Markdown: each payload alone, through the API."""
    from convene.deliberation import services
    from convene.deliberation.models import Phase

    from ..conftest import ApiClient

    coordinator = world.users["coordinator"]
    response = services.response_create(community=world.public, creator=coordinator, title="T", what_changed="W")
    now = timezone.now()
    services.response_update(response=response, actor=coordinator, gathering_ends=now + timedelta(days=1))
    services.response_transition(response=response, actor=coordinator, to=Phase.GATHERING)
    services.response_transition(response=response, actor=coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    api = ApiClient(coordinator)
    saved = api.put(
        f"/deliberation/responses/{response.pk}/draft",
        {"text": f"Para {payload}\n\n# {payload}\n\n* {payload}", "base_version": response.draft_version},
    )
    assert saved.status_code == 200, saved.content
    assert api.get(f"/deliberation/responses/{response.pk}/draft").json()["text"].count(payload) == 3
    client = world.client("coordinator")
    for url in [reverse(f"deliberation:{name}", kwargs={"pk": response.pk}) for name in ("draft", "versions", "final")]:
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert inspect_html(html) == [], url
        assert "WSGIRequest" not in html, url


def test_links_refuse_javascript_urls(world, api):
    """URL fields take http(s) only: a javascript: link is refused with 400/422, never stored."""
    from convene.deliberation.models import JointResponse

    coordinator = api("coordinator")
    for url in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<script>"]:
        r = coordinator.post(
            "/deliberation/communities/pub/responses", {"title": "T", "what_changed": "W", "source_url": url}
        )
        assert r.status_code in (400, 422), (url, r.status_code)
        assert set(r.json()) == {"detail", "code"}
        created = coordinator.post("/convening/communities/pub/sessions", {"title": "S", "online_link": url})
        assert created.status_code in (400, 422), (url, created.status_code, created.content)
    assert not JointResponse.objects.filter(source_url__icontains="javascript").exists()
