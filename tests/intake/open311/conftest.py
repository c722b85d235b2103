# The Open311 server moved from cases to intake (an inbound channel on
# intake's API keys); its tests keep the cases tests' world and in-process huey.
from tests.cases.conftest import _huey_immediate, world  # noqa: F401
