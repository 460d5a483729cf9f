import pytest

from convene.accounts import services
from convene.accounts.models import ApiToken, DiversityAnswer
from convene.core.errors import InvalidInput

from ..factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(email="p@example.com")


def test_profile_update_normalises_tags(user):
    profile = services.profile_update(
        user=user, display_name=" Pat ", skills="Python, SQL;  python ,", hours_per_month=8, seniority="mid"
    )
    assert profile.display_name == "Pat"
    assert sorted(s.name for s in profile.skills.all()) == ["python", "sql"]


@pytest.mark.parametrize("kwargs", [{"seniority": "emperor"}, {"hours_per_month": 999}, {"display_name": "x" * 81}])
def test_profile_bad_input_changes_nothing(user, kwargs):
    services.profile_update(user=user, display_name="Before")
    with pytest.raises(InvalidInput):
        services.profile_update(user=user, **kwargs)
    user.profile.refresh_from_db()
    assert user.profile.display_name == "Before"


def test_diversity_needs_consent_and_can_be_deleted(user):
    with pytest.raises(InvalidInput):
        services.diversity_answers_set(user=user, answers={"gender": "woman"}, consent=False)
    assert not DiversityAnswer.objects.exists()
    services.diversity_answers_set(user=user, answers={"gender": "woman", "age_band": ""}, consent=True)
    assert list(DiversityAnswer.objects.values_list("attribute", "value")) == [("gender", "woman")]
    with pytest.raises(InvalidInput):
        services.diversity_answers_set(user=user, answers={"shoe_size": "44"}, consent=True)
    assert services.diversity_answers_delete(user=user) == 1
    assert not DiversityAnswer.objects.exists()


def test_tokens_are_hashed_and_revocable(user):
    token, secret = services.api_token_create(user=user, name="sync")
    assert secret.startswith("cvn_") and secret not in token.key_hash
    assert services.user_for_token(secret) == user
    services.api_token_revoke(user=user, token_id=token.pk)
    assert services.user_for_token(secret) is None
    assert ApiToken.objects.get().revoked_at is not None
    assert services.user_for_token("cvn_wrong") is None
