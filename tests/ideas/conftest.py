import itertools

import pytest

from tests.factories import NetworkFactory

_media_folders = itertools.count()


@pytest.fixture(scope="session")
def _media_base(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def media_root(settings, _media_base):
    """Uploaded files go to a temporary folder, never the project's media/: an empty one of
    the test's own, made in one folder for the session (tmp_path lists its base folder, which
    holds one folder per test so far, for every test that asks for it)."""
    settings.MEDIA_ROOT = _media_base / str(next(_media_folders))
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def network(home_org, other_org):
    """home and other share a network: network-visible ideas cross between them."""
    network = NetworkFactory(name="Fjellregionen")
    network.organisations.set([home_org, other_org])
    return network
