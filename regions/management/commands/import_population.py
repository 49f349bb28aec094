from django.core.management.base import BaseCommand, CommandError

from regions import imports
from regions.management.commands._imports import read_rows, run


class Command(BaseCommand):
    help = (
        "Impor data penduduk dari CSV (UTF-8) atau XLSX dengan kolom region_code,as_of dan angka "
        "population,wajib_ktp,children (male,female,source bila ada). Sel kosong berarti tidak diketahui; "
        "kolom yang tidak ada tidak mengubah angka tersimpan. Satu baris salah: tidak ada yang disimpan. "
        "Impor ulang memperbarui, tidak menggandakan."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="berkas .csv atau .xlsx")
        parser.add_argument(
            "--as-of", dest="as_of", help="tanggal data (TTTT-BB-HH) bila berkas tidak punya kolom as_of"
        )

    def handle(self, *args, path: str, as_of: str | None, **options):
        day = None
        if as_of:
            try:
                day = imports.parse_day(as_of.strip(), "--as-of")
            except ValueError as problem:
                raise CommandError(str(problem)) from None
        rows = read_rows(path)
        self.stdout.write(run(imports.population_check, imports.population_apply, rows, as_of=day))
