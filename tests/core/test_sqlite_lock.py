"""SQLite: while another connection holds the write lock (`BEGIN IMMEDIATE`), a token-authenticated
read still answers 200 (the token's last-used write is skipped after a short wait), and a write
waits and then answers JSON 503 with Retry-After, never 500.

A file database of its own, in a child process: the test database of the suite is in memory (or
PostgreSQL), where SQLite's file lock does not exist.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import json, sqlite3, sys, time
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.conf import settings
    call_command("migrate", verbosity=0)
    from convene.accounts.models import User
    from convene.accounts.services import api_token_create
    user = User.objects.create_user(email="reader@example.com", password="x" * 12)
    token, secret = api_token_create(user=user, name="reader")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()
    client.get("/api/v1/communities/")  # the first request imports the URL configuration: not timed
    holder = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE accounts_apitoken SET name = 'held' WHERE id = ?", (token.pk,))
    out = {}
    started = time.monotonic()
    read = client.get("/api/v1/me/profile", **auth)
    out["read"] = [read.status_code, round(time.monotonic() - started, 2), read["Content-Type"]]
    started = time.monotonic()
    write = client.patch("/api/v1/me/profile", data=json.dumps({"bio": "x"}), content_type="application/json", **auth)
    out["write"] = [write.status_code, round(time.monotonic() - started, 2), write["Content-Type"],
                    write.get("Retry-After"), write.json().get("code")]
    holder.execute("ROLLBACK")
    again = client.get("/api/v1/me/profile", **auth)
    token.refresh_from_db()
    out["after"] = [again.status_code, token.last_used_at is not None]
    print(json.dumps(out))
    """
)


def test_a_held_sqlite_write_lock_never_fails_a_token_read(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'lock.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "convene.settings",
        "CONVENE_ENV": "development",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    status, seconds, content_type = out["read"]
    assert status == 200, out
    assert seconds < 2.5, f"the read waited {seconds} s for a write it does not need"
    status, seconds, content_type, retry_after, code = out["write"]
    assert status == 503 and content_type.startswith("application/json") and int(retry_after) > 0, out
    assert code == "unavailable"
    assert out["after"] == [200, True], "once the lock is gone, the token's use is recorded again"


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")
