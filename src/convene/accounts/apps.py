from allauth.account.signals import password_changed, password_reset, password_set
from django.apps import AppConfig
from django.db.models.signals import post_save


class AccountsConfig(AppConfig):
    name = "convene.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Models (and the services built on them) can only be imported once the app registry is
        # ready: this is Django's AppConfig.ready rule, not an import circle.
        from .models import Profile, User
        from .services import api_tokens_revoke_all

        def ensure_profile(sender, instance, created, **kwargs):
            if created and not kwargs.get("raw"):  # fixtures and imports bring their own profile
                # Assigning refreshes the reverse cache, which may hold a stale "no profile".
                instance.profile = Profile.objects.get_or_create(user=instance)[0]

        post_save.connect(ensure_profile, sender=User, dispatch_uid="accounts.ensure_profile", weak=False)

        def revoke_tokens(sender, request, user, **kwargs):
            api_tokens_revoke_all(user=user, reason="password_changed")

        for signal, uid in ((password_changed, "changed"), (password_reset, "reset"), (password_set, "set")):
            signal.connect(revoke_tokens, dispatch_uid=f"accounts.revoke_tokens_{uid}", weak=False)
