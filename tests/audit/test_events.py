"""What the audit log records: sign-ins, failed sign-ins, sign-outs, exports, per-person lists,
changes with their user, one event per bulk import, none for synthetic data, and never a NIK."""

import io
import json
import re
import uuid
from decimal import Decimal

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from outreach.activation_import import activations_import
from outreach.models import Activation
from regions.models import AuditEvent, Population, Target

PASSWORD = "rahasia-sekali-123"
ADULT = "3324080101900001"
WOMAN = "3324084101900002"
CHILD = "3324080106150003"
UNKNOWN_DISTRICT = "3324990101900004"


def events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("pk"))


def log_result(client, session, nik, **extra):
    data = {"service": "ikd", "nik": nik, "result": "success", "idempotency_key": str(uuid.uuid4())}
    data.update(extra)
    return client.post(reverse("outreach:log", kwargs={"pk": session.pk}), data)


# ---- Sign-in, failed sign-in, sign-out ---------------------------------------------------------------


def test_a_sign_in_and_a_sign_out_are_logged_with_user_address_and_region(staff):
    client = Client(REMOTE_ADDR="10.20.30.40", HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 500)
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    [login] = events(action="login")
    assert (login.user_id, login.username, login.ip_address, login.region_code, login.source) == (
        staff.pk, "alice", "10.20.30.40", "33.24", "web")
    assert login.user_agent.startswith("Mozilla/5.0") and len(login.user_agent) == 200
    client.post(reverse("logout"))
    [logout] = events(action="logout")
    assert (logout.user_id, logout.ip_address) == (staff.pk, "10.20.30.40")


def test_a_failed_sign_in_keeps_the_username_tried_never_the_password(staff):
    client = Client(REMOTE_ADDR="10.9.8.7")
    response = client.post(reverse("login"), {"username": "alice", "password": "salah-sekali-999"})
    assert response.status_code == 200
    [failed] = events(action="login_failed")
    assert (failed.username, failed.user_id, failed.ip_address, failed.region_code) == ("alice", None, "10.9.8.7", "33.24")
    client.post(reverse("login"), {"username": "tidak-ada", "password": "salah-sekali-999"})
    unknown = events(action="login_failed")[-1]
    assert (unknown.username, unknown.region_code) == ("tidak-ada", "")
    every_value = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "salah-sekali-999" not in every_value


def test_behind_the_proxy_the_address_is_the_one_it_added(staff, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, secure=True)
    assert events(action="login")[0].ip_address == "203.0.113.9"


def test_without_the_proxy_a_forwarded_header_is_ignored(staff):
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert events(action="login")[0].ip_address == "10.0.0.1"


# ---- Exports and per-person lists ----------------------------------------------------------------


def test_a_dashboard_download_is_logged(client_for, staff, kendal):
    client = client_for(staff)
    response = client.get(reverse("outreach:dashboard", kwargs={"code": "33.24"}), {"unduh": "csv", "tabel": "belum-lapor"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    [export] = events(action="export")
    assert (export.user_id, export.region_code, export.object_type, export.detail["format"]) == (
        staff.pk, "33.24", "outreach.report", "csv")


def test_a_partner_export_is_logged(client_for, staff, partner):
    response = client_for(staff).get(reverse("partners:export", kwargs={"what": "mitra", "fmt": "xlsx"}))
    assert response.status_code == 200
    [export] = events(action="export")
    assert (export.user_id, export.object_type, export.region_code, export.detail["format"]) == (
        staff.pk, "partners.mitra", "33.24", "xlsx")


def test_opening_the_per_person_list_of_a_session_is_logged(client_for, staff, plan):
    session = plan()
    response = client_for(staff).get(reverse("outreach:results", kwargs={"pk": session.pk}))
    assert response.status_code == 200
    [seen] = events(action="view_personal")
    assert (seen.user_id, seen.object_type, seen.object_id, seen.region_code) == (
        staff.pk, "outreach.session", str(session.pk), "33.24.08.2003")


# ---- Changes --------------------------------------------------------------------------------------


def test_target_and_population_changes_in_the_admin_carry_the_user(client_for, staff, kendal):
    client = client_for(staff)
    response = client.post("/admin/regions/target/add/",
                           {"region": kendal.pk, "indicator": "ikd", "year": 2025, "percent": "35", "due": "2025-12-31"})
    assert response.status_code == 302
    target = Target.objects.get(region=kendal)
    [created] = events(action="create", object_type="regions.target")
    assert (created.user_id, created.object_id, created.region_code, Decimal(created.detail["percent"])) == (
        staff.pk, str(target.pk), "33.24", 35)
    response = client.post(f"/admin/regions/target/{target.pk}/change/",
                           {"region": kendal.pk, "indicator": "ikd", "year": 2025, "percent": "40", "due": "2025-12-31"})
    assert response.status_code == 302
    [updated] = events(action="update", object_type="regions.target")
    assert (updated.user_id, Decimal(updated.detail["percent"])) == (staff.pk, 40)
    response = client.post("/admin/regions/population/add/",
                           {"region": kendal.pk, "as_of": "2025-12-31", "wajib_ktp": "832474", "source": "SIAK"})
    assert response.status_code == 302
    population = Population.objects.get(region=kendal)
    client.post(f"/admin/regions/population/{population.pk}/delete/", {"post": "yes"})
    assert not Population.objects.exists()
    assert [(e.action, e.user_id) for e in events(object_type="regions.population")] == [
        ("create", staff.pk), ("delete", staff.pk)]


def test_session_and_activation_changes_carry_the_user(client_for, staff, operator, plan):
    session = plan()
    [created] = events(object_type="outreach.session")
    assert (created.action, created.user_id, created.region_code) == ("create", staff.pk, "33.24.08.2003")
    response = log_result(client_for(operator), session, ADULT)
    assert response.status_code == 302
    activation = Activation.objects.get()
    [logged] = events(object_type="outreach.activation")
    assert (logged.action, logged.user_id, logged.object_id, logged.region_code) == (
        "create", operator.pk, str(activation.pk), "33.24.08.2003")
    assert logged.detail["nik"] == "•••• •••• •••• 0001" and logged.detail["service"] == "ikd"
    # Staff delete the result as a correction: the event carries them, not the reason's text.
    staff_client = client_for(staff)
    response = staff_client.post(reverse("outreach:results", kwargs={"pk": session.pk}),
                                 {"activation": activation.pk, "reason": f"salah ketik NIK {ADULT}"})
    assert response.status_code == 302
    deleted = events(object_type="outreach.activation", action="delete")
    assert [(e.user_id, e.detail["nik"]) for e in deleted] == [(staff.pk, "•••• •••• •••• 0001")]


def test_an_agreement_saved_inside_a_request_carries_its_user(rf, staff, partner, agreement_for):
    from regions import audit

    request = rf.post("/", REMOTE_ADDR="192.0.2.7")
    request.user = staff
    with audit.request_context(request):
        agreement = agreement_for(partner)
        agreement.title = "Potongan 15%"
        agreement.save()
    assert [(e.action, e.user_id, e.ip_address, e.region_code) for e in events(object_type="partners.agreement")] == [
        ("create", staff.pk, "192.0.2.7", "33.24.08.2003"), ("update", staff.pk, "192.0.2.7", "33.24.08.2003")]


# ---- Bulk paths -----------------------------------------------------------------------------------


def test_a_bulk_import_writes_one_event_not_one_per_row(staff, plan):
    session = plan(offers_kia=True)
    before = AuditEvent.objects.count()
    lines = [f"33240801019{serial:05d},ikd,success,,2025-11-24,,33.24.08.2003,{session.pk}" for serial in range(1, 41)]
    content = ("nik,service,outcome,failure_reason,date,married,village_code,session\n" + "\n".join(lines) + "\n").encode()
    result = activations_import(actor=staff, path_or_file=io.BytesIO(content), filename=f"daftar-{ADULT}.csv")
    assert result.saved == 40
    new = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.user_id, e.detail["saved"]) for e in new] == [("import", staff.pk, 40)]
    assert ADULT not in json.dumps(new[0].detail)  # a NIK in the file's name is masked


def test_synthetic_data_writes_no_event(kendal):
    from tests.conftest import shared_file

    from outreach import synthetic

    population = shared_file("regions/population_2025.csv")
    # A synthetic figure from before: generating replaces it (a delete the audit must not log).
    Population.objects.create(region=kendal, as_of=synthetic.AS_OF, source=synthetic.SOURCE, wajib_ktp=1)
    before = AuditEvent.objects.count()
    call_command("generate_synthetic", "--activations", "300", "--seed", "3", "--region", "33.24",
                 "--population", str(population), stdout=io.StringIO())
    assert Activation.objects.count() >= 250
    assert AuditEvent.objects.count() == before


# ---- Never a NIK ----------------------------------------------------------------------------------


def test_no_full_nik_anywhere_in_the_log(client_for, operator, staff, plan):
    session = plan(offers_kia=True)
    client = client_for(operator)
    log_result(client, session, "3324 0801 0190 0001")
    log_result(client, session, WOMAN, result="no_phone")
    log_result(client, session, CHILD, service="kia")
    log_result(client, session, "3324083102900001")  # a bad date: refused
    log_result(client, session, UNKNOWN_DISTRICT)  # asks for confirmation
    log_result(client, session, UNKNOWN_DISTRICT, confirm_district="on")
    log_result(client, session, ADULT)  # a duplicate: refused
    assert Activation.objects.count() >= 3
    staff_client = client_for(staff)
    staff_client.get(reverse("outreach:results", kwargs={"pk": session.pk}))
    activation = Activation.objects.filter(nik_last4="0002").first()
    staff_client.post(reverse("outreach:results", kwargs={"pk": session.pk}),
                      {"activation": activation.pk, "reason": f"NIK {WOMAN} salah"})
    Client().post(reverse("login"), {"username": CHILD, "password": "x"})  # a NIK typed as a username
    assert AuditEvent.objects.filter(object_type="outreach.activation").count() >= 4
    text = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
    found = set(re.findall(r"\d{16}", text))
    assert not found & {ADULT, WOMAN, CHILD, UNKNOWN_DISTRICT, "3324083102900001"}
    assert not re.search(r"\d{16}", text)
    hashes = set(Activation.history.values_list("nik_hash", flat=True))
    assert not any(h in text for h in hashes if h)
    assert "•••• •••• •••• 0001" in text
