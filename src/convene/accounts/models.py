"""People: the user (email is the identity), their profile, opt-in diversity answers, API tokens."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    # Set when the person deleted their account (or a coordinator erased it on their request): the
    # row stays so that their votes, statements and turns still add up, but it holds nothing personal.
    deleted_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    def __str__(self) -> str:
        return self.display_name

    FORMER_MEMBER = gettext_noop("A former member")

    @property
    def display_name(self) -> str:
        if self.deleted_at is not None:
            return gettext(self.FORMER_MEMBER)
        profile = getattr(self, "profile", None)
        if profile and profile.display_name:
            return profile.display_name
        return self.email.split("@", 1)[0]


class Skill(models.Model):
    """A tag for skills and interests, stored lower-case so search is predictable."""

    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Seniority(models.TextChoices):
    STUDENT = "student", _("Student or trainee")
    EARLY = "early", _("Early career (0–5 years)")
    MID = "mid", _("Mid career (5–15 years)")
    SENIOR = "senior", _("Senior (15+ years)")
    LEADER = "leader", _("Leadership role")


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    discipline = models.CharField("practice / discipline", max_length=80, blank=True)
    organisation = models.CharField(max_length=120, blank=True)
    seniority = models.CharField(max_length=10, choices=Seniority.choices, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="skilled_profiles")
    interests = models.ManyToManyField(Skill, blank=True, related_name="interested_profiles")
    hours_per_month = models.PositiveSmallIntegerField(default=0)
    bio = models.TextField(max_length=2000, blank=True)
    # An IANA name from zoneinfo.available_timezones() (accounts.zones); blank: the browser's or the site's.
    time_zone = models.CharField(max_length=64, blank=True)
    # A code from settings.LANGUAGES; blank: follow the browser (accounts.languages).
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["discipline"]), models.Index(fields=["organisation"])]

    def __str__(self) -> str:
        return self.display_name or str(self.user_id)


class DiversityAnswer(models.Model):
    """One self-described attribute, stored only with the member's explicit consent.

    Never shown individually to anyone but the member; read only by aggregate selectors.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diversity_answers")
    attribute = models.CharField(max_length=40)
    value = models.CharField(max_length=80)
    consented_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "attribute"], name="one_answer_per_attribute")]


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the secret is shown once at creation.

    A token has a scope (read-only tokens are refused on writes) and may expire; all of a user's
    tokens are revoked when their password changes or is reset.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=5, choices=TokenScope.choices, default=TokenScope.WRITE)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.expired

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def read_only(self) -> bool:
        return self.scope == TokenScope.READ
