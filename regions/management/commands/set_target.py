from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from regions import imports
from regions.models import Indicator, Region


class Command(BaseCommand):
    help = (
        "Tetapkan target (persen) sebuah indikator untuk satu tahun: nasional, atau untuk satu wilayah "
        "dengan --region. Menjalankan perintah yang sama dua kali tidak mengubah apa pun."
    )

    def add_arguments(self, parser):
        parser.add_argument("--indicator", required=True, help="ikd, ektp atau kia")
        parser.add_argument("--year", required=True, type=int, help="tahun target, misalnya 2025")
        parser.add_argument(
            "--percent", required=True, help="target dalam persen, lebih dari 0 sampai 100, misalnya 30"
        )
        parser.add_argument("--region", help="kode wilayah, misalnya 33.24; tanpa ini target nasional")
        parser.add_argument("--due", help="batas waktu (TTTT-BB-HH); bawaan 31 Desember tahun target")

    def handle(self, *args, indicator: str, year: int, percent: str, region: str | None, due: str | None, **options):
        indicator = indicator.strip().lower()
        if indicator not in Indicator.values:
            raise CommandError(f"Indikator '{indicator}' tidak dikenal: pilih ikd, ektp atau kia.")
        where = None
        if region:
            where = Region.objects.filter(code=region.strip()).first()
            if where is None:
                raise CommandError(f"Wilayah {region} tidak dikenal.")
        try:
            percent_value = Decimal(percent.strip().replace(",", "."))  # 32,5 as Indonesians write it
        except InvalidOperation:
            raise CommandError(f"Persen '{percent}' bukan angka.") from None
        try:
            due_date = imports.parse_day(due.strip(), "--due") if due else None
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        try:
            target, changed = imports.target_set(
                indicator=indicator, year=year, percent=percent_value, region=where, due=due_date
            )
        except ValidationError as problem:
            raise CommandError("Tidak ada yang disimpan. " + " ".join(problem.messages)) from None

        label = target.region.name if target.region_id else "nasional"
        state = "ditetapkan" if changed else "tidak berubah"
        plain = f"{target.percent.normalize():f}"
        self.stdout.write(
            f"Target {Indicator(indicator).label} {year} {label}: {plain}% sampai {target.due.isoformat()} ({state})."
        )
