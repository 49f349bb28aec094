from django.core.management.base import BaseCommand

from regions import imports
from regions.management.commands._imports import read_rows, run


class Command(BaseCommand):
    help = "Impor capaian resmi SIAK/kementerian (CSV/XLSX: region_code,indicator,as_of,count,source)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        self.stdout.write(run(imports.achievements_check, imports.achievements_apply, read_rows(path)))
