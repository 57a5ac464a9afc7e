"""Signals the platform sends for the domain apps to act on.

cmm is the platform the domain apps build on, so it imports none of them: what leaving an organisation means
for cases, reminders or referrals is theirs to say. cmm's services send these signals inside their
transaction, and each domain app connects a receiver in its AppConfig.ready that calls one of its services.
A receiver that fails rolls the whole change back (`send`, not `send_robust`): a membership never ends
halfway.
"""

from django.dispatch import Signal

# Sent (sender: cmm.models.Membership) inside the transaction that ends `user`'s membership of `organisation`,
# and when `user` is deactivated, once for each organisation they were an active member of. Keyword
# arguments: user, organisation, by (who ended it; None for the system), reason ("membership_ended" or
# "user_deactivated"). Receivers take the user out of what came with that membership (case teams,
# contact-person roles, grants, reminders) and audit it without personal values.
membership_ended = Signal()

MEMBERSHIP_ENDED = "membership_ended"
USER_DEACTIVATED = "user_deactivated"

# Sent (sender: cmm.models.Organisation) inside the transaction in which a platform admin moved a designation
# (cmm.services.organisation_designate). Keyword argument: by. The identification app routes the presentations
# still waiting for a decision to the organisation now designated.
designation_moved = Signal()
