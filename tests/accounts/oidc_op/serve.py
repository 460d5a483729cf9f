"""Start the test OpenID provider: migrate its own SQLite file, add one person and one client, serve.

Environment: OP_PORT, OP_DB, OP_KEY_FILE (RSA private key, PEM), OP_CLIENT_ID, OP_CLIENT_SECRET,
OP_REDIRECT_URIS (space-separated), OP_USER (username:password:email:first:last).
"""

import os

import django
from django.core.management import call_command

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.accounts.oidc_op.settings"


def main() -> None:
    django.setup()
    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    username, password, email, first, last = os.environ["OP_USER"].split(":")
    User.objects.create_user(username, email=email, password=password, first_name=first, last_name=last)
    Application.objects.create(
        name="Convene",
        client_id=os.environ["OP_CLIENT_ID"],
        client_secret=os.environ["OP_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["OP_REDIRECT_URIS"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    call_command("runserver", f"127.0.0.1:{os.environ['OP_PORT']}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main()
