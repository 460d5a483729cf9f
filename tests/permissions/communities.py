"""Decisions for communities and accounts routes. Order: anon, outsider, guest, member, coordinator."""

import json

from convene.accounts.services import api_token_create
from convene.communities.models import Invitation, Membership, TermMapping
from convene.core.portability import community_export

from . import Case


def setup(world):
    priv = world.private
    o = world.objects
    o["invitation"] = Invitation.objects.create(community=priv, email="new@example.com")
    o["priv_member"] = Membership.objects.get(community=priv, user=world.users["member"])
    o["priv_guest"] = Membership.objects.get(community=priv, user=world.users["guest"])
    o["mapping"] = TermMapping.objects.create(source=o["private_term"], target=o["public_term"])
    o["member_token"], _ = api_token_create(user=world.users["member"], name="matrix")


def _export(world) -> dict:
    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(community_export(world.private), cls=DjangoJSONEncoder))


def _export_file(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = json.dumps(_export(world)).encode()
    return SimpleUploadedFile("export.json", body, content_type="application/json")


PRIV = lambda w: {"slug": "priv"}  # noqa: E731
PUB = lambda w: {"slug": "pub"}  # noqa: E731
TERM = lambda w: {"slug": "priv", "term_id": w.objects["private_term"].pk}  # noqa: E731
MEMBER = lambda w: {"slug": "priv", "membership_id": w.objects["priv_member"].pk}  # noqa: E731
GUEST_M = lambda w: {"slug": "priv", "membership_id": w.objects["priv_guest"].pk}  # noqa: E731

WEB = [
    Case("core:home", (200, 200, 200, 200, 200)),
    Case("core:accessibility", (200, 200, 200, 200, 200), note="public: the statement is for everyone"),
    Case("core:healthz", (200, 200, 200, 200, 200), note="no data, only whether the database answers"),
    Case("communities:list", (200, 200, 200, 200, 200)),
    Case("communities:create", (302, 200, 200, 200, 200)),
    Case("communities:import", (302, 200, 200, 200, 200), note="the form; importing needs the source's coordinator"),
    Case(
        "communities:import",
        (302, 400, 400, 400, 302),
        method="POST",
        data=lambda w: {"file": _export_file(w), "slug": "priv-copy"},
        note="a file of the private community: only its coordinator may copy it (others: the form with the reason)",
    ),
    Case(
        "communities:invitation",
        (200, 200, 200, 200, 200),
        lambda w: {"token": w.objects["invitation"].token},
        note="the token is the credential",
    ),
    Case("communities:detail", (404, 404, 200, 200, 200), PRIV),
    Case("communities:detail", (200, 200, 200, 200, 200), PUB),
    Case("communities:edit", (302, 404, 403, 403, 200), PRIV),
    Case(
        "communities:join",
        (302, 404, 302, 302, 302),
        PRIV,
        method="POST",
        note="members/guests get a flash message (already in it) and a redirect",
    ),
    Case("communities:leave", (302, 404, 302, 302, 302), PRIV, method="POST"),
    Case("communities:member_erase", (302, 404, 403, 403, 200), MEMBER),
    Case(
        "communities:member_erase",
        (302, 404, 403, 403, 200),
        MEMBER,
        method="POST",
        data=lambda w: {"reason": ""},
        note="coordinators get the form back (reason and confirmation required); nothing is removed",
    ),
    Case("communities:members", (302, 404, 403, 200, 200), PRIV),
    Case("communities:member", (302, 404, 403, 200, 200), MEMBER),
    Case(
        "communities:member_role", (302, 404, 403, 403, 302), MEMBER, method="POST", data=lambda w: {"role": "member"}
    ),
    Case("communities:member_remove", (302, 404, 403, 403, 302), GUEST_M, method="POST"),
    Case("communities:requests", (302, 404, 403, 403, 200), PRIV),
    Case("communities:invitations", (302, 404, 403, 403, 200), PRIV),
    Case("communities:message", (302, 404, 403, 403, 200), PRIV, note="coordinators write to every member"),
    Case("communities:glossary", (302, 404, 200, 200, 200), PRIV),
    Case("communities:term_edit", (302, 404, 403, 200, 200), TERM),
    Case("communities:term_delete", (302, 404, 403, 302, 302), TERM, method="POST"),
    Case("communities:term_map", (302, 404, 403, 200, 200), TERM),
    Case(
        "communities:mapping_delete",
        (302, 404, 403, 302, 302),
        lambda w: {"slug": "priv", "mapping_id": w.objects["mapping"].pk},
        method="POST",
    ),
    Case("communities:compare", (302, 404, 200, 200, 200), lambda w: {"slug": "priv", "other": "pub"}),
    Case("communities:audit", (302, 404, 403, 403, 200), PRIV),
    Case("communities:export", (302, 404, 403, 403, 200), PRIV),
    Case("accounts:profile", (302, 200, 200, 200, 200)),
    Case("accounts:diversity", (302, 200, 200, 200, 200)),
    Case("accounts:token_create", (302, 302, 302, 302, 302), method="POST", note="empty name: flash + redirect"),
    Case(
        "accounts:token_revoke",
        (302, 404, 404, 302, 404),
        lambda w: {"token_id": w.objects["member_token"].pk},
        method="POST",
        note="only the owner finds the token",
    ),
    Case("accounts:token_created", (302, 302, 302, 302, 302), note="no new token pending: back to the profile"),
    Case("accounts:data", (302, 200, 200, 200, 200)),
    Case("accounts:delete", (302, 200, 200, 200, 200)),
    Case(
        "accounts:delete",
        (302, 200, 200, 200, 200),
        method="POST",
        data=lambda w: {"confirm": "no"},
        note="without DELETE typed the form comes back with its error; nothing is deleted",
    ),
]

C = "/api/v1/communities"
API = [
    Case(f"GET {C}/", (200, 200, 200, 200, 200)),
    Case(f"POST {C}/", (401, 201, 201, 201, 201), data=lambda w: {"name": "New one", "domain": "d"}),
    Case(f"GET {C}/{{slug}}", (404, 404, 200, 200, 200), PRIV),
    Case(f"PATCH {C}/{{slug}}", (401, 404, 403, 403, 200), PRIV, data=lambda w: {"description": "x"}),
    Case(f"DELETE {C}/{{slug}}", (401, 404, 403, 403, 204), PRIV),
    Case(f"GET {C}/{{slug}}/members", (401, 404, 403, 200, 200), PRIV),
    Case(f"GET {C}/{{slug}}/members/{{membership_id}}", (401, 404, 403, 200, 200), MEMBER),
    Case(
        f"PATCH {C}/{{slug}}/members/{{membership_id}}",
        (401, 404, 403, 403, 200),
        MEMBER,
        data=lambda w: {"role": "member"},
    ),
    Case(
        f"DELETE {C}/{{slug}}/members/{{membership_id}}",
        (401, 404, 204, 403, 204),
        GUEST_M,
        note="the guest's own membership: the guest may leave; others need to coordinate",
    ),
    Case(f"POST {C}/{{slug}}/join-requests", (401, 404, 409, 409, 409), PRIV, data=lambda w: {}),
    Case(f"GET {C}/{{slug}}/join-requests", (401, 404, 403, 403, 200), PRIV),
    Case(
        f"POST {C}/{{slug}}/join-requests/{{request_id}}/decision",
        (401, 404, 403, 403, 404),
        lambda w: {"slug": "priv", "request_id": 999999},
        data=lambda w: {"approve": True},
    ),
    Case(f"GET {C}/{{slug}}/invitations", (401, 404, 403, 403, 200), PRIV),
    Case(
        f"POST {C}/{{slug}}/messages",
        (401, 404, 403, 403, 201),
        PRIV,
        data=lambda w: {"text": "The next meeting moves to Thursday."},
        note="coordinators write to every member",
    ),
    Case(
        f"POST {C}/{{slug}}/invitations", (401, 404, 403, 403, 201), PRIV, data=lambda w: {"email": "fresh@example.com"}
    ),
    Case(f"GET {C}/{{slug}}/glossary", (401, 404, 200, 200, 200), PRIV),
    Case(
        f"POST {C}/{{slug}}/glossary",
        (401, 404, 403, 201, 201),
        PRIV,
        data=lambda w: {"term": "new term", "definition": "d"},
    ),
    Case(f"GET {C}/{{slug}}/glossary/{{term_id}}", (401, 404, 200, 200, 200), TERM),
    Case(
        f"PUT {C}/{{slug}}/glossary/{{term_id}}",
        (401, 404, 403, 200, 200),
        TERM,
        data=lambda w: {"term": "patient", "definition": "new"},
    ),
    Case(f"DELETE {C}/{{slug}}/glossary/{{term_id}}", (401, 404, 403, 204, 204), TERM),
    Case(f"GET {C}/{{slug}}/mappings", (401, 404, 200, 200, 200), PRIV),
    Case(
        f"POST {C}/{{slug}}/mappings",
        (401, 404, 403, 409, 409),
        PRIV,
        data=lambda w: {"source_term_id": w.objects["private_term"].pk, "target_term_id": w.objects["public_term"].pk},
        note="the mapping exists already: members reach the service and get 409",
    ),
    Case(f"GET {C}/{{slug}}/audit", (401, 404, 403, 403, 200), PRIV),
    Case(f"GET {C}/{{slug}}/export", (401, 404, 403, 403, 200), PRIV),
    Case(
        f"POST {C}/import",
        (401, 403, 403, 403, 201),
        data=_export,
        extra={"query": {"slug": "priv-copy"}},
        note="only a coordinator of the exported community may import it as a new one",
    ),
    Case("GET /api/v1/me/profile", (401, 200, 200, 200, 200)),
    Case("PATCH /api/v1/me/profile", (401, 200, 200, 200, 200), data=lambda w: {"bio": "hi"}),
    Case("GET /api/v1/me/diversity", (401, 200, 200, 200, 200)),
    Case("PUT /api/v1/me/diversity", (401, 200, 200, 200, 200), data=lambda w: {"answers": {}, "consent": False}),
    Case("DELETE /api/v1/me/diversity", (401, 204, 204, 204, 204)),
    Case("GET /api/v1/me/tokens", (401, 200, 200, 200, 200)),
    Case("POST /api/v1/me/tokens", (401, 201, 201, 201, 201), data=lambda w: {"name": "t"}),
    Case(
        "DELETE /api/v1/me/tokens/{token_id}",
        (401, 404, 404, 204, 404),
        lambda w: {"token_id": w.objects["member_token"].pk},
    ),
    Case("GET /api/v1/me/data", (401, 200, 200, 200, 200)),
    Case(
        f"POST {C}/{{slug}}/members/{{membership_id}}/erase",
        (401, 404, 403, 403, 204),
        MEMBER,
        data=lambda w: {"reason": "Asked by e-mail on 3 May"},
    ),
    # Last: deleting one's account signs the test client out (the database is rolled back, the cookie is not).
    Case(
        "DELETE /api/v1/me/account",
        (401, 204, 204, 204, 409),
        data=lambda w: {"confirm": "DELETE"},
        note="anyone may leave, except a community's only coordinator (409); the case is rolled back",
    ),
]
