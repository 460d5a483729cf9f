"""Decisions for discussions. Order: anon, outsider, guest, member, coordinator.

Threads are for members (and coordinators) of their community: the private community's thread is
404 to the outsider (the community is hidden) and 403 to its guest; hidden posts and threads are 404
to everyone but coordinators; only a post's author edits it, only coordinators hide.
"""

from django.utils import timezone

from convene.discussions.models import Post, Thread

from . import Case


def setup(world):
    o, users = world.objects, world.users
    thread = Thread.objects.create(community=world.private, title="Rota swaps", created_by=users["member"])
    o["thread"] = thread
    o["post"] = Post.objects.create(thread=thread, author=users["member"], body="Who can swap Friday?")
    o["hidden_post"] = Post.objects.create(
        thread=thread, author=users["member"], body="Off topic", hidden_at=timezone.now(), hidden_reason="Spam"
    )
    o["hidden_thread"] = Thread.objects.create(
        community=world.private, title="Old", created_by=users["member"], hidden_at=timezone.now(), hidden_reason="x"
    )
    o["public_thread"] = Thread.objects.create(community=world.public, title="Hello", created_by=users["member"])


PRIV = lambda w: {"slug": "priv"}  # noqa: E731
PUB = lambda w: {"slug": "pub"}  # noqa: E731
THREAD = lambda w: {"thread_id": w.objects["thread"].pk}  # noqa: E731
PUB_THREAD = lambda w: {"thread_id": w.objects["public_thread"].pk}  # noqa: E731
HIDDEN_THREAD = lambda w: {"thread_id": w.objects["hidden_thread"].pk}  # noqa: E731
POST = lambda w: {"post_id": w.objects["post"].pk}  # noqa: E731
HIDDEN_POST = lambda w: {"post_id": w.objects["hidden_post"].pk}  # noqa: E731
REPLY = {"body": "I can swap."}
NEW_THREAD = lambda w: {"title": "About this", "body": "Shall we talk it through?"}  # noqa: E731
SESSION = lambda w: {"kind": "session", "object_id": w.objects["conv_session"].pk}  # noqa: E731
RESPONSE = lambda w: {"kind": "response", "object_id": w.objects["response"].pk}  # noqa: E731
ANON_RESPONSE = lambda w: {"kind": "response", "object_id": w.objects["anon_response"].pk}  # noqa: E731
PROJECT = lambda w: {"kind": "project", "object_id": w.objects["project"].pk}  # noqa: E731
NO_KIND = lambda w: {"kind": "community", "object_id": 1}  # noqa: E731

WEB = [
    Case("discussions:list", (302, 404, 403, 200, 200), PRIV),
    Case("discussions:list", (302, 403, 403, 200, 200), PUB, note="a public community's threads: members only"),
    Case("discussions:create", (302, 404, 403, 200, 200), PRIV),
    Case(
        "discussions:create",
        (302, 404, 403, 302, 302),
        PRIV,
        method="POST",
        data=lambda w: {"title": "New", "body": "Hello"},
    ),
    # Threads about a session, a joint response or a project (set up by the other apps' modules, all
    # in the private community): seen as the object's own page allows, started by its members only.
    Case("discussions:about", (302, 404, 200, 200, 200), SESSION, note="the guest is invited: reads, no form"),
    Case("discussions:about", (302, 404, 403, 302, 302), SESSION, method="POST", data=NEW_THREAD),
    Case("discussions:about", (302, 404, 200, 200, 200), RESPONSE, note="guests may read this response"),
    Case("discussions:about", (302, 404, 403, 302, 302), RESPONSE, method="POST", data=NEW_THREAD),
    Case("discussions:about", (302, 404, 404, 200, 200), ANON_RESPONSE, note="anonymous: a page saying so"),
    Case(
        "discussions:about",
        (302, 404, 404, 403, 403),
        ANON_RESPONSE,
        method="POST",
        data=NEW_THREAD,
        note="anonymous: no thread, whoever asks",
    ),
    Case("discussions:about", (302, 404, 200, 200, 200), PROJECT),
    Case("discussions:about", (302, 404, 403, 302, 302), PROJECT, method="POST", data=NEW_THREAD),
    Case("discussions:about", (302, 404, 404, 404, 404), NO_KIND, note="not something a thread can be about"),
    Case("discussions:people", (302, 404, 403, 200, 200), PRIV, note="JSON for the mention autocomplete"),
    Case("discussions:thread", (302, 404, 403, 200, 200), THREAD),
    Case("discussions:thread", (302, 403, 403, 200, 200), PUB_THREAD),
    Case("discussions:thread", (302, 404, 404, 404, 200), HIDDEN_THREAD, note="hidden: coordinators only"),
    Case("discussions:thread", (302, 404, 403, 302, 302), THREAD, method="POST", data=lambda w: REPLY),
    Case("discussions:follow", (302, 404, 403, 302, 302), THREAD, method="POST"),
    Case(
        "discussions:thread_hide",
        (302, 404, 403, 403, 302),
        THREAD,
        method="POST",
        data=lambda w: {"reason": "Off topic"},
    ),
    Case("discussions:post_edit", (302, 404, 403, 200, 403), POST, note="the author only"),
    Case("discussions:post_edit", (302, 404, 403, 404, 403), HIDDEN_POST, note="hidden: 404 to members"),
    Case("discussions:post_hide", (302, 404, 403, 403, 200), POST),
    Case("discussions:post_hide", (302, 404, 403, 404, 200), HIDDEN_POST),
    Case(
        "discussions:post_hide",
        (302, 404, 403, 403, 302),
        POST,
        method="POST",
        data=lambda w: {"reason": "Names a patient"},
    ),
    Case(
        "discussions:post_react",
        (302, 404, 403, 302, 302),
        POST,
        method="POST",
        data=lambda w: {"reaction": "heart"},
        note="only where the person may read and take part",
    ),
    Case(
        "discussions:post_react",
        (302, 404, 403, 404, 302),
        HIDDEN_POST,
        method="POST",
        data=lambda w: {"reaction": "heart"},
        note="hidden: 404 to members; a coordinator is told it takes no reactions",
    ),
]

API = [
    Case("GET /api/v1/discussions/communities/{slug}/threads", (401, 404, 403, 200, 200), PRIV),
    Case("GET /api/v1/discussions/threads/{thread_id}", (401, 404, 403, 200, 200), THREAD),
    Case(
        "POST /api/v1/discussions/threads/{thread_id}/posts",
        (401, 404, 403, 201, 201),
        THREAD,
        data=lambda w: REPLY,
    ),
    Case(
        "POST /api/v1/discussions/posts/{post_id}/reactions",
        (401, 404, 403, 200, 200),
        POST,
        data=lambda w: {"reaction": "thumbs_up"},
    ),
    Case(
        "POST /api/v1/discussions/posts/{post_id}/reactions",
        (401, 404, 403, 404, 409),
        HIDDEN_POST,
        data=lambda w: {"reaction": "thumbs_up"},
        note="a hidden post: not found for members, refused for coordinators",
    ),
]
