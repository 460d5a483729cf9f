"""The interface language: the header's switcher, the profile's preference, and which one wins."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from convene.accounts import services
from convene.accounts.languages import profile_language, recipient_language
from convene.accounts.models import User
from convene.core.errors import InvalidInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _lang(page) -> str:
    html = page.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_browser_language_is_used_when_the_profile_has_none(world):
    client = world.client("member")
    page = client.get("/me/profile/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _lang(page) == "zh-hans" and "我的个人资料" in page.content.decode()
    assert _lang(client.get("/me/profile/")) == "en"


def test_a_saved_language_wins_over_the_browser_and_the_cookie(world):
    member = world.users["member"]
    services.profile_update(user=member, language="zh-hans")
    client = world.client("member")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert _lang(page) == "zh-hans"
    assert "我的社群" in page.content.decode() and "My communities" not in page.content.decode()
    assert page["Content-Language"] == "zh-hans"


def test_the_switcher_sets_the_cookie_for_anyone_and_returns_to_the_page():
    client = Client()
    answer = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accessibility/"})
    assert answer.status_code == 302 and answer["Location"] == "/accessibility/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = client.get("/accessibility/")
    assert _lang(page) == "zh-hans" and "无障碍声明" in page.content.decode()
    # A foreign `next` is not followed.
    away = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert away["Location"] == "/"


def test_the_switcher_saves_the_choice_in_a_signed_in_persons_profile(world):
    member = world.users["member"]
    client = world.client("member")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    member.profile.refresh_from_db()
    assert member.profile.language == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    member.profile.refresh_from_db()
    assert member.profile.language == "en"
    # An unknown code changes nothing (Django's view ignores it too).
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    member.profile.refresh_from_db()
    assert member.profile.language == "en"
    # A GET changes nothing either.
    client.get("/i18n/setlang/?language=zh-hans&next=/")
    member.profile.refresh_from_db()
    assert member.profile.language == "en"


def test_the_header_has_an_accessible_switcher_that_keeps_the_page(world):
    page = world.client("member").get("/me/notifications/?show=unread").content.decode()
    assert '<label for="lang-select" class="sr-only">Language</label>' in page
    assert '<option value="zh-hans" lang="zh-hans">简体中文</option>' in page
    assert '<option value="en" lang="en" selected>English</option>' in page
    assert 'name="next" value="/me/notifications/?show=unread"' in page
    assert "/i18n/js/" in page.split("htmx.min.js")[0]  # the catalogue loads before the scripts


def test_profile_form_and_service_store_clear_and_refuse():
    user = UserFactory()
    services.profile_update(user=user, language="zh-hans")
    user = User.objects.get(pk=user.pk)
    assert profile_language(user) == "zh-hans" and recipient_language(user) == "zh-hans"
    services.profile_update(user=user, language="")
    user = User.objects.get(pk=user.pk)
    assert profile_language(user) == "" and recipient_language(user) == settings.LANGUAGE_CODE
    assert profile_language(None) == "" and recipient_language(None) == settings.LANGUAGE_CODE
    with pytest.raises(InvalidInput) as refused:
        services.profile_update(user=user, language="klingon")
    assert refused.value.field == "language"


def test_profile_page_saves_the_language(world):
    client = world.client("member")
    page = client.post(
        "/me/profile/", {"display_name": "Mia", "hours_per_month": 0, "language": "zh-hans"}, follow=True
    )
    assert "您的个人资料已保存。" in page.content.decode()
    refused = client.post("/me/profile/", {"display_name": "Mia", "hours_per_month": 0, "language": "xx"})
    assert refused.status_code == 200 and "xx" in refused.content.decode()  # a form error, nothing saved
    world.users["member"].profile.refresh_from_db()
    assert world.users["member"].profile.language == "zh-hans"


def test_api_profile_reads_and_sets_the_language_as_a_closed_set(api):
    client = api("member")
    assert client.get("/me/profile").json()["language"] == ""
    assert client.patch("/me/profile", {"language": "zh-hans"}).json()["language"] == "zh-hans"
    refused = client.patch("/me/profile", {"language": "fr"})
    assert refused.status_code == 422
    assert client.patch("/me/profile", {"language": ""}).json()["language"] == ""


def test_the_personal_data_download_includes_the_language(world):
    services.profile_update(user=world.users["member"], language="zh-hans")
    data = json.loads(world.client("member").get("/me/data.json").content)
    assert data["profile"]["language"] == "zh-hans"


def test_allauths_mails_follow_the_recipients_profile_language(client):
    from allauth.account.models import EmailAddress
    from django.core import mail

    user = UserFactory(email="li@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    services.profile_update(user=user, language="zh-hans")
    client.post("/accounts/password/reset/", {"email": "li@example.com"}, HTTP_ACCEPT_LANGUAGE="en")
    [message] = mail.outbox
    assert "密码" in message.subject + message.body  # allauth's own Chinese
    assert "password" not in message.subject.lower()


def test_the_javascript_catalogue_follows_the_language(client):
    chinese = client.get("/i18n/js/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "\\u5df2\\u590d\\u5236" in chinese or "已复制" in chinese  # "Copied", from the project's djangojs
    assert "People to mention" in chinese  # discussions' djangojs, with its translation beside it
    english = client.get("/i18n/js/").content.decode()
    assert "已复制" not in english and "\\u5df2\\u590d\\u5236" not in english
