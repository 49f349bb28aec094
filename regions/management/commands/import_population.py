from django.core.management.base import BaseCommand, CommandError

from regions import imports
from regions.management.commands._imports import read_rows, run


class Command(BaseCommand):
    help = "Impor data penduduk (CSV/XLSX: region_code,as_of,population,wajib_ktp,children[,male,female])."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--as-of", dest="as_of", help="tanggal data bila berkas tidak punya kolom as_of (TTTT-BB-HH)")

    def handle(self, *args, path: str, as_of: str | None, **options):
        day = None
        if as_of:
            try:
                day = imports.parse_day(as_of, "--as-of")
            except ValueError as problem:
                raise CommandError(str(problem)) from None
        rows = read_rows(path)
        self.stdout.write(run(imports.population_check, imports.population_apply, rows, as_of=day))
