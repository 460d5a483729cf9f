"""SSO-only mode (CONVENE_SSO_ONLY): settings are read at start, so it is checked in a fresh process."""

import os
import subprocess
import sys

SCRIPT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from django.conf import settings
page = Client().get("/accounts/login/")
print(page.status_code, b'type="password"' in page.content, Client().get("/accounts/signup/").status_code,
      "allauth.mfa" in settings.INSTALLED_APPS)
"""


def test_sso_only_hides_passwords_and_sign_up(tmp_path):
    env = {**os.environ, "CONVENE_SSO_ONLY": "true", "DJANGO_SETTINGS_MODULE": "convene.settings"}
    env["CONVENE_VAR_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-4:] == ["200", "False", "404", "False"]
