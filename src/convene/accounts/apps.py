from allauth.account.signals import password_changed, password_reset, password_set
from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "convene.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Models (and the services built on them) can only be imported once the app registry is
        # ready: this is Django's AppConfig.ready rule, not an import circle.
        from .models import ApiToken, Profile, User
        from .services import api_tokens_revoke_all, token_forget

        def ensure_profile(sender, instance, created, **kwargs):
            if created and not kwargs.get("raw"):  # fixtures and imports bring their own profile
                # Assigning refreshes the reverse cache, which may hold a stale "no profile".
                instance.profile = Profile.objects.get_or_create(user=instance)[0]

        post_save.connect(ensure_profile, sender=User, dispatch_uid="accounts.ensure_profile", weak=False)

        # Cached token lookups (services.token_for_secret) hold the token and its user: drop them
        # when either changes (revoked, deleted, the user deactivated or given other rights).
        def forget_token(sender, instance, **kwargs):
            token_forget(instance.key_hash)

        def forget_users_tokens(sender, instance, created=False, **kwargs):
            if not created:
                token_forget(*ApiToken.objects.filter(user_id=instance.pk).values_list("key_hash", flat=True))

        post_save.connect(forget_token, sender=ApiToken, dispatch_uid="accounts.forget_saved_token", weak=False)
        post_delete.connect(forget_token, sender=ApiToken, dispatch_uid="accounts.forget_deleted_token", weak=False)
        post_save.connect(forget_users_tokens, sender=User, dispatch_uid="accounts.forget_users_tokens", weak=False)

        def revoke_tokens(sender, request, user, **kwargs):
            api_tokens_revoke_all(user=user, reason="password_changed")

        for signal, uid in ((password_changed, "changed"), (password_reset, "reset"), (password_set, "set")):
            signal.connect(revoke_tokens, dispatch_uid=f"accounts.revoke_tokens_{uid}", weak=False)
