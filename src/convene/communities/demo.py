"""Demo people, communities and glossaries, in our own words.

Stories: psychiatrists and community social workers who keep disagreeing about discharge and
referrals; "Ignite", where experienced coders mentor people who never programmed; a hospital
operations team with a slow manual rota report; and an outside policy change they must answer.
"""

from __future__ import annotations

import random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from convene.accounts.models import DiversityAnswer, Profile, Skill, User

from .models import Community, GlossaryTerm, Membership, Role, TermMapping

PASSWORD = "convene-demo"  # noqa: S105 - the demo password is public by design
DOMAIN = "example.org"

COMMUNITIES = [
    (
        "psychiatry",
        "Acute Psychiatry Practice Network",
        "Inpatient and crisis psychiatry across the region's hospitals",
        "Consultant and trainee psychiatrists, psychiatric nurses and pharmacists who compare how they assess, "
        "admit and discharge people in acute mental-health crisis.",
        "public",
    ),
    (
        "social-work",
        "Community Social Work Circle",
        "Social work with adults living with mental illness in the community",
        "Social workers and support coordinators who follow people after they leave hospital: housing, benefits, "
        "family, and keeping a life together between crises.",
        "public",
    ),
    (
        "ignite",
        "Ignite: Coding for Non-Coders",
        "Learning Python to automate everyday work, with no prior programming",
        "Volunteers who code teach colleagues who never have. We learn by building small tools for real teams.",
        "public",
    ),
    (
        "operations",
        "Patient Flow Operations",
        "Bed management, rotas and the daily reports that keep wards moving",
        "Administrators and managers who run the hospital's patient flow. Several of our reports are still built "
        "by hand every week.",
        "private",
    ),
    (
        "nursing",
        "Ward Nursing Forum",
        "Everyday nursing practice on medical and surgical wards",
        "Nurses of every grade sharing what works on the ward, from handovers to falls prevention.",
        "public",
    ),
]

COORDINATORS = {
    "psychiatry": ("coordinator", "Dr Amara Okafor", "Consultant psychiatrist", "City General Hospital", "senior"),
    "social-work": ("social.coordinator", "Tomás Reyes", "Social worker", "County Adult Services", "senior"),
    "ignite": ("ignite.coordinator", "Lucía Benítez", "Data analyst", "Regional Health Authority", "mid"),
    "operations": ("ops.coordinator", "Grace Mensah", "Operations manager", "City General Hospital", "leader"),
    "nursing": ("nursing.coordinator", "Priya Raman", "Ward sister", "St Anne's Hospital", "senior"),
}

FIRST = [
    "Ana",
    "Ben",
    "Chen",
    "Dara",
    "Elif",
    "Femi",
    "Gita",
    "Hugo",
    "Ines",
    "Jonas",
    "Kemi",
    "Luca",
    "Mina",
    "Noah",
    "Olga",
    "Pavel",
    "Qiu",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Bilal",
    "Carmen",
    "Dmitri",
    "Esi",
    "Farah",
]
LAST = [
    "Silva",
    "Novak",
    "Haddad",
    "Kowalski",
    "Nguyen",
    "Adeyemi",
    "Larsen",
    "Moreau",
    "Ibrahim",
    "Rossi",
    "Tanaka",
    "Mwangi",
    "Fischer",
    "Costa",
    "Petrov",
    "O'Brien",
]
PROFILES = {
    "psychiatry": [
        ("Psychiatrist", ["risk assessment", "psychopharmacology", "mental health act"]),
        ("Psychiatric nurse", ["de-escalation", "risk assessment", "care planning"]),
        ("Mental health pharmacist", ["psychopharmacology", "medicines reconciliation"]),
    ],
    "social-work": [
        ("Social worker", ["safeguarding", "housing", "care planning"]),
        ("Support coordinator", ["benefits advice", "housing", "family work"]),
    ],
    "ignite": [
        ("Data analyst", ["python", "pandas", "sql", "mentoring"]),
        ("Software developer", ["python", "testing", "automation", "mentoring"]),
        ("Administrator", ["excel", "scheduling"]),
        ("Nurse", ["excel", "audit"]),
    ],
    "operations": [
        ("Bed manager", ["excel", "scheduling", "reporting"]),
        ("Rota coordinator", ["scheduling", "excel"]),
    ],
    "nursing": [("Staff nurse", ["handover", "falls prevention"]), ("Nurse educator", ["teaching", "simulation"])],
}
ORGS = [
    "City General Hospital",
    "St Anne's Hospital",
    "County Adult Services",
    "Regional Health Authority",
    "Northside Community Trust",
    "Riverside Clinic",
]
SENIORITY = ["student", "early", "mid", "mid", "senior", "leader"]
INTERESTS = [
    "python",
    "data visualisation",
    "automation",
    "leadership",
    "peer support",
    "quality improvement",
    "trauma-informed care",
    "co-production",
    "sql",
    "teaching",
]
DIVERSITY = {
    "gender": ["woman", "man", "non-binary"],
    "age_band": ["under 30", "30–44", "45–59", "60+"],
    "background": [
        "first in family at university",
        "migrated as an adult",
        "grew up locally",
        "prefer to describe later",
    ],
}
COMMUNITY_SIZES = {"psychiatry": 16, "social-work": 16, "ignite": 18, "operations": 8, "nursing": 8}

GLOSSARY = {
    "psychiatry": [
        ("patient", "A person receiving care from our services, in hospital or after discharge."),
        ("discharge", "The planned end of an inpatient stay, with a care plan and a follow-up within 7 days."),
        ("section", "Detention under mental-health law, with its review rights and time limits."),
        ("formulation", "Our shared account of why this person is in crisis now and what keeps it going."),
    ],
    "social-work": [
        ("client", "The person we work with; we avoid “patient” because most of their life is outside health care."),
        ("transition", "Leaving hospital and settling back into home, work and family: weeks, not a day."),
        ("care act assessment", "Our statutory assessment of needs for care and support."),
        ("strengths-based practice", "Starting from what the person can do and who they have around them."),
    ],
    "ignite": [
        ("script", "A small program that does one job, such as tidying a spreadsheet."),
        ("pull request", "A proposed change to shared code that someone else reviews before it is merged."),
    ],
    "operations": [
        ("bed state", "The count of open, occupied and blocked beds, reported three times a day."),
        ("delayed discharge", "A patient medically fit to leave who is still in a bed."),
    ],
}
MAPPINGS = [
    ("psychiatry", "patient", "social-work", "client", "Same person; the word says whose frame we are in."),
    (
        "psychiatry",
        "discharge",
        "social-work",
        "transition",
        "An event for the ward, a process for the community team.",
    ),
    (
        "psychiatry",
        "formulation",
        "social-work",
        "strengths-based practice",
        "Both are how we make sense of a person's situation.",
    ),
    (
        "operations",
        "delayed discharge",
        "social-work",
        "transition",
        "What operations counts as delay is often the transition still being arranged.",
    ),
]


def _user(email: str, name: str, discipline: str, org: str, seniority: str, skills, interests, hours, pw) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"password": pw})
    if created:
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    profile, _ = Profile.objects.get_or_create(user=user)
    profile.display_name, profile.discipline, profile.organisation = name, discipline, org
    profile.seniority, profile.hours_per_month = seniority, hours
    profile.bio = f"{discipline} at {org}."
    profile.save()
    profile.skills.set([Skill.objects.get_or_create(name=s)[0] for s in skills])
    profile.interests.set([Skill.objects.get_or_create(name=s)[0] for s in interests])
    return user


def load() -> str:
    rng = random.Random(20261122)  # fixed seed: the same demo every time
    pw = make_password(PASSWORD)
    communities = {}
    for slug, name, domain, description, visibility in COMMUNITIES:
        community, _ = Community.objects.update_or_create(
            slug=slug, defaults={"name": name, "domain": domain, "description": description, "visibility": visibility}
        )
        communities[slug] = community
        local, cname, discipline, org, seniority = COORDINATORS[slug]
        coordinator = _user(
            f"{local}@{DOMAIN}",
            cname,
            discipline,
            org,
            seniority,
            PROFILES[slug][0][1],
            rng.sample(INTERESTS, 2),
            12,
            pw,
        )
        Membership.objects.update_or_create(community=community, user=coordinator, defaults={"role": Role.COORDINATOR})

    n = 0
    for slug, size in COMMUNITY_SIZES.items():
        for _ in range(size):
            n += 1
            first, last = FIRST[(n * 7) % len(FIRST)], LAST[(n * 5) % len(LAST)]
            discipline, skills = PROFILES[slug][n % len(PROFILES[slug])]
            user = _user(
                f"member{n:02d}@{DOMAIN}",
                f"{first} {last}",
                discipline,
                rng.choice(ORGS),
                rng.choice(SENIORITY),
                rng.sample(skills, k=min(len(skills), rng.randint(1, 3))),
                rng.sample(INTERESTS, 2),
                rng.choice([0, 4, 8, 12, 16]),
                pw,
            )
            Membership.objects.get_or_create(community=communities[slug], user=user, defaults={"role": Role.MEMBER})
            if n % 5 == 0:  # some people belong to two communities
                other = COMMUNITIES[(n // 5) % len(COMMUNITIES)][0]
                if other != slug:
                    Membership.objects.get_or_create(
                        community=communities[other], user=user, defaults={"role": Role.MEMBER}
                    )
            if n % 3 != 0:  # two thirds chose to share diversity attributes
                for key, options in DIVERSITY.items():
                    DiversityAnswer.objects.update_or_create(
                        user=user, attribute=key, defaults={"value": rng.choice(options)}
                    )
    # A guest: a housing officer invited into the psychiatry/social-work engagements only.
    guest = _user(
        f"guest@{DOMAIN}",
        "Sam Whitfield",
        "Housing officer",
        "City Housing Association",
        "mid",
        ["housing"],
        ["co-production"],
        4,
        pw,
    )
    Membership.objects.get_or_create(community=communities["psychiatry"], user=guest, defaults={"role": Role.GUEST})

    for slug, terms in GLOSSARY.items():
        for term, definition in terms:
            GlossaryTerm.objects.update_or_create(
                community=communities[slug], term=term, defaults={"definition": definition}
            )
    for a, term_a, b, term_b, note in MAPPINGS:
        source = GlossaryTerm.objects.get(community=communities[a], term=term_a)
        target = GlossaryTerm.objects.get(community=communities[b], term=term_b)
        TermMapping.objects.update_or_create(source=source, target=target, defaults={"note": note})
    return (
        f"{len(communities)} communities, {User.objects.count()} people, {GlossaryTerm.objects.count()} glossary terms"
    )
