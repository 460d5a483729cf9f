"""Reads about one person, including everything held about them (for the data download)."""

from __future__ import annotations

from convene.core.hooks import collect

from .models import User


def my_data(user: User) -> dict:
    """Everything Convene holds about `user`, for the member's own eyes only.

    Apps add their part with a `personal_data(user) -> dict` function in their selectors module.
    """
    profile = user.profile
    data = {
        "account": {"email": user.email, "date_joined": user.date_joined.isoformat()},
        "profile": {
            "display_name": profile.display_name,
            "discipline": profile.discipline,
            "organisation": profile.organisation,
            "seniority": profile.seniority,
            "skills": [s.name for s in profile.skills.all()],
            "interests": [s.name for s in profile.interests.all()],
            "hours_per_month": profile.hours_per_month,
            "bio": profile.bio,
            "time_zone": profile.time_zone,
            "language": profile.language,
        },
        "diversity_answers": [
            {"attribute": a.attribute, "value": a.value, "consented_at": a.consented_at.isoformat()}
            for a in user.diversity_answers.all()
        ],
        "memberships": [
            {"community": m.community.slug, "role": m.role, "joined_at": m.joined_at.isoformat()}
            for m in user.memberships.select_related("community")
        ],
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created_at": t.created_at.isoformat(), "active": t.active}
            for t in user.api_tokens.all()
        ],
    }
    for extra in collect("personal_data", user):
        data.update(extra)
    return data
