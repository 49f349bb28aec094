import pytest
from django.urls import reverse

from regions.models import COUNTRY_CODE, Region
from tests.conftest import make_region


def detail(code: str) -> str:
    return reverse("regions:detail", kwargs={"code": code})


def test_it_shows_a_region_with_its_children(client_for, staff, kaliwungu):
    response = client_for(staff).get(detail("33.24"))
    assert response.status_code == 200
    assert response.context["region"].code == "33.24"
    assert kaliwungu in [child for child, _figures in response.context["rows"]]
    assert "33.24.08" in response.content.decode()


def test_it_needs_a_sign_in(client, kendal):
    response = client.get(detail("33.24"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_outsider_gets_404(client_for, outsider, kendal, kaliwungu):
    client = client_for(outsider)
    assert client.get(detail("33.24")).status_code == 404
    assert client.get(detail("33.24.08")).status_code == 404
    # The same answer for a code that does not exist at all.
    assert client.get(detail("33.24.99")).status_code == 404


def test_breadcrumbs_show_only_what_the_user_may_see(client_for, operator, staff, superuser):
    make_region("33.24.08.2003")
    crumbs = client_for(operator).get(detail("33.24.08.2003")).context["ancestors"]
    assert [r.code for r in crumbs] == ["33.24.08"]
    crumbs = client_for(superuser).get(detail("33.24.08.2003")).context["ancestors"]
    assert [r.code for r in crumbs] == [COUNTRY_CODE, "33", "33.24", "33.24.08"]


def test_the_index_opens_the_only_region_of_a_user(client_for, staff):
    response = client_for(staff).get(reverse("regions:index"))
    assert response.status_code == 302
    assert response.url == detail("33.24")


def test_the_index_lists_several_regions(client_for, kendal, blitar):
    from tests.conftest import make_user

    user = make_user("lina", "manager", [kendal, blitar])
    response = client_for(user).get(reverse("regions:index"))
    assert [r.code for r in response.context["roots"]] == ["33.24", "35.72"]


@pytest.mark.parametrize("code", [COUNTRY_CODE, "33", "33.24", "33.24.08", "33.24.08.2003"])
def test_a_region_page_issues_a_bounded_number_of_queries(full_regions, client_for, superuser, code, django_assert_max_num_queries):
    client = client_for(superuser)
    # Session, user, region, ancestors, children, default year, then the figures: grandchildren
    # ids, populations, official figures, targets. The same at every level, whether the page
    # lists 38 provinces or 20 villages.
    with django_assert_max_num_queries(10):
        response = client.get(detail(code))
    assert response.status_code == 200
    expected_children = Region.objects.filter(parent__code=code).count()
    assert len(response.context["rows"]) == expected_children


def test_search_finds_regions_inside_the_scope_only(client_for, staff, outsider, full_regions):
    url = reverse("regions:search")
    results = client_for(staff).get(url, {"q": "kaliwungu"}).json()["results"]
    assert {"33.24.08", "33.24.20"} <= {r["code"] for r in results}
    assert all(r["code"].startswith("33.24") for r in results)
    assert results[0]["context"] == "Kabupaten Kendal, Jawa Tengah"

    results = client_for(outsider).get(url, {"q": "kaliwungu"}).json()["results"]
    assert results == []


def test_search_by_code_and_level(client_for, staff, full_regions):
    results = client_for(staff).get(reverse("regions:search"), {"q": "33.24.08", "level": "4"}).json()["results"]
    assert results and all(r["code"].startswith("33.24.08.") for r in results)


def test_search_needs_two_characters_and_a_sign_in(client, client_for, staff):
    url = reverse("regions:search")
    assert client.get(url, {"q": "ka"}).status_code == 302
    assert client_for(staff).get(url, {"q": "k"}).json() == {"results": []}


def test_the_search_is_bounded_to_a_page_of_results(client_for, superuser, full_regions, django_assert_max_num_queries):
    client = client_for(superuser)
    with django_assert_max_num_queries(4):
        results = client.get(reverse("regions:search"), {"q": "sari"}).json()["results"]
    assert len(results) == 20


def test_the_not_found_page_speaks_indonesian(client_for, outsider, kendal):
    response = client_for(outsider).get(detail("33.24"))
    assert "Halaman ini tidak ada atau berada di luar wilayah tugas Anda." in response.content.decode()
