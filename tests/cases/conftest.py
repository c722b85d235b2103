import pytest
from huey.contrib.djhuey import HUEY

from .factories import make_world


@pytest.fixture(autouse=True)
def _huey_immediate():
    """Tasks run in-process (memory storage) so notifications are visible."""
    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture
def world(db):
    return make_world()
