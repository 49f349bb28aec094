"""Seed scripts run by `manage.py shell -c` in subprocess tests (a real worker, the failure tests)."""

# Kendal's branch of the region tree with a 2025 IKD target, its wajib KTP and 77 successes on
# 18 November 2025. Needs `datetime`, `counts` and the regions models imported before it.
KENDAL_TREE = """
country = Region.objects.get(code=COUNTRY_CODE)  # created by a migration
province = Region.objects.create(code="33", name="Jawa Tengah", level=1, kind=Kind.PROVINSI, parent=country)
kendal = Region.objects.create(code="33.24", name="Kabupaten Kendal", level=2, kind=Kind.KABUPATEN, parent=province)
district = Region.objects.create(code="33.24.08", name="Kaliwungu", level=3, kind=Kind.KECAMATAN, parent=kendal)
village = Region.objects.create(code="33.24.08.2003", name="Sumberejo", level=4, kind=Kind.DESA, parent=district)
Target.objects.create(region=None, year=2025, indicator="ikd", percent=30, due=datetime.date(2025, 12, 31))
Population.objects.create(region=kendal, as_of=datetime.date(2025, 4, 25), wajib_ktp=832474)
counts.add({(village.pk, "ikd", "success", "", datetime.date(2025, 11, 18)): 77})
"""
