"""Demo discussions: two threads in the psychiatry network, with a mention, an edit, a hidden post."""

from __future__ import annotations

from convene.accounts.models import User
from convene.communities.models import Community
from convene.deliberation.models import JointResponse

from . import services
from .models import Thread

ROTA = "Covering the crisis line over the holidays"
LETTERS = "Discharge letters within 24 hours: what gets in the way?"


def _mention(user) -> str:
    return f"@[{user.display_name}](user:{user.pk})"


def load() -> str:
    psy = Community.objects.filter(slug="psychiatry").first()
    lead = User.objects.filter(email="coordinator@example.org").first()
    people = list(User.objects.filter(email__in=[f"member{n:02d}@example.org" for n in (1, 2, 3)]).order_by("email"))
    if not (psy and lead and len(people) == 3):
        return "discussions: skipped (run the communities demo first)"
    if Thread.objects.filter(community=psy, title=ROTA).exists():
        return "discussions: demo threads already there"
    first, second, third = people

    rota = services.thread_create(
        community=psy,
        author=first,
        title=ROTA,
        body="We are two people short on the crisis line between 24 and 31 December. "
        "Who could take a **night shift**? Swaps are fine.",
    )
    reply = services.post_add(
        thread=rota, author=second, body=f"I can take the 27th. {_mention(first)}, can you put me on the rota?"
    )
    services.post_edit(
        post=reply,
        editor=second,
        body=f"I can take the 27th and the 28th. {_mention(first)}, can you put me on the rota?",
    )
    off_topic = services.post_add(thread=rota, author=third, body="Selling two concert tickets for the 30th, ask me!")
    services.post_hide(post=off_topic, actor=lead, reason="Off topic: please use the staff noticeboard.")
    services.post_add(thread=rota, author=lead, body=f"Thank you {_mention(second)}, both nights are yours.")

    response = JointResponse.objects.filter(community=psy, anonymous=False).order_by("pk").first()
    letters = services.thread_create(
        community=psy,
        author=lead,
        title=LETTERS,
        body="Before we draft our joint response, tell me what stops a letter leaving on the day of discharge.\n\n"
        "- missing results\n- no one to sign\n- something else?",
        about=response,
    )
    services.post_add(
        thread=letters, author=third, body="Mostly waiting for the pharmacy's reconciliation, often past 5 pm."
    )
    return f"discussions: {Thread.objects.filter(community=psy).count()} threads in {psy.name}"
