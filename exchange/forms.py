from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PortfolioUploadForm(forms.Form):
    file = forms.FileField(label=_("Porteføljefil (JSON, innoportal-portfolio/1)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError(_("Filen må være en .json-fil."))
        if upload.size > settings.PORTFOLIO_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Filen er større enn %(mb)s MB.")
                % {"mb": f"{settings.PORTFOLIO_IMPORT_MAX_BYTES / (1024 * 1024):g}"})
        return upload
