"""Synthetic national data for benchmarks: populations, venues, teams, sessions and activations."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outreach import synthetic
from regions.models import COUNTRY_CODE, Region


class Command(BaseCommand):
    help = (
        "Buat data sintetis yang sama untuk seed yang sama: wajib KTP setiap desa (sekitar 3/4 penduduk "
        "kabupaten/kota di population_2025.csv), kegiatan di tempat, dan N hasil layanan. Butuh daftar wilayah."
    )

    def add_arguments(self, parser):
        parser.add_argument("--activations", type=int, required=True, help="jumlah hasil layanan, misalnya 10000000")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--region", default=COUNTRY_CODE, help="kode wilayah; bawaan seluruh Indonesia")
        parser.add_argument("--population", help="berkas penduduk; bawaan population_2025.csv di data bersama")

    def handle(self, *args, activations: int, seed: int, region: str, population: str | None, **options):
        if activations < 0:
            raise CommandError("--activations tidak boleh negatif.")
        root = Region.objects.filter(code=region.strip()).first()
        if root is None:
            raise CommandError(f"Wilayah {region} tidak dikenal: impor daftar wilayah dulu (import_regions).")
        path = Path(population) if population else Path(settings.SHARED_DATA_DIR) / "regions" / "population_2025.csv"
        if not path.exists():
            raise CommandError(f"Berkas penduduk {path} tidak ada.")
        started = time.perf_counter()
        try:
            made = synthetic.generate(activations=activations, seed=seed, root=root, population_csv=path)
        except synthetic.SyntheticExists:
            raise CommandError("Data sintetis sudah ada di basis data ini: buat basis data baru untuk membuatnya lagi.") from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{made.villages} desa, {made.populations} angka penduduk, {made.sessions} kegiatan, "
            f"{made.activations} hasil layanan dalam {seconds:.1f} detik."
        )
