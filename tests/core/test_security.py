"""Web security baseline: deploy checks, headers, no inline script, escaping, login rate limit."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from ..conftest import build_world
from ..permissions import ROLES, all_cases, setup_world

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def test_check_deploy_is_clean_in_production(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set by the browser tests
        "CONVENE_ENV": "production",
        "SECRET_KEY": "x" * 20 + "-production-secret-for-the-check-only-0123456789",
        "ALLOWED_HOSTS": "convene.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "convene.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "convene", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(CONVENE_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-m", "convene", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_security_headers(client, db):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _pages_for(role):
    return [c for c in all_cases("WEB") if c.method == "GET" and c.expect[ROLES.index(role)] == 200]


@pytest.mark.parametrize("role", ["anonymous", "member", "coordinator"])
def test_no_inline_script_or_style_on_any_page(db, role):
    """CSP forbids inline script and style attributes; make sure no page relies on them."""
    world = build_world()
    setup_world(world)
    client = world.client(role)
    checked = 0
    for case in _pages_for(role):
        url = reverse(case.route, kwargs=case.kwargs(world))
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # downloads (CSV, DOCX, JSON) are not pages
        html = response.content.decode()
        for pattern, what in [
            (INLINE_SCRIPT, "inline <script>"),
            (INLINE_HANDLER, "inline event handler"),
            (STYLE_ATTR, "style attribute"),
        ]:
            match = pattern.search(html)
            assert match is None, f"{what} on {url}: {match.group(0)[:120]}"
        checked += 1
    assert checked >= 4


PAYLOADS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)//"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_text_is_escaped(world, payload):
    from convene.accounts.services import profile_update
    from convene.communities import services

    coordinator = world.users["coordinator"]
    community = services.community_create(
        creator=coordinator, name=f"Evil {payload}"[:120], slug="evil", domain=payload, description=payload
    )
    services.glossary_term_save(community=community, actor=coordinator, term=payload[:80], definition=payload)
    profile_update(user=coordinator, display_name=payload[:80], bio=payload)
    client = world.client("coordinator")
    for url in [
        "/",
        "/communities/",
        "/c/evil/",
        "/c/evil/members/",
        "/c/evil/glossary/",
        "/me/profile/",
        "/c/evil/audit/",
    ]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url


def test_login_is_rate_limited(client, db):
    from ..factories import PASSWORD, UserFactory

    user = UserFactory(email="target@example.com")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert b"Too many failed logins" in response.content


def test_static_files_are_served_without_collectstatic(client, db):
    """`make run` serves the stylesheet and htmx without DEBUG or collectstatic (WhiteNoise finders)."""
    for path in ["/static/css/convene.css", "/static/vendor/htmx.min.js", "/static/js/convene.js"]:
        response = client.get(path)
        assert response.status_code == 200, path


def test_api_writes_are_rate_limited_per_caller(world, api, settings):
    """Writes over CONVENE_API_WRITES_PER_MINUTE get 429 with Retry-After; reads and other callers go on."""
    settings.CONVENE_API_WRITES_PER_MINUTE = 3
    member, other = api("member"), api("coordinator")
    for n in range(3):
        assert member.patch("/me/profile", {"bio": f"bio {n}"}).status_code == 200
    refused = member.patch("/me/profile", {"bio": "one too many"})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited" and set(refused.json()) == {"detail", "code"}
    assert 1 <= int(refused["Retry-After"]) <= 60
    world.users["member"].profile.refresh_from_db()
    assert world.users["member"].profile.bio == "bio 2"  # the refused write changed nothing
    assert member.get("/me/profile").status_code == 200  # reads are not counted
    assert other.patch("/me/profile", {"bio": "mine"}).status_code == 200  # per caller
    # a browser session is counted per user, CSRF or not
    session = world.client("guest")
    for _ in range(3):
        session.patch("/api/v1/me/profile", "{}", content_type="application/json")
    assert session.patch("/api/v1/me/profile", "{}", content_type="application/json").status_code == 429


def test_api_rate_limit_can_be_turned_off(world, api, settings):
    settings.CONVENE_API_WRITES_PER_MINUTE = 0
    member = api("member")
    assert all(member.patch("/me/profile", {"bio": "x"}).status_code == 200 for _ in range(5))


def test_api_write_counter_on_redis_counts_in_one_key_with_an_expiry(settings, rf, redis_cache):
    """On Redis (several processes) the write counter is one shared key per caller and minute, with an expiry."""
    from convene.core.middleware import api_write_refusal

    settings.CONVENE_API_WRITES_PER_MINUTE = 2
    request = rf.post("/api/v1/x", HTTP_AUTHORIZATION="Bearer cvn_redis-counter-test")
    answers = [api_write_refusal(request) for _ in range(3)]
    assert answers[:2] == [None, None] and answers[2].status_code == 429
    keys = redis_cache.keys("*api-writes*")
    assert len(keys) == 1 and 0 < redis_cache.ttl(keys[0]) <= 120
