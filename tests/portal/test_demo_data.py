from django.core.management import call_command

from portal import demo_data
from portal.models import Membership, Network, Organisation, Unit, User
from portal.validators import org_number_is_valid


def test_demo_organisations_are_real_valid_and_cover_all_size_classes():
    numbers = [o["org_number"] for o in demo_data.MUNICIPALITIES + demo_data.HEALTH_TRUSTS]
    assert len(numbers) == len(set(numbers))
    assert all(org_number_is_valid(n) for n in numbers)
    assert len(demo_data.MUNICIPALITIES) >= 12


def test_load_demo_is_idempotent_and_gives_one_user_per_role(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    counts = (Organisation.objects.count(), Unit.objects.count(), Membership.objects.count(),
              User.objects.count(), Network.objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert counts == (Organisation.objects.count(), Unit.objects.count(),
                      Membership.objects.count(), User.objects.count(),
                      Network.objects.count())
    municipalities = Organisation.objects.filter(kind="municipality")
    assert set(municipalities.values_list("size_class", flat=True)) == {"small", "medium",
                                                                         "large"}
    home = Organisation.objects.get(org_number=demo_data.DEMO_HOME)
    roles = set(Membership.objects.filter(organisation=home).values_list("role", flat=True))
    assert roles == {"employee", "coordinator", "project_leader", "manager", "admin"}
    assert User.objects.get(username="analytiker").is_national_analyst
    assert User.objects.get(username="nettverk").analysed_networks.exists()
    assert User.objects.get(username="ansatt").check_password("innoportal-demo")
