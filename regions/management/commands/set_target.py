from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from regions import imports
from regions.models import Indicator, Region


class Command(BaseCommand):
    help = "Tetapkan target (persen) sebuah indikator untuk satu tahun, nasional atau untuk satu wilayah."

    def add_arguments(self, parser):
        parser.add_argument("--indicator", required=True, help="ikd, ektp atau kia")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--percent", required=True)
        parser.add_argument("--region", help="kode wilayah; tanpa ini target nasional")
        parser.add_argument("--due", help="batas waktu (TTTT-BB-HH), bawaan 31 Desember")

    def handle(self, *args, indicator, year, percent, region, due, **options):
        if indicator not in Indicator.values:
            raise CommandError(f"Indikator '{indicator}' tidak dikenal: pilih ikd, ektp atau kia.")
        where = None
        if region:
            where = Region.objects.filter(code=region).first()
            if where is None:
                raise CommandError(f"Wilayah {region} tidak dikenal.")
        try:
            percent_value = Decimal(percent)
            due_date = imports.parse_day(due, "--due") if due else None
            target, changed = imports.target_set(
                indicator=indicator, year=year, percent=percent_value, region=where, due=due_date
            )
        except InvalidOperation:
            raise CommandError(f"Persen '{percent}' bukan angka.") from None
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        except ValidationError as problem:
            raise CommandError("; ".join(message for messages in problem.message_dict.values() for message in messages)) from None
        label = where.name if where else "nasional"
        state = "ditetapkan" if changed else "tidak berubah"
        self.stdout.write(
            f"Target {Indicator(indicator).label} {year} {label}: {target.percent:g}% sampai {target.due.isoformat()} ({state})."
        )
