"""Django's makemessages, also extracting strings marked with the `_lazy` alias of gettext_lazy.

Several modules import `gettext_lazy as _lazy` next to `gettext as _`; without this xgettext would not see
those strings and the pages would show them in English only.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
