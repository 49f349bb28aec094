"""Demo data for `make run`: Kabupaten Kendal and Kota Blitar, and one account per role."""

import csv
import io
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from regions.models import COUNTRY_CODE, Region, User, code_within
from regions.services import region_import

BUILT_IN = Path(__file__).resolve().parents[2] / "fixtures" / "demo_regions.csv"
DEMO_ROOTS = ["33.24", "35.72"]  # Kabupaten Kendal, Kota Blitar

# username, first name, last name, role, region codes, superuser
DEMO_USERS = [
    ("admin.pusat", "Admin", "Pusat", User.Role.STAFF, [COUNTRY_CODE], True),
    ("staf.kendal", "Staf", "Kendal", User.Role.STAFF, ["33.24"], False),
    ("pimpinan.kendal", "Pimpinan", "Kendal", User.Role.MANAGER, ["33.24"], False),
    ("operator.kaliwungu", "Operator", "Kaliwungu", User.Role.OPERATOR, ["33.24.08"], False),
    ("staf.blitar", "Staf", "Blitar", User.Role.STAFF, ["35.72"], False),
]


def demo_region_csv() -> tuple[str, io.StringIO]:
    """The demo regions: from the full code list when it is there, else the built-in excerpt."""
    full = Path(settings.SHARED_DATA_DIR) / "regions" / "regions_id.csv"
    if not full.exists():
        return str(BUILT_IN), io.StringIO(BUILT_IN.read_text(encoding="utf-8"))
    out = io.StringIO()
    with open(full, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        provinces = {root.split(".")[0] for root in DEMO_ROOTS}
        for row in reader:
            if row["code"] in provinces or any(code_within(row["code"], root) for root in DEMO_ROOTS):
                writer.writerow(row)
    out.seek(0)
    return str(full), out


class Command(BaseCommand):
    help = "Muat data demo (Kabupaten Kendal, Kota Blitar, satu akun per peran). Aman dijalankan berulang."

    @transaction.atomic
    def handle(self, *args, **options):
        origin, source = demo_region_csv()
        result = region_import(source=source, retire_missing=False)
        self.stdout.write(f"Wilayah demo dari {origin}: {sum(result.created.values())} baru.")

        password = settings.DEMO_PASSWORD
        for username, first, last, role, codes, superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "role": role, "is_superuser": superuser},
            )
            if created:
                user.set_password(password)
                user.save()
                user.regions.set(Region.objects.filter(code__in=codes))

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Akun demo (kata sandi: %s):" % password))
        for username, _first, _last, role, codes, superuser in DEMO_USERS:
            scope = "seluruh Indonesia" if COUNTRY_CODE in codes else ", ".join(codes)
            label = "superuser" if superuser else User.Role(role).label
            self.stdout.write(f"  {username:<20} {label:<32} {scope}")
