from django.core.management.base import BaseCommand
from django.db import transaction

from regions.imports import LineError
from regions.management.commands._imports import read_rows, refused
from regions.models import CODE_SHAPES, HistoricalCode, Level


class Command(BaseCommand):
    help = "Impor kode wilayah edisi lama (CSV: code,name,level,first_seen,last_seen) untuk pemeriksaan NIK."

    def add_arguments(self, parser):
        parser.add_argument("path")

    @transaction.atomic
    def handle(self, *args, path: str, **options):
        rows = read_rows(path)
        errors, values = [], []
        for line, row in rows:
            level = Level.from_slug(row.get("level", ""))
            if level is None or level == Level.VILLAGE or not CODE_SHAPES[level].fullmatch(row.get("code", "")):
                errors.append(LineError(line, f"kode '{row.get('code', '')}' atau tingkat '{row.get('level', '')}' tidak valid"))
                continue
            if not (row.get("first_seen", "").isdigit() and row.get("last_seen", "").isdigit()):
                errors.append(LineError(line, "first_seen dan last_seen harus tahun"))
                continue
            values.append((row["code"], row.get("name", ""), level, int(row["first_seen"]), int(row["last_seen"])))
        if errors:
            raise refused(errors)
        created = 0
        for code, name, level, first, last in values:
            _obj, new = HistoricalCode.objects.update_or_create(
                code=code, defaults={"name": name, "level": level, "first_seen": first, "last_seen": last}
            )
            created += new
        self.stdout.write(f"Selesai: {created} baru, {len(values) - created} sudah ada.")
