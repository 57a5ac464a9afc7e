"""The Celery app of the reminder crash test: every e-mail this worker sends hangs in the middle of sending
(after the outbox row is claimed, before anything reaches the mail server), so that the test can kill the
worker there. The file named by HANGING_MAIL_MARKER tells the test that a send has begun."""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from cmm.celery import app  # noqa: F401 - the app this worker runs


class HangingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        Path(os.environ["HANGING_MAIL_MARKER"]).write_text(str(len(email_messages)))
        time.sleep(600)
        return 0


settings.EMAIL_BACKEND = f"{__name__}.HangingEmailBackend"
