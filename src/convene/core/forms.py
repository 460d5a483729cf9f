"""Form helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable

from django import forms

from convene.core.errors import ServiceError


def run_service(form: forms.Form, call: Callable):
    """Call a service; a ServiceError becomes an inline form error instead of a 500.

    Returns the service's result, or None when the form now carries the error.
    """
    try:
        return call()
    except ServiceError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return None
