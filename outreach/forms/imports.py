"""The upload form of the activity import. It checks the file's type and size only; outreach.imports reads
the rows and the services check the rules."""

from __future__ import annotations

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cmm.input_rules import InputForm
from outreach.columns import KIND_CHOICES
from outreach.imports import MAX_BYTES, MAX_ROWS

EXTENSIONS = ["csv", "xlsx"]


class ActivityImportForm(InputForm):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KIND_CHOICES)
    file = forms.FileField(
        label=_("File"),
        validators=[FileExtensionValidator(EXTENSIONS, message=_("Upload a .csv or an .xlsx file."))],
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A CSV file (UTF-8, separated by commas or semicolons) or an Excel workbook (.xlsx, first "
            "sheet), at most %(size)s MB and %(rows)s rows, with a header row."
        ) % {"size": MAX_BYTES // (1024 * 1024), "rows": f"{MAX_ROWS:,}"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB. Split it into smaller files."),
                params={"size": MAX_BYTES // (1024 * 1024)},
            )
        return upload
