"""Demo data for `make run`: Kabupaten Kendal and Kota Blitar, their published figures, one account per role.

The figures are the published ones of DESIGN.md; the one figure that was never published
(Kota Blitar's IKD count, "about 19%") says in its source that it is a demo estimate.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from regions import imports
from regions.models import COUNTRY_CODE, Indicator, Region, User, code_within
from regions.services import region_import

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
BUILT_IN = FIXTURES / "demo_regions.csv"
NATIONAL_IKD_TARGETS = {2023: 25, 2024: 30, 2025: 30}
POPULATION_2025_AS_OF = date(2025, 4, 25)  # the date the 2025 code list was set
DEMO_ROOTS = ["33.24", "35.72"]  # Kabupaten Kendal, Kota Blitar

# username, first name, last name, role, region codes, superuser
DEMO_USERS = [
    ("admin.pusat", "Admin", "Pusat", User.Role.STAFF, [COUNTRY_CODE], True),
    ("staf.kendal", "Staf", "Kendal", User.Role.STAFF, ["33.24"], False),
    ("pimpinan.kendal", "Pimpinan", "Kendal", User.Role.MANAGER, ["33.24"], False),
    ("operator.kaliwungu", "Operator", "Kaliwungu", User.Role.OPERATOR, ["33.24.08"], False),
    ("staf.blitar", "Staf", "Blitar", User.Role.STAFF, ["35.72"], False),
]


def demo_regions() -> tuple[Path, imports.Rows]:
    """The demo regions: from the full code list when it is there, else the built-in excerpt."""
    full = Path(settings.SHARED_DATA_DIR) / "regions" / "regions_id.csv"
    path = full if full.exists() else BUILT_IN
    rows = imports.read_table(content=path.read_bytes(), filename=path.name)
    provinces = {root.split(".")[0] for root in DEMO_ROOTS}
    return path, [
        (line, row)
        for line, row in rows
        if row["code"] in provinces or any(code_within(row["code"], root) for root in DEMO_ROOTS)
    ]


def demo_population_2025() -> imports.Rows:
    """Populations 2025 of the demo regions and their provinces, from population_2025.csv when present."""
    full = Path(settings.SHARED_DATA_DIR) / "regions" / "population_2025.csv"
    path = full if full.exists() else FIXTURES / "demo_population_2025.csv"
    rows = imports.read_table(content=path.read_bytes(), filename=path.name)
    wanted = {root.split(".")[0] for root in DEMO_ROOTS} | set(DEMO_ROOTS)
    return [(line, values) for line, values in rows if values["region_code"] in wanted]


def load_figures() -> None:
    for year, percent in NATIONAL_IKD_TARGETS.items():
        imports.target_set(indicator=Indicator.IKD, year=year, percent=Decimal(percent))
    imports.population_apply(preview=imports.population_check(rows=demo_population_2025(), as_of=POPULATION_2025_AS_OF))
    published = (FIXTURES / "demo_published_population.csv").read_bytes()
    rows = imports.read_table(content=published, filename="demo_published_population.csv")
    imports.population_apply(preview=imports.population_check(rows=rows))
    published = (FIXTURES / "demo_published_achievements.csv").read_bytes()
    rows = imports.read_table(content=published, filename="demo_published_achievements.csv")
    imports.achievements_apply(preview=imports.achievements_check(rows=rows))


class Command(BaseCommand):
    help = "Muat data demo (Kabupaten Kendal, Kota Blitar, satu akun per peran). Aman dijalankan berulang."

    @transaction.atomic
    def handle(self, *args, **options):
        origin, rows = demo_regions()
        result = region_import(rows=rows, retire_missing=False)
        self.stdout.write(f"Wilayah demo dari {origin}: {sum(result.created.values())} baru.")
        load_figures()
        self.stdout.write("Target nasional IKD 2023–2025, penduduk 2025 dan angka terbit Kendal dan Kota Blitar dimuat.")

        password = settings.DEMO_PASSWORD
        for username, first, last, role, codes, superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "role": role, "is_superuser": superuser,
                          "email": f"{username}@demo.invalid"},
            )
            if created:
                user.set_password(password)
                user.save()
                user.regions.set(Region.objects.filter(code__in=codes))

        # Outreach demo data belongs to the outreach app; it needs the accounts above.
        call_command("load_outreach_demo", stdout=self.stdout)
        call_command("load_partners_demo", stdout=self.stdout)

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Akun demo (kata sandi: %s):" % password))
        for username, _first, _last, role, codes, superuser in DEMO_USERS:
            scope = "seluruh Indonesia" if COUNTRY_CODE in codes else ", ".join(codes)
            label = "superuser" if superuser else User.Role(role).label
            self.stdout.write(f"  {username:<20} {label:<32} {scope}")
