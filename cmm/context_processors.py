from cmm.navigation import nav_menu


def navigation(request):
    """Give every page the menu of the user's role (its current section marked) and the organisation they
    act for."""
    membership = getattr(request, "membership", None)
    match = getattr(request, "resolver_match", None)
    entries = nav_menu(
        membership=membership,
        path=request.path,
        url_name=match.url_name if match else None,
        kwargs=match.kwargs if match else None,
    )
    return {
        "nav_entries": entries,
        "active_membership": membership,
        "can_switch_organisation": getattr(request, "membership_count", 0) > 1,
    }
