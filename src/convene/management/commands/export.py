"""`convene export COMMUNITY > file.json`: a whole community as JSON (see core/portability.py)."""

import json

from django.core.management.base import BaseCommand, CommandError

from convene.communities.models import Community
from convene.core.portability import community_export


class Command(BaseCommand):
    help = "Write a community, its people's consented data and everything it holds to stdout as JSON."

    def add_arguments(self, parser):
        parser.add_argument("community", help="the community's address (slug)")

    def handle(self, *args, community, **options):
        found = Community.objects.filter(slug=community).first()
        if found is None:
            raise CommandError(f"No community with the address “{community}”.")
        self.stdout.write(json.dumps(community_export(found), indent=1, ensure_ascii=False, default=str))
