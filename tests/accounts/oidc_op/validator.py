from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """Claims as Entra ID / Keycloak send them: name, e-mail (verified), and an organisation."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "organization": "profile"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": True,
            "name": f"{user.first_name} {user.last_name}".strip(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "organization": "St Elsewhere Hospital",
        }
