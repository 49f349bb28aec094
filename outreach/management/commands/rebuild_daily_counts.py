from django.core.management.base import BaseCommand

from outreach.services import daily_counts_rebuild


class Command(BaseCommand):
    help = "Hitung ulang jumlah harian dari semua hasil layanan dan rekap (angka sama dengan yang berjalan)."

    def handle(self, *args, **options):
        rows = daily_counts_rebuild()
        self.stdout.write(f"Selesai: {rows} baris jumlah harian.")
