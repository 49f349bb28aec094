from django.core.management.base import BaseCommand

from regions import imports
from regions.management.commands._imports import read_rows, run


class Command(BaseCommand):
    help = (
        "Impor capaian resmi SIAK/kementerian dari CSV (UTF-8) atau XLSX dengan kolom "
        "region_code,indicator,as_of,count (source bila ada); indikator ikd, ektp atau kia. "
        "Satu baris salah: tidak ada yang disimpan. Impor ulang memperbarui, tidak menggandakan."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="berkas .csv atau .xlsx")

    def handle(self, *args, path: str, **options):
        self.stdout.write(run(imports.achievements_check, imports.achievements_apply, read_rows(path)))
