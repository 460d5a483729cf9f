from django import forms
from django.apps import AppConfig

from convene.core.text import validate_storable_text


class CoreConfig(AppConfig):
    name = "convene.core"
    label = "core"

    def ready(self):
        # Every web form's text field (and ModelForm's, admin's, allauth's) refuses what the API refuses:
        # control characters other than tab and newlines, and lone surrogates (core.text). Django adds its
        # own NUL check on top. Subclasses with their own validators (email, URL, slug) are stricter already.
        if validate_storable_text not in forms.CharField.default_validators:
            forms.CharField.default_validators = [*forms.CharField.default_validators, validate_storable_text]
