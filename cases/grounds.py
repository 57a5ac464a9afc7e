"""Why an organisation other than the owner may see a case, and the one rule for taking that view back.

An organisation sees a case it does not own through `cases.view_case` granted on that case (cmm.permissions):
an accepted referral to it (referrals.services), a presentation routed to it as the deciding authority, or an
identification task it is responsible for (identification.services). Each of those can end: a referral is
revoked or closed, a presentation is routed to another authority. Whatever ends one ground calls
`case_view_revoke_unless_grounded`, so the view goes exactly when no ground is left.
"""

from __future__ import annotations

from cases.models import Case
from cmm.models import Organisation
from cmm.permissions import revoke
from identification.models import IdentificationTask, Presentation
from referrals.choices import ReferralStatus as Status
from referrals.models import Referral

VIEW_CASE = "cases.view_case"


def case_view_grounds(*, case: Case, organisation: Organisation) -> list[str]:
    """Name the grounds on which `organisation` may see `case`: it owns it, an accepted referral shares it,
    it decides (or decided) on a presentation of it, or it is responsible for an identification task of it.
    An empty list: it has no business with the case."""
    grounds = []
    if case.organisation_id == organisation.pk:
        grounds.append("owner")
    if Referral.objects.filter(case=case, to_organisation=organisation, status=Status.ACCEPTED).exists():
        grounds.append("referral")
    if Presentation.objects.filter(case=case, authority_organisation=organisation).exists():
        grounds.append("presentation")
    if IdentificationTask.objects.filter(case=case, responsible_organisation=organisation).exists():
        grounds.append("identification_task")
    return grounds


def case_view_revoke_unless_grounded(*, case: Case, organisation: Organisation) -> bool:
    """Take `organisation`'s view of `case` back unless another ground for it remains; return whether it was
    taken. The caller has already ended its own ground (saved the referral's end, the presentation's new
    route) and writes the audit entry."""
    if case_view_grounds(case=case, organisation=organisation):
        return False
    revoke(VIEW_CASE, case, organisation=organisation)
    return True
