"""`convene import file.json`: load a community exported by `convene export`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from convene.core.portability import ImportRefused, community_import


class Command(BaseCommand):
    help = "Import a community exported with `convene export` into this database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON file written by `convene export`")

    def handle(self, *args, file, **options):
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"No file {file}.") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file} is not valid JSON: {exc}") from None
        try:
            count = community_import(data)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {count} rows for community “{data['community']}”."))
