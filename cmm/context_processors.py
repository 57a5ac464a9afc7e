from django.urls import reverse

from cmm.navigation import nav_entries_for


def navigation(request):
    """Give every page the menu of the user's role and the organisation they act for."""
    membership = getattr(request, "membership", None)
    path = request.path
    entries = []
    for entry in nav_entries_for(membership):
        url = reverse(entry.url_name)
        current = path == url if url == "/" else path.startswith(url)
        entries.append({"url": url, "label": entry.label, "current": current})
    return {
        "nav_entries": entries,
        "active_membership": membership,
        "can_switch_organisation": getattr(request, "membership_count", 0) > 1,
    }
