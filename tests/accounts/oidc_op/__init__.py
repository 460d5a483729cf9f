"""A real OpenID Connect provider for the tests: django-oauth-toolkit in OIDC mode, run in its own
process (`python -m tests.accounts.oidc_op.serve`) with its own database and signing key."""
