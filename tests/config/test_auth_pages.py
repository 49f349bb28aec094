from django.urls import reverse


def test_a_user_signs_in_and_out(client, staff):
    response = client.post(reverse("login"), {"username": "alice", "password": "rahasia-sekali-123"})
    assert response.status_code == 302 and response.url == reverse("home")
    assert "Selamat datang, Alice" in client.get(reverse("home")).content.decode()

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_gets_a_message_in_indonesian(client, staff):
    response = client.post(reverse("login"), {"username": "alice", "password": "salah"})
    assert response.status_code == 200
    assert "Masukkan nama pengguna dan kata sandi yang benar" in response.content.decode()


def test_the_menu_follows_the_role(client_for, staff, manager):
    page = client_for(staff).get(reverse("home")).content.decode()
    assert reverse("regions:accounts_import") in page and reverse("admin:index") in page
    page = client_for(manager).get(reverse("home")).content.decode()
    assert reverse("regions:accounts_import") not in page and reverse("admin:index") not in page


def test_the_home_page_lists_the_users_regions(client_for, operator):
    response = client_for(operator).get(reverse("home"))
    assert [r.code for r in response.context["roots"]] == ["33.24.08"]
