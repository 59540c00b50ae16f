import pytest
from django.core.exceptions import ValidationError

from portal.models import Organisation, SizeClass, size_class_for
from portal.validators import org_number_is_valid, validate_org_number
from tests.factories import OrganisationFactory


@pytest.mark.parametrize("number", [
    "958935420",  # Oslo kommune
    "964338531",  # Bergen kommune
    "942110464",  # Trondheim kommune
    "974760673",  # Brønnøysundregistrene
])
def test_real_org_numbers_pass_the_mod11_check(number):
    assert org_number_is_valid(number)
    validate_org_number(number)


@pytest.mark.parametrize("number, why", [
    ("958935421", "wrong check digit"),
    ("95893542", "eight digits"),
    ("9589354200", "ten digits"),
    ("95893542a", "a letter"),
    ("958 935 420", "spaces"),
    ("", "empty"),
    ("٩٥٨٩٣٥٤٢٠", "non-ASCII digits"),
    ("000000010", "check digit should be 9"),
])
def test_invalid_org_numbers_are_refused(number, why):
    assert not org_number_is_valid(number), why
    with pytest.raises(ValidationError):
        validate_org_number(number)


def test_check_digit_ten_is_never_valid():
    # 00000001x: 1*2 = 2 -> 11 - 2 = 9, so build one whose remainder is 1 (check would be 10).
    digits = "00000040"  # 4*3 = 12 -> remainder 1 -> check 10
    assert all(not org_number_is_valid(digits + str(d)) for d in range(10))


@pytest.mark.parametrize("population, expected", [
    (0, SizeClass.SMALL),
    (4_999, SizeClass.SMALL),
    (5_000, SizeClass.MEDIUM),
    (19_999, SizeClass.MEDIUM),
    (20_000, SizeClass.LARGE),
    (717_710, SizeClass.LARGE),
    (None, SizeClass.UNKNOWN),
])
def test_size_class_boundaries_in_python_and_in_the_database(db, population, expected):
    assert size_class_for(population) == expected
    org = OrganisationFactory(population=population)
    # The stored generated column must agree with the Python rule.
    assert Organisation.objects.get(pk=org.pk).size_class == expected
    assert Organisation.objects.filter(size_class=expected, pk=org.pk).exists()


def test_size_class_follows_a_population_update(db):
    org = OrganisationFactory(population=4_999)
    Organisation.objects.filter(pk=org.pk).update(population=5_000)
    assert Organisation.objects.get(pk=org.pk).size_class == SizeClass.MEDIUM


def test_organisation_with_invalid_number_fails_full_clean(db):
    org = Organisation(name="Feil kommune", org_number="123456789", kind="municipality")
    with pytest.raises(ValidationError) as info:
        org.full_clean()
    assert "org_number" in info.value.message_dict
