import pytest

from tests.factories import NetworkFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def network(home_org, other_org):
    """home and other share a network: network-visible ideas cross between them."""
    network = NetworkFactory(name="Fjellregionen")
    network.organisations.set([home_org, other_org])
    return network
