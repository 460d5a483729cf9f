"""The `convene` console script: Django's management commands with Convene's settings."""

import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convene.settings")
    execute_from_command_line(["convene", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
