from datetime import date

from regions.models import OfficialFigure, Population, Target

END_2025 = date(2025, 12, 31)


def test_staff_see_only_the_figures_of_their_regions(client_for, staff, outsider, kendal, blitar):
    Population.objects.create(region=kendal, as_of=END_2025, wajib_ktp=832_474)
    Population.objects.create(region=blitar, as_of=END_2025, wajib_ktp=123_000)
    page = client_for(staff).get("/admin/regions/population/").content.decode()
    assert "832474" in page.replace(".", "") and "123000" not in page.replace(".", "")


def test_an_outsider_cannot_open_a_figure_of_another_region(client_for, outsider, kendal):
    figure = OfficialFigure.objects.create(region=kendal, indicator="kia", as_of=END_2025, count=220_737)
    response = client_for(outsider).get(f"/admin/regions/officialfigure/{figure.pk}/change/", follow=True)
    assert "220737" not in response.content.decode().replace(".", "")
    assert response.redirect_chain and response.redirect_chain[-1][0] == "/admin/"


def test_staff_cannot_change_the_national_target_but_set_their_own(client_for, staff, kendal):
    national = Target.objects.create(region=None, year=2025, indicator="ikd", percent=30, due=END_2025)
    client = client_for(staff)
    response = client.post(
        f"/admin/regions/target/{national.pk}/change/",
        {"indicator": "ikd", "year": 2025, "percent": "50", "due": "2025-12-31"},
    )
    assert response.status_code == 403
    national.refresh_from_db()
    assert national.percent == 30

    response = client.post(
        "/admin/regions/target/add/",
        {"region": kendal.pk, "indicator": "ikd", "year": 2025, "percent": "35", "due": "2025-12-31"},
    )
    assert response.status_code == 302
    own = Target.objects.get(region=kendal)
    assert own.percent == 35
    assert own.history.first().history_user == staff


def test_managers_and_operators_have_no_admin(client_for, manager, operator):
    for user in (manager, operator):
        response = client_for(user).get("/admin/regions/population/")
        assert response.status_code == 302 and "/admin/login/" in response.url
