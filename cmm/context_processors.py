from django.urls import reverse

from cmm.navigation import nav_entries_for


def navigation(request):
    """Give every page the menu of the user's role and the organisation they act for.

    The current entry is the one whose address is the longest prefix of the page's path.
    """
    membership = getattr(request, "membership", None)
    path = request.path
    entries = [{"url": reverse(e.url_name), "label": e.label} for e in nav_entries_for(membership)]
    matches = [
        e["url"] for e in entries if (path == e["url"] if e["url"] == "/" else path.startswith(e["url"]))
    ]
    current = max(matches, key=len, default=None)
    for entry in entries:
        entry["current"] = entry["url"] == current
    return {
        "nav_entries": entries,
        "active_membership": membership,
        "can_switch_organisation": getattr(request, "membership_count", 0) > 1,
    }
