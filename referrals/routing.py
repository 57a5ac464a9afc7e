"""Who plans a prepared return: the one place the responsible-body rule lives (DESIGN.md §2).

People without legal residence (including asylum seekers and rejected asylum seekers): the Immigration Service
plans the return with IOM. People with legal residence (EU citizens, residence-permit holders, Danish
citizens): CMM handles a wish to return. An unknown residence status must be recorded before a plan is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases.choices import ResidenceStatus
from referrals.choices import ReturnBody, ReturnChannel

_ROUTES = {
    ResidenceStatus.NO_LEGAL_RESIDENCE: ReturnBody.IMMIGRATION_SERVICE,
    ResidenceStatus.ASYLUM_SEEKER: ReturnBody.IMMIGRATION_SERVICE,
    ResidenceStatus.REJECTED_ASYLUM_SEEKER: ReturnBody.IMMIGRATION_SERVICE,
    ResidenceStatus.EU_CITIZEN: ReturnBody.CMM,
    ResidenceStatus.RESIDENCE_PERMIT: ReturnBody.CMM,
    ResidenceStatus.DANISH_CITIZEN: ReturnBody.CMM,
}

_EXPLANATIONS = {
    ReturnBody.IMMIGRATION_SERVICE: _(
        "The Immigration Service plans the return with IOM, because the person has no legal residence in "
        "Denmark (this includes asylum seekers and rejected asylum seekers). The contact person takes part."
    ),
    ReturnBody.CMM: _(
        "CMM handles the return, because the person has legal residence (EU citizen, residence permit or "
        "Danish citizen)."
    ),
}

UNKNOWN_EXPLANATION = _(
    "Nobody can plan the return yet: the case's residence status is unknown. Record the residence status on "
    "the case first."
)

# The channel a plan starts with; it can be changed to an NGO or an embassy.
DEFAULT_CHANNEL = {
    ReturnBody.IMMIGRATION_SERVICE: ReturnChannel.IOM,
    ReturnBody.CMM: ReturnChannel.CMM,
}
_OTHER_CHANNELS = [ReturnChannel.NGO, ReturnChannel.EMBASSY]


@dataclass(frozen=True)
class Route:
    body: str | None  # None while the residence status is unknown
    explanation: str


def return_responsible_body(residence_status: str) -> Route:
    """Return the body responsible for the return of a person with this residence status, with the rule in
    plain words."""
    body = _ROUTES.get(residence_status)
    if body is None:
        return Route(None, str(UNKNOWN_EXPLANATION))
    return Route(body, str(_EXPLANATIONS[body]))


def allowed_channels(body: str) -> list[str]:
    """The channels a plan of `body` may use: its default one, an NGO or an embassy."""
    return [DEFAULT_CHANNEL[body], *_OTHER_CHANNELS]
