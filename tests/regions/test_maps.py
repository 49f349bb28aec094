from decimal import Decimal
from urllib.parse import unquote_plus

from regions.maps import map_url
from tests.conftest import make_region


def test_a_place_with_coordinates_links_to_its_point(kendal):
    village = make_region("33.24.08.2003", "Sumberejo")
    url = map_url(Decimal("-6.96512"), Decimal("110.25871"), village)
    assert url == "https://www.openstreetmap.org/?mlat=-6.96512&mlon=110.25871#map=18/-6.96512/110.25871"


def test_a_place_without_coordinates_links_to_a_search_for_its_village_kecamatan_and_regency(kendal, kaliwungu):
    village = make_region("33.24.08.2003", "Sumberejo")
    url = map_url(None, None, village)
    assert url.startswith("https://www.openstreetmap.org/search?query=")
    assert unquote_plus(url.split("query=")[1]) == "Sumberejo, Kaliwungu, Kabupaten Kendal"
    assert map_url(Decimal("-6.9"), None, village) == url  # half a coordinate is no point
