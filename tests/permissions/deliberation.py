"""Decisions for joint-response routes. Order: anon, outsider, guest, member, coordinator.

The response lives in the private community "priv" (so strangers get 404) and is gathering
views; routes of later phases answer 409 (wrong phase) to the people allowed to call them.
The ordinary response lets guests read it (`guests_can_read`); the anonymous one keeps the
default, so a guest who did not take part gets 404 on every one of its routes.
"""

from dataclasses import replace
from datetime import date, timedelta

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from convene.deliberation.models import (
    JointResponse,
    MinorityView,
    OpinionRequest,
    Phase,
    Statement,
    StatementState,
)

from . import Case


def setup(world):
    o = world.objects
    now = timezone.now()
    response = JointResponse.objects.create(
        community=world.private,
        title="A new referral rule",
        what_changed="Referrals now go through a central desk.",
        state=Phase.GATHERING,
        gathering_ends=now + timedelta(days=3),
        guests_can_read=True,
    )
    response.communities.add(world.private)
    o["response"] = response
    o["statement"] = Statement.objects.create(
        response=response, text="The central desk slows things down.", state=StatementState.ACCEPTED
    )
    o["minority"] = MinorityView.objects.create(response=response, text="Keep direct referrals.")
    # The same response in anonymous mode: every route must decide alike (and leak nobody; see
    # tests/deliberation/test_anonymous.py).
    anonymous = JointResponse.objects.create(
        community=world.private,
        title="An anonymous consultation",
        what_changed="Night shifts change.",
        state=Phase.GATHERING,
        gathering_ends=now + timedelta(days=3),
        anonymous=True,
    )
    anonymous.communities.add(world.private)
    o["anon_response"] = anonymous
    o["anon_statement"] = Statement.objects.create(
        response=anonymous, text="Nights are hard.", state=StatementState.ACCEPTED
    )
    o["anon_minority"] = MinorityView.objects.create(response=anonymous, text="Keep the old rota.")
    o["opinion_request"] = OpinionRequest.objects.create(
        community=world.private,
        requester_name="Ada",
        organisation="Health Board",
        contact="ada@example.com",
        question="What do you think?",
        deadline=date.today() + timedelta(days=60),
    )
    cache.delete("deliberation:opinion-requests:127.0.0.1")


R = lambda w: {"pk": w.objects["response"].pk}  # noqa: E731
PRIV = lambda w: {"slug": "priv"}  # noqa: E731
REQ = lambda w: {"slug": "priv", "request_id": w.objects["opinion_request"].pk}  # noqa: E731
TOKEN = lambda w: {"token": w.objects["opinion_request"].token}  # noqa: E731


def _dates(w):
    now = timezone.now()
    return {
        "accept-gathering_ends": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "accept-drafting_ends": (now + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "accept-endorsement_ends": (now + timedelta(days=15)).strftime("%Y-%m-%dT%H:%M"),
        "action": "accept",
    }


WEB = [
    Case("deliberation:list", (404, 404, 200, 200, 200), PRIV),
    Case("deliberation:list", (200, 200, 200, 200, 200), lambda w: {"slug": "pub"}),
    Case("deliberation:create", (302, 404, 403, 200, 200), PRIV),
    Case("deliberation:import", (302, 404, 403, 403, 200), PRIV),
    Case("deliberation:import", (302, 404, 403, 403, 400), PRIV, method="POST", note="no file: the form's 400"),
    Case("deliberation:ask", (404, 404, 200, 200, 200), PRIV),
    Case("deliberation:ask", (200, 200, 200, 200, 200), lambda w: {"slug": "pub"}, note="public form"),
    Case("deliberation:requests", (302, 404, 403, 403, 200), PRIV),
    Case("deliberation:request_decide", (302, 404, 403, 403, 200), REQ),
    Case("deliberation:request_decide", (302, 404, 403, 403, 302), REQ, method="POST", data=_dates),
    Case("deliberation:request_relink", (302, 404, 403, 403, 302), REQ, method="POST"),
    Case("deliberation:request_relink", (302, 405, 405, 405, 405), REQ, note="POST only"),
    Case("deliberation:track", (200, 200, 200, 200, 200), TOKEN, note="the token is the credential"),
    Case(
        "deliberation:track_download",
        (404, 404, 404, 404, 404),
        lambda w: {"token": w.objects["opinion_request"].token, "fmt": "md"},
        note="nothing delivered yet",
    ),
    Case("deliberation:detail", (404, 404, 200, 200, 200), R),
    Case("deliberation:settings", (302, 404, 403, 403, 200), R),
    Case("deliberation:transition", (302, 404, 403, 403, 302), R, method="POST", data=lambda w: {"to": "drafting"}),
    Case(
        "deliberation:phase_confirm",
        (302, 404, 403, 403, 200),
        lambda w: {"pk": w.objects["response"].pk, "phase": "withdrawn"},
        note="the confirmation page of a move that is never one click",
    ),
    Case("deliberation:vote", (302, 404, 403, 200, 200), R),
    Case(
        "deliberation:vote",
        (302, 404, 403, 302, 302),
        R,
        method="POST",
        data=lambda w: {"statement": w.objects["statement"].pk, "value": "1"},
    ),
    Case(
        "deliberation:statement_add",
        (302, 404, 403, 302, 302),
        R,
        method="POST",
        data=lambda w: {"text": "Another view."},
    ),
    Case("deliberation:moderation", (302, 404, 403, 403, 200), R),
    Case("deliberation:seed", (302, 404, 403, 403, 200), R),
    Case(
        "deliberation:seed",
        (302, 404, 403, 403, 302),
        R,
        method="POST",
        data=lambda w: {"file": SimpleUploadedFile("seed.csv", b"statement\nA seeded view\n", "text/csv")},
    ),
    Case(
        "deliberation:moderate",
        (302, 404, 403, 403, 302),
        lambda w: {"pk": w.objects["response"].pk, "statement_id": w.objects["statement"].pk},
        method="POST",
        data=lambda w: {"decision": "meta"},
    ),
    Case("deliberation:map", (404, 404, 200, 200, 200), R),
    Case("deliberation:perception", (302, 404, 403, 200, 200), R),
    Case("deliberation:draft", (404, 404, 200, 200, 200), R),
    Case("deliberation:versions", (404, 404, 200, 200, 200), R),
    Case("deliberation:comment", (302, 404, 403, 302, 302), R, method="POST", note="wrong phase: flash"),
    Case("deliberation:minority_add", (302, 404, 403, 302, 302), R, method="POST"),
    Case(
        "deliberation:minority_answer",
        (302, 404, 403, 302, 302),
        lambda w: {"pk": w.objects["response"].pk, "view_id": w.objects["minority"].pk},
        method="POST",
        data=lambda w: {"answer": "We hear you."},
    ),
    Case("deliberation:endorse", (404, 404, 200, 200, 200), R),
    Case("deliberation:final", (404, 404, 200, 200, 200), R),
    Case("deliberation:download", (404, 404, 200, 200, 200), lambda w: {"pk": w.objects["response"].pk, "fmt": "md"}),
    Case(
        "deliberation:download",
        (404, 404, 200, 200, 200),
        lambda w: {"pk": w.objects["response"].pk, "fmt": "pdf"},
        note="the PDF",
    ),
    Case("deliberation:polis", (404, 404, 403, 200, 200), R),
]

D = "/api/v1/deliberation"
RID = lambda w: {"response_id": w.objects["response"].pk}  # noqa: E731
SID = lambda w: {"response_id": w.objects["response"].pk, "statement_id": w.objects["statement"].pk}  # noqa: E731


def _request_body(w):
    return {
        "requester_name": "Ben",
        "organisation": "Ministry",
        "contact": "ben@example.com",
        "question": "Your view on the new rule?",
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
    }


def _accept_body(w):
    now = timezone.now()
    return {"gathering_ends": (now + timedelta(days=5)).isoformat()}


API = [
    Case(f"GET {D}/communities/{{slug}}/responses", (401, 404, 200, 200, 200), PRIV),
    Case(
        f"POST {D}/communities/{{slug}}/responses",
        (401, 404, 403, 201, 201),
        PRIV,
        data=lambda w: {"title": "New tool", "what_changed": "A new triage app."},
    ),
    Case(
        f"POST {D}/communities/{{slug}}/opinion-requests",
        (404, 404, 201, 201, 201),
        PRIV,
        data=_request_body,
        note="public route; the community must be visible",
    ),
    Case(f"GET {D}/communities/{{slug}}/opinion-requests", (401, 404, 403, 403, 200), PRIV),
    Case(
        f"POST {D}/communities/{{slug}}/responses/import-polis",
        (401, 404, 403, 403, 201),
        PRIV,
        data=lambda w: {
            "title": "Imported",
            "files": {
                "comments.csv": "comment-id,comment-body\n0,A view\n",
                "votes.csv": "comment-id,voter-id,vote\n0,1,1\n",
            },
        },
    ),
    Case(
        f"POST {D}/communities/{{slug}}/opinion-requests/{{request_id}}/accept",
        (401, 404, 403, 403, 201),
        REQ,
        data=_accept_body,
    ),
    Case(
        f"POST {D}/communities/{{slug}}/opinion-requests/{{request_id}}/decline",
        (401, 404, 403, 403, 200),
        REQ,
        data=lambda w: {"reason": "Outside our practice."},
    ),
    Case(
        f"POST {D}/communities/{{slug}}/opinion-requests/{{request_id}}/relink",
        (401, 404, 403, 403, 200),
        REQ,
        data=lambda w: {},
    ),
    Case(f"GET {D}/opinion-requests/{{token}}", (200, 200, 200, 200, 200), TOKEN),
    Case(f"GET {D}/responses/{{response_id}}", (401, 404, 200, 200, 200), RID),
    Case(f"PATCH {D}/responses/{{response_id}}", (401, 404, 403, 403, 200), RID, data=lambda w: {"hide_results": True}),
    Case(
        f"POST {D}/responses/{{response_id}}/transition",
        (401, 404, 403, 403, 200),
        RID,
        data=lambda w: {"to": "drafting"},
    ),
    Case(f"GET {D}/responses/{{response_id}}/statements", (401, 404, 200, 200, 200), RID),
    Case(f"GET {D}/responses/{{response_id}}/statements/mine", (401, 404, 403, 200, 200), RID),
    Case(
        f"POST {D}/responses/{{response_id}}/statements",
        (401, 404, 403, 201, 201),
        RID,
        data=lambda w: {"text": "Mine."},
    ),
    Case(
        f"POST {D}/responses/{{response_id}}/statements/{{statement_id}}/moderation",
        (401, 404, 403, 403, 200),
        SID,
        data=lambda w: {"decision": "accept"},
    ),
    Case(f"GET {D}/responses/{{response_id}}/next", (401, 404, 403, 200, 200), RID),
    Case(
        f"POST {D}/responses/{{response_id}}/votes",
        (401, 404, 403, 200, 200),
        RID,
        data=lambda w: {"statement": w.objects["statement"].pk, "value": 1},
    ),
    Case(f"GET {D}/responses/{{response_id}}/map", (401, 404, 200, 200, 200), RID),
    Case(f"GET {D}/responses/{{response_id}}/coverage", (401, 404, 200, 200, 200), RID),
    Case(
        f"POST {D}/responses/{{response_id}}/predictions",
        (401, 404, 403, 409, 409),
        RID,
        data=lambda w: {"statement": w.objects["statement"].pk, "target": "pub", "share": 50},
        note="no perception step on this response",
    ),
    Case(f"GET {D}/responses/{{response_id}}/perception", (401, 404, 200, 200, 200), RID),
    Case(f"GET {D}/responses/{{response_id}}/draft", (401, 404, 200, 200, 200), RID),
    Case(
        f"PUT {D}/responses/{{response_id}}/draft",
        (401, 404, 403, 409, 409),
        RID,
        data=lambda w: {"text": "Draft", "base_version": 0},
        note="not drafting yet",
    ),
    Case(f"GET {D}/responses/{{response_id}}/draft/versions", (401, 404, 200, 200, 200), RID),
    Case(f"GET {D}/responses/{{response_id}}/draft/comments", (401, 404, 200, 200, 200), RID),
    Case(
        f"POST {D}/responses/{{response_id}}/draft/comments",
        (401, 404, 403, 409, 409),
        RID,
        data=lambda w: {"paragraph": "0" * 16, "text": "Hm"},
    ),
    Case(
        f"POST {D}/responses/{{response_id}}/minority-views",
        (401, 404, 403, 409, 409),
        RID,
        data=lambda w: {"text": "Another minority view"},
    ),
    Case(
        f"POST {D}/responses/{{response_id}}/minority-views/{{view_id}}/answer",
        (401, 404, 403, 409, 409),
        lambda w: {"response_id": w.objects["response"].pk, "view_id": w.objects["minority"].pk},
        data=lambda w: {"answer": "Answered"},
    ),
    Case(
        f"POST {D}/responses/{{response_id}}/endorsements",
        (401, 404, 403, 409, 409),
        RID,
        data=lambda w: {"stance": "endorse"},
    ),
    Case(f"GET {D}/responses/{{response_id}}/endorsements", (401, 404, 200, 200, 200), RID),
    Case(f"GET {D}/responses/{{response_id}}/document", (401, 404, 200, 200, 200), RID),
    Case(f"GET {D}/responses/{{response_id}}/polis-export", (401, 404, 403, 200, 200), RID),
    Case(
        f"POST {D}/responses/{{response_id}}/statements/seed",
        (401, 404, 403, 403, 201),
        RID,
        data=lambda w: {"csv": "statement\nAn API seeded view\n"},
    ),
]


class _AnonymousMode:
    """The world as seen by a case, with the anonymous response in place of the ordinary one."""

    def __init__(self, world):
        self._world = world
        o = world.objects
        self.objects = {
            **o,
            "response": o["anon_response"],
            "statement": o["anon_statement"],
            "minority": o["anon_minority"],
        }

    def __getattr__(self, name):
        return getattr(self._world, name)


def _in_anonymous_mode(case: Case) -> Case:
    kwargs, data = case.kwargs, case.data
    anon, outsider, _guest, member, coordinator = case.expect
    return replace(
        case,
        expect=(anon, outsider, 404, member, coordinator),  # guests read it only if allowed (default: no)
        kwargs=lambda w: kwargs(_AnonymousMode(w)),
        data=None if data is None else (lambda w: data(_AnonymousMode(w))),
        note=f"anonymous mode, not readable by guests{'; ' + case.note if case.note else ''}",
    )


_NOT_RESPONSE_ROUTES = {
    "deliberation:list",
    "deliberation:create",
    "deliberation:import",
    "deliberation:ask",
    "deliberation:requests",
    "deliberation:request_decide",
    "deliberation:request_relink",
    "deliberation:track",
    "deliberation:track_download",
}
WEB += [_in_anonymous_mode(c) for c in list(WEB) if c.route not in _NOT_RESPONSE_ROUTES]
API += [_in_anonymous_mode(c) for c in list(API) if "/responses/{response_id}" in c.route]
