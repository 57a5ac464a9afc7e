"""Signals of the cases app, for the apps that build on it (cases imports none of them).

Sent inside the transaction of the cases service that causes them; receivers are connected in the other
apps' AppConfig.ready and call one of their services.
"""

from django.dispatch import Signal

# Sent (sender: cases.models.Case) when a case's contact person left the case's organisation and the case has
# none now. Keyword arguments: case, by (who ended the membership; None for the system). identification asks
# the organisation to appoint a new contact person with a task.
contact_person_left = Signal()
