"""Who decides: the one place the authority routing lives (DESIGN.md §2).

Asylum seekers, rejected asylum seekers and people without legal residence: the Immigration Service decides.
People with legal residence (EU citizens, residence-permit holders, Danish citizens), adults and minors alike:
CMM decides. An unknown residence status must be resolved before anyone can decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases.choices import ResidenceStatus
from identification.choices import Authority

_ROUTES = {
    ResidenceStatus.ASYLUM_SEEKER: Authority.IMMIGRATION_SERVICE,
    ResidenceStatus.REJECTED_ASYLUM_SEEKER: Authority.IMMIGRATION_SERVICE,
    ResidenceStatus.NO_LEGAL_RESIDENCE: Authority.IMMIGRATION_SERVICE,
    ResidenceStatus.EU_CITIZEN: Authority.CMM,
    ResidenceStatus.RESIDENCE_PERMIT: Authority.CMM,
    ResidenceStatus.DANISH_CITIZEN: Authority.CMM,
}

_EXPLANATIONS = {
    Authority.IMMIGRATION_SERVICE: _(
        "The Immigration Service decides, because the person is an asylum seeker, a rejected asylum "
        "seeker or has no legal residence in Denmark."
    ),
    Authority.CMM: _(
        "CMM decides, because the person has legal residence (EU citizen, residence permit or Danish "
        "citizen); this applies to adults and minors alike."
    ),
}

UNKNOWN_EXPLANATION = _(
    "Nobody can decide yet: the residence status is unknown. Find out the residence status at the time of "
    "presentation and record it on the presentation."
)

# Residence statuses of a person who is to leave Denmark if identified: a reflection period must start.
MUST_LEAVE = {ResidenceStatus.NO_LEGAL_RESIDENCE, ResidenceStatus.REJECTED_ASYLUM_SEEKER}


@dataclass(frozen=True)
class Route:
    authority: str | None  # None while the residence status is unknown
    explanation: str


def competent_authority(residence_status: str) -> Route:
    """Return the authority that decides for a residence status, with the rule in plain words."""
    authority = _ROUTES.get(residence_status)
    if authority is None:
        return Route(None, str(UNKNOWN_EXPLANATION))
    return Route(authority, str(_EXPLANATIONS[authority]))
