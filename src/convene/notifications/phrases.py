"""Notification texts that are written in each recipient's language.

A notification's text is stored once per recipient. A caller that passes a plain string stores the
same words for everyone (a coordinator's message: their own words). A caller that passes
`phrase(gettext_lazy("%(name)s replied in “%(title)s”"), name=…, title=…)` gets the sentence
translated for each recipient: `notify()` renders it inside `translation.override()` with the
recipient's language (their profile's, else the site's), so the list, the e-mail subject and the
digest all read in that language.
"""

from __future__ import annotations

from django.utils.functional import Promise, lazy


def _render(template, params: dict) -> str:
    return str(template) % params if params else str(template)


_lazy_render = lazy(_render, str)


def phrase(template, **params) -> Promise:
    """A sentence rendered when it is turned into a string, in the language active at that moment."""
    return _lazy_render(template, params)


def is_phrase(text) -> bool:
    return isinstance(text, Promise)
