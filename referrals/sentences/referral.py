"""The case-timeline sentence of a referral event (EventKind.REFERRAL), in the reader's language.

referrals.services.referrals stores the step, the receiving organisation's name (not identifying), the
kind and reason as choice values and the consent flag; never a free text.
"""

from django.utils.translation import gettext as _

from referrals.choices import ReferralKind, ReferralReason


def _organisation(data: dict) -> str:
    name = data["to"]
    if not isinstance(name, str) or not name:
        raise ValueError(name)
    return name


def sentence(data: dict) -> str:
    """The timeline sentence of a referral event; KeyError/ValueError for data it does not know."""
    step = data["step"]
    values = {"organisation": _organisation(data)}
    if step == "sent":
        values["reason"] = str(ReferralReason(data["reason"]).label)
        consent = data["consent"]
        if not isinstance(consent, bool):
            raise ValueError(consent)
        transfer = ReferralKind(data["kind"]) == ReferralKind.TRANSFER
        if not consent:
            if transfer:
                return (
                    _(
                        "Transfer to %(organisation)s requested without consent (coordinator override): "
                        "%(reason)s"
                    )
                    % values
                )
            return (
                _("Referred to %(organisation)s without consent (coordinator override): %(reason)s") % values
            )
        if transfer:
            return _("Transfer to %(organisation)s requested: %(reason)s") % values
        return _("Referred to %(organisation)s: %(reason)s") % values
    if step == "accepted":
        return _("Referral to %(organisation)s accepted") % values
    if step == "declined":
        return _("Referral to %(organisation)s declined") % values
    if step == "withdrawn":
        return _("Referral to %(organisation)s withdrawn") % values
    if step == "revoked":
        return _("Referral to %(organisation)s revoked: access removed") % values
    if step == "closed":
        return _("Referral to %(organisation)s closed: access removed") % values
    if step == "ended_by_transfer":
        return _("Referral to %(organisation)s ended because the case was transferred") % values
    if step == "transferred":
        return _("Case transferred to %(organisation)s") % values
    raise ValueError(step)
