"""The WSGI application production serves: gunicorn with its threaded worker (docs/deploy.md)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convene.settings")
_django = get_wsgi_application()

from convene.core.middleware import read_chunked_bodies  # noqa: E402 - after Django is set up

application = read_chunked_bodies(_django)


def _warm_up(resolver) -> None:
    """Import every URL module (views, and the API's ninja/pydantic schemas: about 2 s) and
    compile every URL pattern now, while the worker starts, instead of inside the first request
    someone makes. Namespaced includes are compiled lazily by Django, so walk them too."""
    resolver.reverse_dict  # noqa: B018
    for _pattern, sub in resolver.namespace_dict.values():
        _warm_up(sub)


from django.urls import get_resolver  # noqa: E402

_warm_up(get_resolver())

# What the worker has loaded by now (Django, every app, view and schema: some 290,000 objects) lives
# as long as the process. Moved out of the garbage collector's reach, it is no longer scanned by
# every full collection: one took 150-370 ms with the interpreter lock held, stalling all of the
# process's threads (docs/decisions.md P22).
gc.freeze()
