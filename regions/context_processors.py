from regions import access


def navigation(request) -> dict:
    """What the base layout needs to show the menu for the signed-in user's role."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_can_write": access.can_write(user),
        "nav_can_manage_users": access.can_manage_users(user),
        "nav_reads_reports": access.reads_reports(user),
    }
