import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convene.settings")
application = get_wsgi_application()

# Import every URL module now (views, and the API's ninja/pydantic schemas, about 2 s) so that a
# worker does it while starting rather than inside the first request someone makes.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
