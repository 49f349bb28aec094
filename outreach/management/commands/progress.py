import csv
import io
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from outreach.progress import FIELDS, NoBase, progress_for
from regions.imports import parse_day
from regions.models import Indicator, Region


class Command(BaseCommand):
    help = "Kemajuan menuju target: capaian, sisa, laju yang diperlukan, status (tabel, CSV atau JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="kode wilayah, misalnya 33.24")
        parser.add_argument("--indicator", required=True, help="ikd, ektp atau kia")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--as-of", dest="as_of", help="tanggal (TTTT-BB-HH), bawaan hari ini")
        parser.add_argument("--children", action="store_true", help="tambahkan satu baris per wilayah di bawahnya")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, region, indicator, year, as_of, children, format, **options):
        if indicator not in Indicator.values:
            raise CommandError(f"Indikator '{indicator}' tidak dikenal: pilih ikd, ektp atau kia.")
        place = Region.objects.filter(code=region).first()
        if place is None:
            raise CommandError(f"Wilayah {region} tidak dikenal.")
        try:
            day = parse_day(as_of, "--as-of") if as_of else timezone.localdate()
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        regions = [place]
        if children:
            regions += list(place.children.filter(is_current=True).order_by("code"))
        try:
            rows = [item.as_dict() for item in progress_for(regions, indicator=indicator, year=year, as_of=day)]
        except NoBase as missing:
            raise CommandError(
                f"{missing.args[0].name} ({missing.args[0].code}) belum punya data penduduk dasar pada {day.isoformat()}: "
                "impor dengan import_population."
            ) from None
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        elif format == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            self.stdout.write(out.getvalue(), ending="")
        else:
            shown = ["region_code", "region_name", "base", "target_count", "achieved", "coverage_percent", "remaining",
                     "working_days_left", "required_per_day", "pace_per_week", "projected_date", "status"]
            table = [shown] + [["" if row[name] is None else str(row[name]) for name in shown] for row in rows]
            widths = [max(len(line[i]) for line in table) for i in range(len(shown))]
            for line in table:
                self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
