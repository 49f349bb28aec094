"""The outreach and partners fixtures, shared with the audit tests."""

import pytest

from tests.outreach.conftest import blitar_venue, plan, team, venue, village  # noqa: F401
from tests.partners.conftest import agreement_for, partner  # noqa: F401


@pytest.fixture
def blitar_plan(outsider, blitar, blitar_venue):  # noqa: F811
    """Plan a session in Kota Blitar as its own staff."""
    import datetime

    from outreach.models import Team
    from outreach.services import session_create

    team = Team.objects.create(office=blitar, name="Tim Blitar", leader=outsider)

    def make(**fields):
        values = {"venue": blitar_venue, "date": datetime.date(2025, 11, 24), "team": team,
                  "start_time": datetime.time(8), "end_time": datetime.time(10)}
        values.update(fields)
        return session_create(actor=outsider, **values)

    return make
