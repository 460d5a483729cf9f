"""`convene messages`: update every translation catalogue and compile it; `--check`: verify them.

Without options: the project's catalogue (src/convene/locale, every app folder left out) and each
app's own (src/convene/<app>/locale) are re-extracted for the django and djangojs domains, keeping
the translations, and compiled. With `--check`: nothing in the tree is written; the exit status is
non-zero and every message without a finished zh-hans translation is listed, and every .mo that
does not match its .po. `--only convene accounts` limits either run to those catalogues.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from convene.core import catalogues


class Command(BaseCommand):
    help = "Update and compile every translation catalogue; --check reports what is not translated."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report, write nothing; exit 1 on any problem.")
        parser.add_argument("--only", nargs="+", metavar="NAME", help="Catalogues by name: convene (project), apps.")
        parser.add_argument("--source", help="A copy of src/convene to check instead of the installed one.")

    def handle(self, *args, check=False, only=None, source=None, **options):
        root = Path(source).resolve() if source else catalogues.ROOT
        try:
            chosen = catalogues.catalogues(root, only)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if check:
            problems = catalogues.check(root, only)
            for problem in problems:
                self.stdout.write(problem)
            if problems:
                raise CommandError(f"{len(problems)} translation problem(s); run `make messages` and translate.")
            self.stdout.write(self.style.SUCCESS(f"{len(chosen)} catalogue(s): every message is translated."))
            return
        for catalogue in chosen:
            catalogues.update(catalogue, root)
            self.stdout.write(f"updated {catalogue.name}")
        catalogues.compile_all(root)
        self.stdout.write(self.style.SUCCESS("compiled"))
