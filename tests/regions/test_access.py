from regions import access
from regions.models import COUNTRY_CODE, Region, User
from tests.conftest import make_region, make_user


def test_a_user_sees_the_subtree_of_their_regions_only(staff, kaliwungu, blitar):
    village = make_region("33.24.08.2003")
    visible = Region.objects.visible_to(staff)
    assert visible.filter(code="33.24").exists()
    assert visible.filter(pk=kaliwungu.pk).exists()
    assert visible.filter(pk=village.pk).exists()
    assert not visible.filter(pk=blitar.pk).exists()
    # Jawa Tengah itself lies above Kendal, not inside it.
    assert not visible.filter(code="33").exists()


def test_a_prefix_is_a_whole_code_part(db):
    # 33.2 is not a region, and a scope of 35.7 must not leak into 35.72 or 35.71.
    user = make_user("dora", User.Role.STAFF, [make_region("35.71")])
    assert access.can_see_code(user, "35.71.01")
    assert not access.can_see_code(user, "35.72")
    assert not access.can_see_code(user, "35.7")


def test_nested_assignments_collapse_to_the_outermost(kendal, kaliwungu, blitar):
    user = make_user("erin", User.Role.STAFF, [kaliwungu, kendal, blitar])
    assert access.scope_codes(user) == ["33.24", "35.72"]


def test_the_country_and_superusers_see_everything(superuser, blitar):
    ministry = make_user("fajar", User.Role.MANAGER, [Region.objects.get(code=COUNTRY_CODE)])
    for user in (superuser, ministry):
        assert access.scope_codes(user) == [COUNTRY_CODE]
        assert access.can_see_region(user, blitar)
        assert Region.objects.visible_to(user).count() == Region.objects.count()


def test_a_user_without_regions_or_inactive_sees_nothing(db, kendal):
    lonely = make_user("gita", User.Role.OPERATOR, [])
    inactive = make_user("hadi", User.Role.STAFF, [kendal], is_active=False)
    for user in (lonely, inactive):
        assert access.scope_codes(user) == []
        assert not Region.objects.visible_to(user).exists()
        assert not access.can_write(user)


def test_only_staff_write(staff, manager, operator, superuser):
    assert access.can_write(staff)
    assert access.can_write(superuser)
    assert not access.can_write(manager)
    assert not access.can_write(operator)


def test_staff_manage_operators_and_managers_inside_their_regions(staff, manager, operator, outsider):
    other_staff = make_user("ika", User.Role.STAFF, [make_region("33.24")])
    straddling = make_user("joko", User.Role.OPERATOR, [make_region("33.24.08"), make_region("35.72")])
    visible = set(access.visible_users(staff))
    assert visible == {manager, operator}
    assert outsider not in visible and other_staff not in visible and straddling not in visible
    assert access.assignable_roles(staff) == [User.Role.OPERATOR, User.Role.MANAGER]
    assert not access.visible_users(manager).exists()


def test_the_role_decides_admin_access(kendal):
    user = make_user("kiki", User.Role.OPERATOR, [kendal])
    assert not user.is_staff
    user.role = User.Role.STAFF
    user.save()
    assert user.is_staff
