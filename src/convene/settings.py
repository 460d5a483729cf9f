"""Convene settings: one module, everything that varies comes from the environment.

CONVENE_ENV=production switches on the hardened defaults (`manage.py check --deploy` clean).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CONVENE_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("CONVENE_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when CONVENE_ENV=production")
    # Development: a random key kept under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "convene.apps.ConveneConfig",
    "convene.core",
    "convene.accounts",
    "convene.communities",
    "convene.convening",
    "convene.deliberation",
    "convene.projects",
    "convene.insights",
    "convene.search",
    "convene.notifications",
    "convene.discussions",
    "convene.attachments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "convene.core.middleware.ApiJsonMiddleware",
    "convene.core.middleware.ApiBodyGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "convene.core.middleware.ApiRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "convene.accounts.zones.ViewerTimeZoneMiddleware",
]

ROOT_URLCONF = "convene.urls"
WSGI_APPLICATION = "convene.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "convene.core.context_processors.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'convene.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=os.environ.get("DB_HEALTH_CHECKS", "true") == "true",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and PRODUCTION:
    # Never wait forever on the database: a request fails (and the client retries) instead of
    # holding a worker thread while the server restarts or a lock is stuck. Production only: a
    # test holds one transaction open for its whole run.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),
            "options": "-c statement_timeout={} -c lock_timeout={} -c idle_in_transaction_session_timeout={}".format(
                os.environ.get("DB_STATEMENT_TIMEOUT_MS", "30000"),
                os.environ.get("DB_LOCK_TIMEOUT_MS", "10000"),
                os.environ.get("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "0"),  # 0: off
            ),
            "keepalives": 1,
            "keepalives_idle": 30,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# The cache holds rate-limit counters and the map worker's "recompute pending" flags, so every
# web process and the worker must share it: Redis when REDIS_URL is set (several machines), else
# files under var/ in production (one machine, several processes), else memory (development).
if os.environ.get("REDIS_URL"):
    # Fails open (core/cache.py): with Redis down the site keeps working, limits unenforced, a warning logged.
    _CACHE = {"BACKEND": "convene.core.cache.FailOpenRedisCache", "LOCATION": os.environ["REDIS_URL"]}
elif PRODUCTION:
    _CACHE = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("CACHE_DIR", str(VAR_DIR / "cache")),
    }
else:
    _CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
CACHES = {"default": _CACHE}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# allauth: email is the identity; verification is mandatory.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "convene.accounts.adapters.AccountAdapter"  # failed logins keyed on e-mail + address
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Convene] "
LOGIN_REDIRECT_URL = "core:home"
LOGIN_URL = "account_login"

# Single sign-on (docs/sso.md). Identity providers come from the environment (below) or from the
# admin (Social applications); both appear on the sign-in page. Accounts are made just in time.
SOCIALACCOUNT_ADAPTER = "convene.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# An IdP address marked verified (see CONVENE_*_TRUST_EMAIL) signs in to the local account with that address.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
# SSO only: no passwords at all (allauth removes the password sign-in, sign-up, reset and change).
CONVENE_SSO_ONLY = env_bool("CONVENE_SSO_ONLY")
SOCIALACCOUNT_ONLY = CONVENE_SSO_ONLY
if CONVENE_SSO_ONLY:
    # The identity provider vouches for the person and does the second factor (allauth refuses
    # SOCIALACCOUNT_ONLY with e-mail verification or with allauth.mfa; docs/sso.md, decisions).
    ACCOUNT_EMAIL_VERIFICATION = SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
else:
    INSTALLED_APPS.insert(INSTALLED_APPS.index("convene.apps.ConveneConfig"), "allauth.mfa")
    MIDDLEWARE.append("convene.accounts.middleware.CoordinatorTwoFactorMiddleware")


def _oidc_apps() -> list[dict]:
    if not os.environ.get("CONVENE_OIDC_CLIENT_ID"):
        return []
    return [
        {
            "provider_id": os.environ.get("CONVENE_OIDC_ID", "oidc"),
            "name": os.environ.get("CONVENE_OIDC_NAME", "Single sign-on"),
            "client_id": os.environ["CONVENE_OIDC_CLIENT_ID"],
            "secret": os.environ.get("CONVENE_OIDC_CLIENT_SECRET", ""),
            "settings": {
                # The issuer; allauth reads <issuer>/.well-known/openid-configuration.
                "server_url": os.environ["CONVENE_OIDC_SERVER_URL"],
                "token_auth_method": os.environ.get("CONVENE_OIDC_TOKEN_AUTH_METHOD", "client_secret_post"),
                "oauth_pkce_enabled": True,
                "scope": env_list("CONVENE_OIDC_SCOPES", "openid,profile,email"),
                "trust_email": env_bool("CONVENE_OIDC_TRUST_EMAIL"),
                "organisation_claim": os.environ.get("CONVENE_OIDC_ORGANISATION_CLAIM", ""),
            },
        }
    ]


def _saml_apps() -> list[dict]:
    if not os.environ.get("CONVENE_SAML_IDP_ENTITY_ID"):
        return []
    idp = {"entity_id": os.environ["CONVENE_SAML_IDP_ENTITY_ID"]}
    if os.environ.get("CONVENE_SAML_IDP_METADATA_URL"):
        idp["metadata_url"] = os.environ["CONVENE_SAML_IDP_METADATA_URL"]
    else:
        idp["sso_url"] = os.environ["CONVENE_SAML_IDP_SSO_URL"]
        idp["x509cert"] = os.environ["CONVENE_SAML_IDP_X509CERT"]
    saml_settings = {
        "idp": idp,
        "advanced": {
            "strict": True,
            "want_assertion_signed": env_bool("CONVENE_SAML_WANT_ASSERTION_SIGNED", True),
            "want_message_signed": env_bool("CONVENE_SAML_WANT_MESSAGE_SIGNED", False),
            "reject_idp_initiated_sso": True,
        },
        "trust_email": env_bool("CONVENE_SAML_TRUST_EMAIL"),
        "organisation_claim": os.environ.get("CONVENE_SAML_ORGANISATION_ATTRIBUTE", ""),
    }
    if os.environ.get("CONVENE_SAML_SP_ENTITY_ID"):
        saml_settings["sp"] = {"entity_id": os.environ["CONVENE_SAML_SP_ENTITY_ID"]}
    if os.environ.get("CONVENE_SAML_ATTRIBUTE_MAPPING"):
        saml_settings["attribute_mapping"] = json.loads(os.environ["CONVENE_SAML_ATTRIBUTE_MAPPING"])
    return [
        {
            "provider_id": os.environ["CONVENE_SAML_IDP_ENTITY_ID"],
            "name": os.environ.get("CONVENE_SAML_NAME", "SAML single sign-on"),
            "client_id": os.environ.get("CONVENE_SAML_ORGANISATION", "saml"),
            "settings": saml_settings,
        }
    ]


SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": _oidc_apps()}, "saml": {"APPS": _saml_apps()}}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# The sign-in page's "Continue" form redirects to the identity provider, and browsers apply the CSP
# form-action to that redirect: the providers' origins are allowed there (more via CONVENE_CSP_FORM_ACTION,
# e.g. for providers added in the admin).
SSO_FORM_ACTION = sorted(
    {_origin(app["settings"]["server_url"]) for app in SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]}
    | {
        _origin(app["settings"]["idp"].get("sso_url") or app["settings"]["idp"]["metadata_url"])
        for app in SOCIALACCOUNT_PROVIDERS["saml"]["APPS"]
    }
    | set(env_list("CONVENE_CSP_FORM_ACTION"))
)

# Two-factor (allauth.mfa): authenticator app (TOTP), security keys and passkeys (WebAuthn), recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = os.environ.get("CONVENE_MFA_ISSUER", "Convene")
# WebAuthn needs https, except on localhost in development and tests.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
# Coordinators of any community must have two-factor before they use the site (accounts.middleware).
CONVENE_COORDINATOR_2FA = env_bool("CONVENE_COORDINATOR_2FA")

# Email: console by default; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Convene <convene@localhost>")
# Where people report an accessibility barrier (the statement at /accessibility/ shows it).
ACCESSIBILITY_CONTACT = os.environ.get("CONVENE_ACCESSIBILITY_CONTACT", "")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Reply by e-mail (docs/notifications.md): mails about a thread carry `Reply-To: reply+<token>@<domain>`
# when this is set; the domain's MX points at `convene mail_inbound` (or a provider posts to
# /api/v1/mail/inbound with CONVENE_INBOUND_SECRET). Unset: no Reply-To, mail works as before.
CONVENE_REPLY_DOMAIN = os.environ.get("CONVENE_REPLY_DOMAIN", "").strip().lower()
CONVENE_REPLY_MAX_AGE_DAYS = int(os.environ.get("CONVENE_REPLY_MAX_AGE_DAYS", "30"))
CONVENE_INBOUND_SECRET = os.environ.get("CONVENE_INBOUND_SECRET", "")

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend" if PRODUCTION else "django_tasks.backends.immediate.ImmediateBackend",
        )
    }
}

# /healthz answers 503 when the oldest waiting task is older than this (seconds; 0: not checked).
CONVENE_HEALTH_MAX_TASK_AGE = int(os.environ.get("CONVENE_HEALTH_MAX_TASK_AGE", "0"))

LANGUAGE_CODE = "en"
# The languages the interface is translated into (docs/i18n.md). Catalogues live in each app's
# locale/ folder and in src/convene/locale for the project's own templates.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "staticfiles"))
# Uploaded files (attachments, docs/attachments.md) live under MEDIA_ROOT by default. There is no
# MEDIA_URL on purpose: files are never served from a public address, only through a view that
# checks who may see the object they belong to. An operator moves attachments to S3-compatible
# storage by pointing STORAGES["attachments"] at django-storages' S3 backend (see the docs page).
MEDIA_ROOT = Path(os.environ.get("CONVENE_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production, WhiteNoise serves straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Attachments: the largest file taken (bytes), and the kinds taken, by extension (docs/attachments.md).
CONVENE_ATTACHMENT_MAX_BYTES = int(os.environ.get("CONVENE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
CONVENE_ATTACHMENT_TYPES = env_list(
    "CONVENE_ATTACHMENT_TYPES", "pdf,docx,xlsx,pptx,odt,txt,csv,md,png,jpg,jpeg,gif,webp"
)

# Request bodies: the API answers 413 above this (see core.middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_BODY_BYTES", str(1024 * 1024)))

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200
NINJA_PAGINATION_CLASS = "convene.core.api.Pagination"

# Content-Security-Policy: no inline scripts, everything from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *SSO_FORM_ACTION],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; kept default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# API writes (POST/PUT/PATCH/DELETE) per caller (token, session user or address) per minute; 0: off.
# Far above what a person does by hand; a runaway script gets 429 with Retry-After.
CONVENE_API_WRITES_PER_MINUTE = int(os.environ.get("CONVENE_API_WRITES_PER_MINUTE", "600"))

# Reverse proxies in front of Convene (addresses or CIDR networks, comma-separated). Rate limits by
# address read the client from X-Forwarded-For only behind these (core/clients.py).
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("CONVENE_TRUSTED_PROXIES", "").split(",") if p.strip()]
# A requester's tracking link for a request for opinion stops working this many days after the
# response is delivered (or the request declined); coordinators can also replace it at any time.
# The largest community export the import page takes (the API's import is bounded by MAX_BODY_BYTES).
CONVENE_IMPORT_MAX_BYTES = int(os.environ.get("CONVENE_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
CONVENE_OPINION_TRACKING_DAYS = int(os.environ.get("CONVENE_OPINION_TRACKING_DAYS", "365"))

# Pol.is imports (a new joint response from an export) and statements seeded from a CSV: the largest
# upload the page takes (a zip may unpack to 5x per CSV, 10x in all; the API is bounded by
# MAX_BODY_BYTES first), and the most comments, votes and seeded statements taken at once.
CONVENE_POLIS_UPLOAD_MAX_BYTES = int(os.environ.get("CONVENE_POLIS_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
CONVENE_POLIS_MAX_STATEMENTS = int(os.environ.get("CONVENE_POLIS_MAX_STATEMENTS", "5000"))
CONVENE_POLIS_MAX_VOTES = int(os.environ.get("CONVENE_POLIS_MAX_VOTES", "1000000"))
CONVENE_SEED_MAX_STATEMENTS = int(os.environ.get("CONVENE_SEED_MAX_STATEMENTS", "500"))

# Opinion maps: computed by a background worker in production, on read in development.
CONVENE_MAP_IN_WORKER = env_bool("CONVENE_MAP_IN_WORKER", PRODUCTION)
# A conversation under a stream of votes is recomputed at most this often (seconds).
CONVENE_MAP_MIN_INTERVAL = float(os.environ.get("CONVENE_MAP_MIN_INTERVAL", "3"))
# Reminders: hours before a session starts / a joint-response phase ends.
CONVENE_SESSION_REMINDER_HOURS = int(os.environ.get("CONVENE_SESSION_REMINDER_HOURS", "24"))
CONVENE_PHASE_REMINDER_HOURS = int(os.environ.get("CONVENE_PHASE_REMINDER_HOURS", "24"))

# Privacy: aggregate cells smaller than this are shown as "< N".
PRIVACY_MIN_CELL = 5
# Keys the noise of protected figures (convene/privacy/disclosure.py). Empty: SECRET_KEY. Changing it
# redraws every protected figure once (docs/privacy.md, "Limits"): set it once, keep it secret.
PRIVACY_KEY = os.environ.get("CONVENE_PRIVACY_KEY", "")
# Diversity attributes members may describe themselves by (opt-in); key -> label.
DIVERSITY_ATTRIBUTES = {
    "gender": "Gender",
    "age_band": "Age band",
    "background": "Background (e.g. ethnicity, migration, first in family at university)",
    "disability": "Disability or long-term condition",
    "caring": "Caring responsibilities",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
