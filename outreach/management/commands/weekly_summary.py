"""Build (or rebuild) the weekly summaries of one ISO week: every office region, or one region."""

from django.core.management.base import BaseCommand, CommandError

from outreach import reports
from regions.models import Region


class Command(BaseCommand):
    help = (
        "Susun ringkasan mingguan untuk satu minggu ISO (misalnya 2025-W47): semua wilayah kantor, atau "
        "satu wilayah dengan --region. Menyusun ulang memperbarui ringkasan yang sama. Dengan --kirim, "
        "pimpinan yang belum menerimanya dikirimi email."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", required=True, help="minggu ISO, misalnya 2025-W47")
        parser.add_argument("--region", help="kode wilayah; tanpa ini semua wilayah kantor")
        parser.add_argument("--kirim", action="store_true", help="kirim email ke pimpinan yang belum menerimanya")

    def handle(self, *args, week: str, region: str | None, kirim: bool, **options):
        try:
            monday = reports.parse_week(week)
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        if region:
            regions = list(Region.objects.filter(code=region.strip()))
            if not regions:
                raise CommandError(f"Wilayah {region} tidak dikenal.")
        else:
            regions = list(reports.office_regions())
            if not regions:
                raise CommandError("Belum ada wilayah kantor (tim atau pimpinan): tidak ada yang disusun.")
        sent = 0
        for place in regions:
            summary = reports.summary_build(place, monday)
            if kirim:
                sent += reports.summary_deliver(summary)
            self.stdout.write(f"{place.code} {place.name}: ringkasan {summary.week_label} tersimpan.")
        self.stdout.write(f"{len(regions)} ringkasan {week} tersusun" + (f", {sent} email terkirim." if kirim else "."))
