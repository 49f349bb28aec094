"""The audit log in the admin: read-only for everyone, and scoped to the staff member's regions."""

import pytest

from regions import audit
from regions.models import AuditEvent


@pytest.fixture
def kendal_event(db):
    return audit.record("export", object_type="outreach.report", object_id="kendal-ekspor", region_code="33.24.08.2003")


@pytest.fixture
def blitar_event(db):
    return audit.record("export", object_type="outreach.report", object_id="blitar-ekspor", region_code="35.72")


@pytest.fixture
def nowhere_event(db):
    return audit.record("export", object_type="outreach.report", object_id="tanpa-wilayah")


LIST = "/admin/regions/auditevent/"


def test_staff_see_the_events_of_their_regions_only(client_for, staff, outsider, kendal_event, blitar_event, nowhere_event):
    page = client_for(staff).get(LIST).content.decode()
    assert "kendal-ekspor" in page and "blitar-ekspor" not in page and "tanpa-wilayah" not in page


def test_blitar_staff_do_not_see_kendal_events(client, outsider, staff, kendal_event, blitar_event):
    client.force_login(outsider)
    page = client.get(LIST).content.decode()
    assert "blitar-ekspor" in page and "kendal-ekspor" not in page
    response = client.get(f"{LIST}{kendal_event.pk}/change/", follow=True)
    assert "kendal-ekspor" not in response.content.decode()
    assert response.redirect_chain and response.redirect_chain[-1][0] == "/admin/"


def test_events_without_a_region_are_for_a_superuser(client_for, superuser, kendal_event, blitar_event, nowhere_event):
    page = client_for(superuser).get(LIST).content.decode()
    assert all(name in page for name in ("kendal-ekspor", "blitar-ekspor", "tanpa-wilayah"))


def test_nobody_adds_changes_or_deletes_an_event(client_for, staff, superuser, kendal_event):
    for user in (staff, superuser):
        client = client_for(user)
        assert client.get(f"{LIST}add/").status_code == 403
        assert client.post(f"{LIST}add/", {"action": "export"}).status_code == 403
        view = client.get(f"{LIST}{kendal_event.pk}/change/")
        assert view.status_code == 200 and 'name="_save"' not in view.content.decode()  # a read-only page
        assert client.post(f"{LIST}{kendal_event.pk}/change/", {"object_id": "changed"}).status_code == 403
        assert client.post(f"{LIST}{kendal_event.pk}/delete/", {"post": "yes"}).status_code == 403
        client.post(LIST, {"action": "delete_selected", "_selected_action": [kendal_event.pk], "post": "yes"})
    assert AuditEvent.objects.filter(pk=kendal_event.pk, object_id="kendal-ekspor").exists()


def test_the_list_searches_by_username_and_filters_by_action_and_date(client_for, superuser, staff, kendal_event):
    audit.record("login", user=staff, region_code="33.24")
    client = client_for(superuser)
    page = client.get(LIST, {"q": "alice"}).content.decode()
    assert "alice" in page and "kendal-ekspor" not in page
    page = client.get(LIST, {"action__exact": "export"}).content.decode()
    assert "kendal-ekspor" in page
    day = kendal_event.at
    page = client.get(LIST, {"at__year": day.year, "at__month": day.month}).content.decode()
    assert "kendal-ekspor" in page


def test_a_superuser_downloads_an_access_report_from_the_list(client_for, superuser, staff, kendal_event):
    audit.record("view_personal", user=staff, object_type="outreach.session", object_id="77", region_code="33.24.08.2003")
    client = client_for(superuser)
    selected = list(AuditEvent.objects.filter(username="alice").values_list("pk", flat=True))
    response = client.post(LIST + "?username=alice", {"action": "download_access_report", "_selected_action": selected})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('laporan-akses.csv"')
    text = response.content.decode("utf-8-sig")
    assert "view_personal" in text and "outreach.session" in text and ",77," in text
    # Staff have no such action.
    page = client_for(staff).get(LIST).content.decode()
    assert "download_access_report" not in page
