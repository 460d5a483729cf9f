"""Account flows beyond the browser journey: password reset, createsuperuser, the console script."""

import os
import re
import subprocess
import sys

import pytest
from django.core import mail
from django.core.management import call_command

from convene.accounts.models import User

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_password_reset_by_email(client):
    user = UserFactory(email="forgetful@example.com")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(form_url, {"password1": "a-brand-new-pass-42", "password2": "a-brand-new-pass-42"})
    assert response.status_code in (200, 302)
    user.refresh_from_db()
    assert user.check_password("a-brand-new-pass-42")


def test_createsuperuser_non_interactive(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "an-admin-password-77")
    call_command("createsuperuser", "--no-input", "--email", "admin@example.org", verbosity=0)
    admin = User.objects.get(email="admin@example.org")
    assert admin.is_superuser and admin.check_password("an-admin-password-77")


def test_convene_console_script_runs_management_commands():
    result = subprocess.run(
        [sys.executable, "-m", "convene", "help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "convene.settings"},
    )
    assert result.returncode == 0
    for command in ("demo", "remind", "export", "import", "createsuperuser"):
        assert command in result.stdout
