"""Shared fetch helpers: one way to turn a missing or hidden object into a 404."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _


def owned_or_404(queryset, pk):
    """Fetch `pk` from a queryset already restricted to what the caller may see."""
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, TypeError, ValueError):
        raise Http404(_("Not found.")) from None
