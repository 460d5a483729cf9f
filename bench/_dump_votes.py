"""Print every vote of a response as JSON lines [email, statement, value] (for the crash checks)."""

import json
import sys

import django

django.setup()

from convene.deliberation.models import Vote  # noqa: E402

rows = Vote.objects.filter(response_id=int(sys.argv[1])).values_list(
    "participant__user__email", "statement_id", "value"
)
print(json.dumps([list(r) for r in rows]))
