"""Two-factor: coordinators can be required to use it; personal API tokens keep working beside it."""

import pytest
from allauth.mfa.models import Authenticator

from ..conftest import ApiClient

pytestmark = pytest.mark.django_db


def _with_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})


def test_coordinators_are_sent_to_set_up_two_factor_when_the_site_requires_it(world, settings):
    settings.CONVENE_COORDINATOR_2FA = True
    response = world.client("coordinator").get("/c/pub/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    assert world.client("coordinator").get("/accounts/2fa/").status_code == 200  # the way out stays open
    assert world.client("member").get("/c/pub/").status_code == 200  # members are not asked

    _with_totp(world.users["coordinator"])
    assert world.client("coordinator").get("/c/pub/").status_code == 200


def test_without_the_site_setting_coordinators_are_not_asked(world, settings):
    settings.CONVENE_COORDINATOR_2FA = False
    assert world.client("coordinator").get("/c/pub/").status_code == 200


def test_api_tokens_are_unaffected_by_two_factor(world, settings):
    settings.CONVENE_COORDINATOR_2FA = True
    coordinator = world.users["coordinator"]
    api = ApiClient(coordinator)
    assert api.get("/me/profile").status_code == 200  # no second factor yet: the token still works
    _with_totp(coordinator)
    assert api.get("/me/profile").status_code == 200
    page = world.client("coordinator").get("/me/profile/")
    assert b"Last used" in page.content and coordinator.api_tokens.get().last_used_at is not None
