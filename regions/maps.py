"""Links to OpenStreetMap for a place: its point when staff entered coordinates, otherwise a
search for its village, kecamatan and regency, so every venue and partner has a map link."""

from __future__ import annotations

from urllib.parse import quote_plus

from regions.models import Region

OSM = "https://www.openstreetmap.org"


def map_url(latitude, longitude, village: Region) -> str:
    """The point if both coordinates are known, else the village's area.

    Reads the village's parents (`Region.area_names`).
    """
    if latitude is not None and longitude is not None:
        return f"{OSM}/?mlat={latitude}&mlon={longitude}#map=18/{latitude}/{longitude}"
    return f"{OSM}/search?query={quote_plus(', '.join(village.area_names()))}"
