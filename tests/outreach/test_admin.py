from outreach.models import Venue


def test_staff_keep_venues_and_teams_of_their_regions_only(client_for, staff, venue, blitar_venue, team, village, blitar):
    client = client_for(staff)
    page = client.get("/admin/outreach/venue/").content.decode()
    assert "Balai Desa Sumberejo" in page and "Sananwetan" not in page
    response = client.post("/admin/outreach/venue/add/", {"name": "Balai Baru", "type": "kantor_desa", "village": blitar_venue.village.pk, "is_active": "on"})
    assert response.status_code == 200 and "village" in response.context["adminform"].form.errors
    response = client.post("/admin/outreach/venue/add/", {"name": "Balai Baru", "type": "kantor_desa", "village": village.pk, "is_active": "on"})
    assert response.status_code == 302 and Venue.objects.filter(name="Balai Baru").exists()
    assert "Tim Jemput Bola 1" in client.get("/admin/outreach/team/").content.decode()


def test_an_outsider_sees_no_kendal_venue(client_for, outsider, venue):
    page = client_for(outsider).get("/admin/outreach/venue/").content.decode()
    assert "Balai Desa Sumberejo" not in page
