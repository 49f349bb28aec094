"""What a user may see and change: the one source of truth for region scoping.

Every view, form choice, admin `get_queryset`, export, report and task asks this module.
Nothing else filters by role. Objects outside a user's regions answer 404 (the same as
objects that do not exist); read-only users answer 403 on writes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from regions.models import COUNTRY_CODE, Region, User, code_within, subtree_q


def scope_codes(user) -> list[str]:
    """The codes of the regions whose subtrees the user may see, outermost only.

    A superuser, or a user assigned the country, gets `[COUNTRY_CODE]` (everything).
    An anonymous or inactive user, or one without regions, gets `[]` (nothing).
    Cached on the user object for the length of the request.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_scope_codes", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        codes = [COUNTRY_CODE]
    else:
        assigned = sorted(user.regions.values_list("code", flat=True))
        codes = []
        for code in assigned:
            if code == COUNTRY_CODE:
                codes = [COUNTRY_CODE]
                break
            if not any(code_within(code, outer) for outer in codes):
                codes.append(code)
    user._scope_codes = codes
    return codes


def region_q(user, field: str = "") -> Q:
    """A filter for rows inside the user's regions; `field` is the path to the Region."""
    return subtree_q(scope_codes(user), field)


def visible_regions(user):
    return Region.objects.filter(region_q(user))


def can_see_code(user, code: str) -> bool:
    return any(code_within(code, root) for root in scope_codes(user))


def can_see_region(user, region: Region) -> bool:
    return can_see_code(user, region.code)


def get_region_or_404(user, code: str) -> Region:
    """The region with this code if the user may see it; 404 otherwise (also when it exists)."""
    if "\x00" in code or not can_see_code(user, code):  # PostgreSQL refuses NUL in a query
        raise Http404
    try:
        return Region.objects.select_related("parent").get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None


def root_regions(user) -> list[Region]:
    """The outermost regions the user may see, for navigation and breadcrumbs."""
    codes = scope_codes(user)
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def can_write(user) -> bool:
    """Staff change reference data and plans; managers only read; operators log results."""
    return bool(scope_codes(user)) and (user.is_superuser or user.role == User.Role.STAFF)


def require_write(user) -> None:
    if not can_write(user):
        raise PermissionDenied


def can_manage_users(user) -> bool:
    return can_write(user)


def assignable_roles(user) -> list[str]:
    """Staff create operators and managers; only a superuser creates staff."""
    if user.is_superuser:
        return [role.value for role in User.Role]
    if can_manage_users(user):
        return [User.Role.OPERATOR, User.Role.MANAGER]
    return []


def visible_users(user):
    """The accounts this user manages: roles they may assign, every region inside their own.

    Superusers see everyone; nobody else sees a superuser, another staff member or a user
    without regions.
    """
    qs = User.objects.all()
    if user.is_superuser:
        return qs
    codes = scope_codes(user)
    if not codes:
        return qs.none()
    outside = Region.objects.exclude(subtree_q(codes))
    return (
        qs.filter(is_superuser=False, role__in=assignable_roles(user), regions__in=Region.objects.filter(subtree_q(codes)))
        .exclude(regions__in=outside)
        .distinct()
    )



def colleagues(user):
    """Active users with a region inside this user's regions: who may lead or join a team."""
    codes = scope_codes(user)
    if not codes:
        return User.objects.none()
    inside = Region.objects.filter(subtree_q(codes))
    return User.objects.filter(is_active=True, is_superuser=False, regions__in=inside).distinct()


def logs_results(user) -> bool:
    """Operators and staff record activation results (where: `can_log_results`)."""
    return bool(scope_codes(user)) and (user.is_superuser or user.role in (User.Role.OPERATOR, User.Role.STAFF))


def reads_reports(user) -> bool:
    """Staff and managers follow progress on the report pages; operators record results."""
    return bool(scope_codes(user)) and (user.is_superuser or user.role in (User.Role.STAFF, User.Role.MANAGER))


def can_log_results(user, region: Region) -> bool:
    """Operators and staff record activation results at sessions inside their regions."""
    return logs_results(user) and can_see_region(user, region)
