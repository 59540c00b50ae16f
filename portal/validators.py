from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Brønnøysundregistrene's weights for the mod-11 check digit of an organisation number.
ORG_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def org_number_is_valid(value: str) -> bool:
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(value[:8], ORG_NUMBER_WEIGHTS)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(value[8])


def validate_org_number(value: str) -> None:
    if not org_number_is_valid(value):
        raise ValidationError(
            _("«%(value)s» er ikke et gyldig organisasjonsnummer (9 siffer med kontrollsiffer)."),
            code="invalid_org_number",
            params={"value": value},
        )


def _digits(value: str, count: int) -> bool:
    return len(value) == count and value.isascii() and value.isdigit()


def validate_municipality_number(value: str) -> None:
    """Statistics Norway's kommunenummer: four digits (0301 Oslo, 3421 Tynset)."""
    if not _digits(value, 4):
        raise ValidationError(_("«%(value)s» er ikke et kommunenummer (4 siffer, som 3421)."),
                              code="invalid_municipality_number", params={"value": value})


def validate_county_number(value: str) -> None:
    """Statistics Norway's fylkesnummer: two digits (34 Innlandet)."""
    if not _digits(value, 2):
        raise ValidationError(_("«%(value)s» er ikke et fylkesnummer (2 siffer, som 34)."),
                              code="invalid_county_number", params={"value": value})
