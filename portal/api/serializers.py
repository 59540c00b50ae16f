from rest_framework import serializers

from portal.models import Membership, Organisation, Unit, User


class OrganisationSerializer(serializers.ModelSerializer):
    size_class = serializers.CharField(read_only=True)
    county_number = serializers.CharField(
        source="county_code", read_only=True,
        help_text="The county's number (SSB fylkesnummer): the stable code beside the name.")

    class Meta:
        model = Organisation
        fields = ["org_number", "name", "kind", "county", "county_number",
                  "municipality_number", "population", "size_class"]


class UnitSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="org_number", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "organisation", "name", "parent"]


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.get_full_name")
    unit = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "name", "role", "unit"]


class MyMembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer()

    class Meta:
        model = Membership
        fields = ["organisation", "role", "unit"]


class MeSerializer(serializers.ModelSerializer):
    memberships = MyMembershipSerializer(many=True)
    analysed_networks = serializers.SlugRelatedField(slug_field="name", many=True,
                                                     read_only=True)

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "is_national_analyst",
                  "memberships", "analysed_networks"]
