"""Fixtures for the whole suite: a small world with every role on a public and a private community."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.utils import translation

from convene.communities.models import Role

from .factories import CommunityFactory, MembershipFactory, TermFactory, UserFactory

ROLES = ("anonymous", "outsider", "guest", "member", "coordinator")


@dataclass
class World:
    users: dict
    public: object
    private: object
    objects: dict = field(default_factory=dict)  # app fixtures add what their routes need

    def client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


def build_world() -> World:
    users = {
        "outsider": UserFactory(email="outsider@example.com", name="Olive Outsider"),
        "guest": UserFactory(email="guest@example.com", name="Gus Guest"),
        "member": UserFactory(email="member@example.com", name="Mia Member"),
        "coordinator": UserFactory(email="coordinator@example.com", name="Cora Coordinator"),
    }
    public = CommunityFactory(slug="pub", name="Public Practice")
    private = CommunityFactory(slug="priv", name="Private Practice", visibility="private")
    for community in (public, private):
        MembershipFactory(community=community, user=users["guest"], role=Role.GUEST)
        MembershipFactory(community=community, user=users["member"], role=Role.MEMBER)
        MembershipFactory(community=community, user=users["coordinator"], role=Role.COORDINATOR)
    world = World(users=users, public=public, private=private)
    world.objects["public_term"] = TermFactory(community=public, term="client")
    world.objects["private_term"] = TermFactory(community=private, term="patient")
    return world


@pytest.fixture(autouse=True)
def _activity_catalogue(request, django_db_blocker):
    """Transactional tests truncate every table, including rows that migrations load; put the
    shipped activity catalogue back before any test that touches the database."""
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db", "live_server", "world"} & set(request.fixturenames)
    ):
        return
    from convene.convening.services import ensure_catalogue

    with django_db_blocker.unblock():
        ensure_catalogue()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded files (attachments) go to a fresh temporary folder, never the checkout's var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and debounce keys live in the (per-process) cache: start every test empty,
    since rolled-back tests reuse primary keys on SQLite and counts would carry over."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """LocaleMiddleware activates the request's language in the thread and leaves it there: a test that
    asked for Chinese pages must not make the next test's services speak Chinese."""
    yield
    translation.deactivate()


@pytest.fixture
def redis_cache(settings):
    """The default cache on Redis database 12 (skips without Redis); the raw client to inspect it."""
    import redis
    from django.core.cache import caches

    raw = redis.Redis(host="127.0.0.1", port=6379, db=12, socket_connect_timeout=1)
    try:
        raw.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {"BACKEND": "convene.core.cache.FailOpenRedisCache", "LOCATION": "redis://127.0.0.1:6379/12"}
    }
    caches["default"].clear()
    yield raw
    caches["default"].clear()


@pytest.fixture
def world(db) -> World:
    return build_world()


class ApiClient:
    """JSON client for /api/v1/ with a bearer token or no credentials."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            from convene.accounts.services import api_token_create

            _, secret = api_token_create(user=user, name="tests")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def call(self, method: str, path: str, data=None, **extra):
        kwargs = {**self.headers, **extra}
        if data is not None and "content_type" not in kwargs:
            kwargs["content_type"] = "application/json"
            data = json.dumps(data)
        response = (
            getattr(self.client, method.lower())(f"/api/v1{path}", data, **kwargs)
            if data is not None
            else getattr(self.client, method.lower())(f"/api/v1{path}", **kwargs)
        )
        return response

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, data=None, **kw):
        return self.call("POST", path, data if data is not None else {}, **kw)

    def patch(self, path, data=None, **kw):
        return self.call("PATCH", path, data if data is not None else {}, **kw)

    def put(self, path, data=None, **kw):
        return self.call("PUT", path, data if data is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture
def api(world):
    def make(role: str) -> ApiClient:
        return ApiClient(None if role == "anonymous" else world.users[role])

    return make
