# ruff: noqa: E501 (the shipped catalogue text, one string per line as in the catalogue)
"""The shipped activity catalogue's text, marked for translation (issue 20).

Migration 0002 copies the shipped catalogue into `ActivityType` rows, which site staff may then edit
in the admin: rows are content. Pages translate a field at display time only while it still holds
the shipped English text of that activity (see docs/decisions.md, "Translating the shipped activity
catalogue"); an edited field is shown as written. `tests/convening/test_translation.py` checks that
this table matches the migration's text, so a change to one without the other fails.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

SHIPPED: dict[str, dict[str, object]] = {
    "boundary-engagement": {
        "name": gettext_noop("Boundary engagement"),
        "summary": gettext_noop("Two or more communities meet to understand how the other works and where they rub."),
        "what": gettext_noop(
            "A meeting between people from different communities of practice, set up so that each side can explain how it works and why, and both can find better ways to work together where their practices touch."
        ),
        "why": gettext_noop(
            "Where two practices meet there is often friction: referrals that bounce, words that mean different things, suspicion about motives. Meeting on purpose brings outside eyes to each practice, can renew energy, and sometimes a new shared practice grows at the seam."
        ),
        "how": gettext_noop(
            "Name the boundary concern in one sentence before inviting anyone. Invite a balanced room from each side. Start with each community describing a normal day and the words it uses (the glossary comparison helps), then work on the concrete place where the friction shows. Use mixed breakout groups so nobody spends the session with their own colleagues only."
        ),
        "pitfalls": gettext_noop(
            "Letting the loudest side set the frame; debating values in the abstract; stereotypes stated as facts; a room where one community outnumbers the other. Watch the speaking shares and invite the quieter side in."
        ),
        "agenda": [
            gettext_noop("Welcome and the boundary concern in one sentence"),
            gettext_noop("Each community: a normal day and our words for it"),
            gettext_noop("Mixed groups: where exactly does it go wrong?"),
            gettext_noop("Pick a first concrete step together"),
            gettext_noop("Owners and dates for follow-up actions"),
        ],
    },
    "breakthrough-activity": {
        "name": gettext_noop("Breakthrough activity"),
        "summary": gettext_noop("Find one small, concrete task that is useful to every side straight away."),
        "what": gettext_noop(
            "A variation of boundary engagement for communities that are stuck in disagreement: the group looks for a small joint task that asks little effort yet helps every side at once, such as a shared referral checklist."
        ),
        "why": gettext_noop(
            "Arguing about approaches rarely ends an argument; doing something useful together often does. A concrete, light task moves people from positions to practice and builds the first layer of trust."
        ),
        "how": gettext_noop(
            "Collect candidate tasks from everyone. Each participant rates every candidate for how useful it would be to their own practice and how much commitment it asks. Choose the candidate that serves the least-served community best, preferring the lighter one on a tie (the picker does this), and agree who does what by when."
        ),
        "pitfalls": gettext_noop(
            "Choosing what the majority likes while one side gains nothing; choosing something so big it never finishes; skipping the follow-up so the breakthrough fades."
        ),
        "agenda": [
            gettext_noop("Why we are here: the friction in practice"),
            gettext_noop("Propose candidate activities"),
            gettext_noop("Everyone rates every candidate"),
            gettext_noop("Look at the ranking and choose"),
            gettext_noop("Plan the first step: owners and dates"),
        ],
    },
    "boundary-project": {
        "name": gettext_noop("Boundary project"),
        "summary": gettext_noop("A joint project that can only succeed with people from both sides."),
        "what": gettext_noop(
            "A variation of boundary engagement built around a real piece of work whose goal needs the skills of several communities."
        ),
        "why": gettext_noop(
            "Busy practitioners seldom cross a boundary just to talk. A shared goal with a deadline gives them a reason, and the work itself becomes the place where each side learns the other's way of doing things."
        ),
        "how": gettext_noop(
            "Agree the goal and what success looks like, then staff the project with people from each community (mentors and newcomers alike) and meet at regular milestones. The session opens a project in Convene to keep the team, milestones and outcomes."
        ),
        "pitfalls": gettext_noop(
            "A project owned by one side with the other as helpers; scope that grows until nobody has time; no record of what each side learned."
        ),
        "agenda": [
            gettext_noop("The problem and who feels it"),
            gettext_noop("What each community brings"),
            gettext_noop("Goal, scope and how we will measure it"),
            gettext_noop("Team, roles and first milestone"),
        ],
    },
    "joint-response-across-boundary": {
        "name": gettext_noop("Joint response across a boundary"),
        "summary": gettext_noop("Several communities agree one position on something that affects them all."),
        "what": gettext_noop(
            "A variation of boundary engagement in which communities that share a stake in an outside event — a policy, a reorganisation, a new technology — write one response together."
        ),
        "why": gettext_noop(
            "Working out a common position makes each side explain its reasoning in depth, without asking for any commitment beyond the response itself."
        ),
        "how": gettext_noop(
            "Frame the question the same way for everyone, gather statements from all communities, vote, and draft a response that keeps minority views visible. The session opens a deliberation in Convene for the statements, the opinion map and the drafting."
        ),
        "pitfalls": gettext_noop(
            "Drafting before everyone has been heard; erasing disagreement to reach a bland text; one community writing and the other only endorsing."
        ),
        "agenda": [
            gettext_noop("The development and the question we answer"),
            gettext_noop("What it changes for each community"),
            gettext_noop("Statements and votes"),
            gettext_noop("Next steps towards the draft"),
        ],
    },
    "joint-response": {
        "name": gettext_noop("Joint response"),
        "summary": gettext_noop("The community works out what an outside development means for its practice."),
        "what": gettext_noop(
            "A community forms a shared view on something that comes from outside — a new rule, a tool, a change of management — either to adapt its own practice or to tell someone else what it thinks."
        ),
        "why": gettext_noop(
            "Taking a position together surfaces disagreements that normally stay hidden, and working through them deepens everyone's grasp of the domain. A position held by a community also carries more weight than a handful of individual opinions."
        ),
        "how": gettext_noop(
            "State the development plainly and what is being asked. Collect short statements, let everyone vote on each other's, look at where people agree and where they split, and draft a response that records dissent instead of hiding it. The session opens a deliberation in Convene."
        ),
        "pitfalls": gettext_noop(
            "A small group writing the answer for everyone; a deadline so close that only the usual voices respond; treating silence as agreement."
        ),
        "agenda": [
            gettext_noop("The development in plain words"),
            gettext_noop("First reactions in small groups"),
            gettext_noop("Statements and voting"),
            gettext_noop("Where we agree, where we differ"),
        ],
    },
    "request-for-opinion": {
        "name": gettext_noop("Request for opinion"),
        "summary": gettext_noop("An outside body asks the community for its view by a deadline."),
        "what": gettext_noop(
            "A variation of joint response that starts with a request: a ministry, a board or a management team asks the community what it thinks about a decision that touches its practice."
        ),
        "why": gettext_noop(
            "Being asked is a sign that the community's knowledge is valued, and it usually energises members who rarely get a say in decisions about their own work."
        ),
        "how": gettext_noop(
            "Record who asks, what exactly they ask and by when. Plan the phases backwards from the deadline, run the deliberation, and deliver the response with the level of agreement and the dissenting views stated."
        ),
        "pitfalls": gettext_noop(
            "Missing the deadline; answering a different question than the one asked; overstating consensus to sound stronger."
        ),
        "agenda": [
            gettext_noop("The request, the requester and the deadline"),
            gettext_noop("What we know and what we need to find out"),
            gettext_noop("Statements and voting"),
            gettext_noop("Plan to the deadline: who drafts, who reviews"),
        ],
    },
    "open-discussion": {
        "name": gettext_noop("Open discussion"),
        "summary": gettext_noop("An unstructured conversation on a theme members chose."),
        "what": gettext_noop(
            "A loosely held conversation on a topic members care about, with a host rather than a speaker."
        ),
        "why": gettext_noop(
            "It lets new questions and new people surface, and it is the easiest activity to start with."
        ),
        "how": gettext_noop(
            "Announce the theme and one opening question. Keep a speaking queue so turns are shared, and close by writing down the ideas worth following up."
        ),
        "pitfalls": gettext_noop("The same few voices every time; drifting without any record of what was said."),
        "agenda": [
            gettext_noop("Opening question"),
            gettext_noop("Discussion"),
            gettext_noop("What we take away"),
        ],
    },
    "problem-solving-clinic": {
        "name": gettext_noop("Problem-solving clinic"),
        "summary": gettext_noop("A member brings a real case; peers help untangle it."),
        "what": gettext_noop(
            "One or two members present a problem from their work, and peers ask questions and suggest options."
        ),
        "why": gettext_noop(
            "The person with the problem gets concrete help, and everyone learns from a real situation."
        ),
        "how": gettext_noop(
            "The presenter describes the case in five minutes, peers ask clarifying questions only, then offer ideas while the presenter listens, and the presenter ends by saying what they will try."
        ),
        "pitfalls": gettext_noop(
            "Jumping to advice before understanding; sharing details that should stay confidential."
        ),
        "agenda": [
            gettext_noop("The case"),
            gettext_noop("Clarifying questions"),
            gettext_noop("Ideas from peers"),
            gettext_noop("What I will try"),
        ],
    },
    "show-and-tell": {
        "name": gettext_noop("Show and tell"),
        "summary": gettext_noop("Members demonstrate something they made or a way they work."),
        "what": gettext_noop(
            "Short demonstrations of tools, templates or routines that members use in their own practice."
        ),
        "why": gettext_noop(
            "Seeing a practice in action spreads it faster than describing it, and it recognises the makers."
        ),
        "how": gettext_noop(
            "Three or four short demonstrations, each followed by questions; share the material afterwards."
        ),
        "pitfalls": gettext_noop(
            "Polished presentations that hide how the thing really works; no time left for questions."
        ),
        "agenda": [
            gettext_noop("Demonstrations"),
            gettext_noop("Questions"),
            gettext_noop("Who wants to try it"),
        ],
    },
    "visit": {
        "name": gettext_noop("Visit"),
        "summary": gettext_noop("Members visit a team to watch their practice where it happens."),
        "what": gettext_noop("A small group spends time with another team in their own workplace."),
        "why": gettext_noop(
            "Practice is easier to understand in its own setting, and hosts learn from their visitors' questions."
        ),
        "how": gettext_noop(
            "Agree with the hosts what the visitors may see, visit in a small group, and debrief the same day."
        ),
        "pitfalls": gettext_noop("Visits that become inspections; too many visitors; no debrief."),
        "agenda": [
            gettext_noop("Introduction by the hosts"),
            gettext_noop("Walk-through"),
            gettext_noop("Debrief"),
        ],
    },
    "invited-speaker": {
        "name": gettext_noop("Invited speaker"),
        "summary": gettext_noop("Someone from outside brings new knowledge to the community."),
        "what": gettext_noop(
            "A talk by a guest from research, another organisation or another community, followed by discussion."
        ),
        "why": gettext_noop(
            "It brings in ideas the community would not meet otherwise and can open a link to another group."
        ),
        "how": gettext_noop(
            "Brief the speaker on who will be in the room and what they already know; keep the talk short and the discussion long."
        ),
        "pitfalls": gettext_noop(
            "A lecture with no time for the members' own experience; always inviting the same kind of expert."
        ),
        "agenda": [
            gettext_noop("Talk"),
            gettext_noop("Questions and discussion"),
            gettext_noop("What it means for our practice"),
        ],
    },
    "documentation-project": {
        "name": gettext_noop("Documentation project"),
        "summary": gettext_noop("Members write down a practice so others can use it."),
        "what": gettext_noop("A small group turns what members know into a guide, checklist or worked example."),
        "why": gettext_noop(
            "Knowledge that lives only in people's heads leaves with them; a written guide helps newcomers."
        ),
        "how": gettext_noop(
            "Choose one practice, agree the outline, split the writing, and review it with people who will use it."
        ),
        "pitfalls": gettext_noop("Writing for ourselves instead of the reader; guides that are never updated."),
        "agenda": [
            gettext_noop("What we document and for whom"),
            gettext_noop("Outline"),
            gettext_noop("Who writes what"),
        ],
    },
}

AGENDA_TITLES = frozenset(title for entry in SHIPPED.values() for title in entry["agenda"])


def shipped_field(activity, field: str) -> str:
    """`activity.<field>` in the reader's language while it is still the shipped text, else as stored."""
    value = getattr(activity, field, "") or ""
    original = SHIPPED.get(getattr(activity, "slug", ""), {}).get(field)
    return gettext(value) if value and value == original else value


def shipped_agenda_title(title: str) -> str:
    """An agenda item title of a shipped activity's template, translated while it is the shipped text."""
    return gettext(title) if title in AGENDA_TITLES else title
