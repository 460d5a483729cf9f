"""Loads the activity catalogue. After this, coordinators and site staff edit it in the admin;
re-running the migration only adds entries that are missing (it never overwrites edits)."""

from django.db import migrations


def _agenda(*items):
    return [{"title": title, "minutes": minutes} for title, minutes in items]


CATALOGUE = [
    {
        "slug": "boundary-engagement",
        "name": "Boundary engagement",
        "parent": None,
        "is_boundary": True,
        "position": 10,
        "summary": "Two or more communities meet to understand how the other works and where they rub.",
        "what": (
            "A meeting between people from different communities of practice, set up so that each side can "
            "explain how it works and why, and both can find better ways to work together where their "
            "practices touch."
        ),
        "why": (
            "Where two practices meet there is often friction: referrals that bounce, words that mean "
            "different things, suspicion about motives. Meeting on purpose brings outside eyes to each "
            "practice, can renew energy, and sometimes a new shared practice grows at the seam."
        ),
        "how": (
            "Name the boundary concern in one sentence before inviting anyone. Invite a balanced room from "
            "each side. Start with each community describing a normal day and the words it uses (the "
            "glossary comparison helps), then work on the concrete place where the friction shows. Use "
            "mixed breakout groups so nobody spends the session with their own colleagues only."
        ),
        "pitfalls": (
            "Letting the loudest side set the frame; debating values in the abstract; stereotypes stated as "
            "facts; a room where one community outnumbers the other. Watch the speaking shares and invite "
            "the quieter side in."
        ),
        "agenda": _agenda(
            ("Welcome and the boundary concern in one sentence", 10),
            ("Each community: a normal day and our words for it", 25),
            ("Mixed groups: where exactly does it go wrong?", 30),
            ("Pick a first concrete step together", 20),
            ("Owners and dates for follow-up actions", 5),
        ),
        "tool": "",
        "tool_url": "",
    },
    {
        "slug": "breakthrough-activity",
        "name": "Breakthrough activity",
        "parent": "boundary-engagement",
        "is_boundary": True,
        "position": 11,
        "summary": "Find one small, concrete task that is useful to every side straight away.",
        "what": (
            "A variation of boundary engagement for communities that are stuck in disagreement: the group "
            "looks for a small joint task that asks little effort yet helps every side at once, such as a "
            "shared referral checklist."
        ),
        "why": (
            "Arguing about approaches rarely ends an argument; doing something useful together often does. "
            "A concrete, light task moves people from positions to practice and builds the first layer of "
            "trust."
        ),
        "how": (
            "Collect candidate tasks from everyone. Each participant rates every candidate for how useful it "
            "would be to their own practice and how much commitment it asks. Choose the candidate that "
            "serves the least-served community best, preferring the lighter one on a tie (the picker does "
            "this), and agree who does what by when."
        ),
        "pitfalls": (
            "Choosing what the majority likes while one side gains nothing; choosing something so big it "
            "never finishes; skipping the follow-up so the breakthrough fades."
        ),
        "agenda": _agenda(
            ("Why we are here: the friction in practice", 10),
            ("Propose candidate activities", 20),
            ("Everyone rates every candidate", 15),
            ("Look at the ranking and choose", 15),
            ("Plan the first step: owners and dates", 15),
        ),
        "tool": "",
        "tool_url": "",
    },
    {
        "slug": "boundary-project",
        "name": "Boundary project",
        "parent": "boundary-engagement",
        "is_boundary": True,
        "position": 12,
        "summary": "A joint project that can only succeed with people from both sides.",
        "what": (
            "A variation of boundary engagement built around a real piece of work whose goal needs the "
            "skills of several communities."
        ),
        "why": (
            "Busy practitioners seldom cross a boundary just to talk. A shared goal with a deadline gives "
            "them a reason, and the work itself becomes the place where each side learns the other's way "
            "of doing things."
        ),
        "how": (
            "Agree the goal and what success looks like, then staff the project with people from each "
            "community (mentors and newcomers alike) and meet at regular milestones. The session opens a "
            "project in Convene to keep the team, milestones and outcomes."
        ),
        "pitfalls": (
            "A project owned by one side with the other as helpers; scope that grows until nobody has time; "
            "no record of what each side learned."
        ),
        "agenda": _agenda(
            ("The problem and who feels it", 15),
            ("What each community brings", 20),
            ("Goal, scope and how we will measure it", 25),
            ("Team, roles and first milestone", 20),
        ),
        "tool": "project",
        "tool_url": "projects:create",
    },
    {
        "slug": "joint-response-across-boundary",
        "name": "Joint response across a boundary",
        "parent": "boundary-engagement",
        "is_boundary": True,
        "position": 13,
        "summary": "Several communities agree one position on something that affects them all.",
        "what": (
            "A variation of boundary engagement in which communities that share a stake in an outside "
            "event — a policy, a reorganisation, a new technology — write one response together."
        ),
        "why": (
            "Working out a common position makes each side explain its reasoning in depth, without asking "
            "for any commitment beyond the response itself."
        ),
        "how": (
            "Frame the question the same way for everyone, gather statements from all communities, vote, and "
            "draft a response that keeps minority views visible. The session opens a deliberation in Convene "
            "for the statements, the opinion map and the drafting."
        ),
        "pitfalls": (
            "Drafting before everyone has been heard; erasing disagreement to reach a bland text; one "
            "community writing and the other only endorsing."
        ),
        "agenda": _agenda(
            ("The development and the question we answer", 15),
            ("What it changes for each community", 25),
            ("Statements and votes", 30),
            ("Next steps towards the draft", 10),
        ),
        "tool": "deliberation",
        "tool_url": "deliberation:create",
    },
    {
        "slug": "joint-response",
        "name": "Joint response",
        "parent": None,
        "is_boundary": False,
        "position": 20,
        "summary": "The community works out what an outside development means for its practice.",
        "what": (
            "A community forms a shared view on something that comes from outside — a new rule, a tool, a "
            "change of management — either to adapt its own practice or to tell someone else what it thinks."
        ),
        "why": (
            "Taking a position together surfaces disagreements that normally stay hidden, and working "
            "through them deepens everyone's grasp of the domain. A position held by a community also "
            "carries more weight than a handful of individual opinions."
        ),
        "how": (
            "State the development plainly and what is being asked. Collect short statements, let everyone "
            "vote on each other's, look at where people agree and where they split, and draft a response "
            "that records dissent instead of hiding it. The session opens a deliberation in Convene."
        ),
        "pitfalls": (
            "A small group writing the answer for everyone; a deadline so close that only the usual voices "
            "respond; treating silence as agreement."
        ),
        "agenda": _agenda(
            ("The development in plain words", 10),
            ("First reactions in small groups", 20),
            ("Statements and voting", 30),
            ("Where we agree, where we differ", 20),
        ),
        "tool": "deliberation",
        "tool_url": "deliberation:create",
    },
    {
        "slug": "request-for-opinion",
        "name": "Request for opinion",
        "parent": "joint-response",
        "is_boundary": False,
        "position": 21,
        "summary": "An outside body asks the community for its view by a deadline.",
        "what": (
            "A variation of joint response that starts with a request: a ministry, a board or a management "
            "team asks the community what it thinks about a decision that touches its practice."
        ),
        "why": (
            "Being asked is a sign that the community's knowledge is valued, and it usually energises "
            "members who rarely get a say in decisions about their own work."
        ),
        "how": (
            "Record who asks, what exactly they ask and by when. Plan the phases backwards from the "
            "deadline, run the deliberation, and deliver the response with the level of agreement and the "
            "dissenting views stated."
        ),
        "pitfalls": (
            "Missing the deadline; answering a different question than the one asked; overstating "
            "consensus to sound stronger."
        ),
        "agenda": _agenda(
            ("The request, the requester and the deadline", 10),
            ("What we know and what we need to find out", 20),
            ("Statements and voting", 30),
            ("Plan to the deadline: who drafts, who reviews", 15),
        ),
        "tool": "deliberation",
        "tool_url": "deliberation:create",
    },
    {
        "slug": "open-discussion",
        "name": "Open discussion",
        "parent": None,
        "is_boundary": False,
        "position": 30,
        "summary": "An unstructured conversation on a theme members chose.",
        "what": "A loosely held conversation on a topic members care about, with a host rather than a speaker.",
        "why": "It lets new questions and new people surface, and it is the easiest activity to start with.",
        "how": (
            "Announce the theme and one opening question. Keep a speaking queue so turns are shared, and "
            "close by writing down the ideas worth following up."
        ),
        "pitfalls": "The same few voices every time; drifting without any record of what was said.",
        "agenda": _agenda(("Opening question", 10), ("Discussion", 45), ("What we take away", 10)),
        "tool": "",
        "tool_url": "",
    },
    {
        "slug": "problem-solving-clinic",
        "name": "Problem-solving clinic",
        "parent": None,
        "is_boundary": False,
        "position": 40,
        "summary": "A member brings a real case; peers help untangle it.",
        "what": "One or two members present a problem from their work, and peers ask questions and suggest options.",
        "why": "The person with the problem gets concrete help, and everyone learns from a real situation.",
        "how": (
            "The presenter describes the case in five minutes, peers ask clarifying questions only, then "
            "offer ideas while the presenter listens, and the presenter ends by saying what they will try."
        ),
        "pitfalls": "Jumping to advice before understanding; sharing details that should stay confidential.",
        "agenda": _agenda(
            ("The case", 10), ("Clarifying questions", 15), ("Ideas from peers", 20), ("What I will try", 10)
        ),
        "tool": "",
        "tool_url": "",
    },
    {
        "slug": "show-and-tell",
        "name": "Show and tell",
        "parent": None,
        "is_boundary": False,
        "position": 50,
        "summary": "Members demonstrate something they made or a way they work.",
        "what": "Short demonstrations of tools, templates or routines that members use in their own practice.",
        "why": "Seeing a practice in action spreads it faster than describing it, and it recognises the makers.",
        "how": "Three or four short demonstrations, each followed by questions; share the material afterwards.",
        "pitfalls": "Polished presentations that hide how the thing really works; no time left for questions.",
        "agenda": _agenda(("Demonstrations", 40), ("Questions", 15), ("Who wants to try it", 5)),
        "tool": "",
        "tool_url": "",
    },
    {
        "slug": "visit",
        "name": "Visit",
        "parent": None,
        "is_boundary": False,
        "position": 60,
        "summary": "Members visit a team to watch their practice where it happens.",
        "what": "A small group spends time with another team in their own workplace.",
        "why": "Practice is easier to understand in its own setting, and hosts learn from their visitors' questions.",
        "how": "Agree with the hosts what the visitors may see, visit in a small group, and debrief the same day.",
        "pitfalls": "Visits that become inspections; too many visitors; no debrief.",
        "agenda": _agenda(("Introduction by the hosts", 15), ("Walk-through", 60), ("Debrief", 20)),
        "tool": "",
        "tool_url": "",
    },
    {
        "slug": "invited-speaker",
        "name": "Invited speaker",
        "parent": None,
        "is_boundary": False,
        "position": 70,
        "summary": "Someone from outside brings new knowledge to the community.",
        "what": "A talk by a guest from research, another organisation or another community, followed by discussion.",
        "why": "It brings in ideas the community would not meet otherwise and can open a link to another group.",
        "how": (
            "Brief the speaker on who will be in the room and what they already know; keep the talk short "
            "and the discussion long."
        ),
        "pitfalls": "A lecture with no time for the members' own experience; always inviting the same kind of expert.",
        "agenda": _agenda(("Talk", 25), ("Questions and discussion", 30), ("What it means for our practice", 10)),
        "tool": "",
        "tool_url": "",
    },
    {
        "slug": "documentation-project",
        "name": "Documentation project",
        "parent": None,
        "is_boundary": False,
        "position": 80,
        "summary": "Members write down a practice so others can use it.",
        "what": "A small group turns what members know into a guide, checklist or worked example.",
        "why": "Knowledge that lives only in people's heads leaves with them; a written guide helps newcomers.",
        "how": "Choose one practice, agree the outline, split the writing, and review it with people who will use it.",
        "pitfalls": "Writing for ourselves instead of the reader; guides that are never updated.",
        "agenda": _agenda(("What we document and for whom", 15), ("Outline", 20), ("Who writes what", 15)),
        "tool": "",
        "tool_url": "",
    },
]


def load(apps, schema_editor):
    ActivityType = apps.get_model("convening", "ActivityType")
    by_slug = {}
    for entry in CATALOGUE:
        obj, _ = ActivityType.objects.get_or_create(
            slug=entry["slug"],
            defaults={
                "name": entry["name"],
                "summary": entry["summary"],
                "what": entry["what"],
                "why": entry["why"],
                "how": entry["how"],
                "pitfalls": entry["pitfalls"],
                "agenda_template": entry["agenda"],
                "is_boundary": entry["is_boundary"],
                "opens_tool": entry["tool"],
                "tool_url_name": entry["tool_url"],
                "position": entry["position"],
            },
        )
        by_slug[entry["slug"]] = obj
    for entry in CATALOGUE:
        if entry["parent"]:
            obj = by_slug[entry["slug"]]
            if obj.parent_id is None:
                obj.parent = by_slug[entry["parent"]]
                obj.save(update_fields=["parent"])


class Migration(migrations.Migration):
    dependencies = [("convening", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
