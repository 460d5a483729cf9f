from django.conf import settings


def site(request):
    return {
        "SITE_NAME": "Convene",
        "PRIVACY_MIN_CELL": settings.PRIVACY_MIN_CELL,
        "SSO_ONLY": settings.CONVENE_SSO_ONLY,
    }
