"""The Django admin, scoped to the staff member's regions."""


from regions.models import User
from tests.conftest import can_sign_in, make_region, make_user


def test_staff_see_only_their_regions_in_the_admin(client_for, staff, kendal, blitar):
    client = client_for(staff)
    page = client.get("/admin/regions/region/", {"q": "Kendal"}).content.decode()
    assert "33.24" in page
    page = client.get("/admin/regions/region/", {"q": "Blitar"}).content.decode()
    assert "35.72" not in page
    assert client.get(f"/admin/regions/region/{blitar.pk}/change/").status_code == 302


def test_the_region_autocomplete_is_scoped(client_for, staff, outsider, kendal, blitar):
    params = {"app_label": "regions", "model_name": "user", "field_name": "regions", "term": "Blitar"}
    found = client_for(staff).get("/admin/autocomplete/", params).json()["results"]
    assert str(blitar.pk) not in [item["id"] for item in found]
    found = client_for(outsider).get("/admin/autocomplete/", params).json()["results"]
    assert str(blitar.pk) in [item["id"] for item in found]


def test_staff_see_the_accounts_of_their_regions_only(client_for, staff, operator, outsider):
    blitar_operator = make_user("dewi", User.Role.OPERATOR, [make_region("35.72.01")])
    client = client_for(staff)
    page = client.get("/admin/regions/user/").content.decode()
    assert "oscar" in page and "dewi" not in page and "charlie" not in page
    # Another office's account: the admin answers as for an account that does not exist.
    response = client.get(f"/admin/regions/user/{blitar_operator.pk}/change/", follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert client.get(f"/admin/regions/user/{blitar_operator.pk}/password/").status_code == 404


def add_user(client, **data):
    form = {"username": "siti", "usable_password": "true", "password1": "Kendal-hebat-2025", "password2": "Kendal-hebat-2025",
            "first_name": "Siti", "last_name": "Aminah", "email": "", "role": "operator"}
    form.update(data)
    return client.post("/admin/regions/user/add/", form)


def test_staff_create_an_operator_in_their_region(client_for, staff, kaliwungu):
    response = add_user(client_for(staff), regions=[kaliwungu.pk])
    assert response.status_code == 302
    siti = User.objects.get(username="siti")
    assert siti.role == User.Role.OPERATOR and list(siti.regions.all()) == [kaliwungu]
    assert not siti.is_staff
    assert can_sign_in("siti", "Kendal-hebat-2025")


def test_staff_cannot_assign_another_region_or_the_staff_role(client_for, staff, kaliwungu, blitar):
    client = client_for(staff)
    response = add_user(client, regions=[blitar.pk])
    assert response.status_code == 200 and "regions" in response.context["adminform"].form.errors
    response = add_user(client, regions=[kaliwungu.pk], role="staff")
    assert response.status_code == 200 and "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="siti").exists()


def test_staff_reset_an_operators_password(client_for, staff, operator):
    response = client_for(staff).post(
        f"/admin/regions/user/{operator.pk}/password/",
        {"password1": "Baru-sekali-2026", "password2": "Baru-sekali-2026"},
    )
    assert response.status_code == 302
    assert can_sign_in("oscar", "Baru-sekali-2026")


def test_changes_to_roles_and_regions_are_kept_in_history(client_for, staff, operator, kendal):
    response = client_for(staff).post(
        f"/admin/regions/user/{operator.pk}/change/",
        {"username": "oscar", "first_name": "Oscar", "last_name": "", "email": "", "phone": "",
         "role": "manager", "regions": [kendal.pk], "is_active": "on"},
    )
    assert response.status_code == 302
    latest = operator.history.latest()
    assert latest.role == "manager" and latest.history_user == staff
    assert [row.region.code for row in latest.regions.all()] == ["33.24"]
    assert operator.history.earliest().role == "operator"


def test_managers_and_operators_cannot_enter_the_admin(client_for, manager, operator):
    for user in (manager, operator):
        response = client_for(user).get("/admin/regions/user/")
        assert response.status_code == 302 and "/admin/login/" in response.url
